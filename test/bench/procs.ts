/**
 * Child processes for the benchmark: each server under test runs in its own process, pinned to
 * its own core with taskset when available, and reports its URL on file descriptor 3 (stdout is
 * left to the server itself: EzyBus writes a log line per request, as it would to CloudWatch).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

export interface Proc {
  name: string;
  url: string;
  /** For EzyBus: where it reports its running invocations. */
  stats?: string;
  pid: number;
  child: ChildProcess;
  stop(): Promise<void>;
}

export const HAS_TASKSET = spawnSync('taskset', ['-c', '0', 'true']).status === 0;

// Every child still running when the harness exits — a crash or an uncaught error included — is
// killed with it, so a failed run leaves no server pinned to a core for the next one.
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of running) c.kill('SIGKILL');
});
// A signal's default action skips 'exit' handlers: exit through them instead.
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => process.exit(128 + (sig === 'SIGINT' ? 2 : 15)));

/** CPU seconds (user + system) a process has used so far, from /proc. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of stat; after the comm field they sit at 11 and 12.
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Resident memory of a process in MiB. */
export function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/**
 * A port no process on 127.0.0.1 holds now, for a peer that must be told its port. The kernel
 * picks it, so it cannot be one another server of the run already listens on: a random port in
 * 20000–40000 once landed on an EzyBus gateway's ephemeral port, and the peer's readiness probe,
 * answered by the gateway, passed while the peer itself had failed to bind.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => (port ? resolve(port) : reject(new Error('no port'))));
    });
  });
}

/**
 * Starts `cmd args` pinned to `cpu` and waits for a line `{"url": …}` on fd 3 (or, for peers
 * that cannot write there, until `probe` answers).
 */
export async function startProc(
  name: string,
  cmd: string,
  args: string[],
  opts: { cpu?: number; nice?: number; env?: Record<string, string>; probeUrl?: string; timeoutMs?: number; quiet?: boolean } = {},
): Promise<Proc> {
  const pinned = opts.cpu !== undefined && HAS_TASKSET;
  // nice and taskset exec what follows them: the child's pid is the server's.
  const argv = [...(opts.nice ? ['nice', '-n', String(opts.nice)] : []), ...(pinned ? ['taskset', '-c', String(opts.cpu)] : []), cmd, ...args];
  const child = spawn(argv[0] as string, argv.slice(1), {
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', opts.quiet === false ? 'inherit' : 'ignore', opts.quiet === false ? 'inherit' : 'pipe', 'pipe'],
  });
  running.add(child);
  child.once('exit', () => running.delete(child));
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-4000)));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const timeoutMs = opts.timeoutMs ?? 60_000;
  let stats: string | undefined;
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name}: not ready after ${timeoutMs} ms\n${stderr}`)), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code}\n${stderr}`));
    });
    if (opts.probeUrl) {
      const probe = opts.probeUrl;
      const tick = (): void => {
        fetch(probe)
          .then(() => {
            clearTimeout(timer);
            resolve(new URL(probe).origin);
          })
          .catch(() => setTimeout(tick, 200));
      };
      tick();
      return;
    }
    let buf = '';
    (child.stdio[3] as NodeJS.ReadableStream).on('data', (c: Buffer) => {
      buf += c.toString();
      const m = /"url":"([^"]+)"/.exec(buf);
      if (m?.[1]) {
        stats = /"stats":"([^"]+)"/.exec(buf)?.[1];
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
  });
  // The pinned process is taskset's child after exec: same pid.
  return {
    name,
    url,
    ...(stats ? { stats } : {}),
    pid: child.pid as number,
    child,
    stop: async () => {
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(t);
    },
  };
}
