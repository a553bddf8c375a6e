/**
 * The in-house load generator in a process of its own. In the harness's process, its phases
 * shared a heap with everything the harness holds (modules, the store client, every row so far),
 * and that heap's collections paused the generator: a pause while requests are due delays them
 * all, and since each latency is measured from its scheduled start, a 50–90 ms pause in the
 * harness read as a 50–90 ms p99 of whatever server was under test. Here the generator's heap is
 * its own and small (loadgen.ts keeps one number per request), and it runs on the harness's core.
 *
 *   const load = await startLoadClient(process.execPath, 0); await load.openLoop(…); await load.close();
 *
 * Child side: `node --import tsx test/bench/load-client.ts --child` reads one job per stdin line
 * and answers one JSON line per job on stdout.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { closedLoop, openLoop, type LoadResult, type Target } from './loadgen.js';
import { HAS_TASKSET } from './procs.js';

type JobSpec =
  | { kind: 'open'; target: Target; body: string; rate: number; durationMs: number; maxInFlight?: number }
  | { kind: 'closed'; target: Target; body: string; connections: number; durationMs: number };
type Job = JobSpec & { id: number };

export interface LoadClient {
  openLoop(t: Target, body: string, rate: number, durationMs: number, maxInFlight?: number): Promise<LoadResult>;
  closedLoop(t: Target, body: string, connections: number, durationMs: number): Promise<{ rps: number; sent: number; errors: number }>;
  pid: number;
  close(): Promise<void>;
}

export async function startLoadClient(node: string, cpu?: number): Promise<LoadClient> {
  const self = fileURLToPath(import.meta.url);
  const argv = [...(cpu !== undefined && HAS_TASKSET ? ['taskset', '-c', String(cpu)] : []), node, '--import', 'tsx', self, '--child'];
  const child: ChildProcess = spawn(argv[0] as string, argv.slice(1), { stdio: ['pipe', 'pipe', 'inherit'] });
  const waiting = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  let exited: Error | undefined;
  child.once('exit', (code) => {
    exited = new Error(`load client exited with ${code}`);
    for (const w of waiting.values()) w.reject(exited);
    waiting.clear();
  });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  let ready: () => void = () => undefined;
  const started = new Promise<void>((r) => (ready = r));
  lines.on('line', (line) => {
    const msg = JSON.parse(line) as { id: number; result?: unknown; error?: string };
    if (msg.id === 0) return ready();
    const w = waiting.get(msg.id);
    waiting.delete(msg.id);
    if (msg.error !== undefined) w?.reject(new Error(msg.error));
    else w?.resolve(msg.result);
  });
  await started;
  let next = 1;
  const run = <T>(job: JobSpec): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      if (exited) return reject(exited);
      const id = next++;
      waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      child.stdin?.write(`${JSON.stringify({ ...job, id })}\n`);
    });
  return {
    pid: child.pid as number,
    openLoop: (target, body, rate, durationMs, maxInFlight) =>
      run<LoadResult>({ kind: 'open', target, body, rate, durationMs, ...(maxInFlight !== undefined && Number.isFinite(maxInFlight) ? { maxInFlight } : {}) }),
    closedLoop: (target, body, connections, durationMs) => run({ kind: 'closed', target, body, connections, durationMs }),
    close: async () => {
      if (exited) return;
      const gone = new Promise<void>((r) => child.once('exit', () => r()));
      child.stdin?.end();
      await gone;
    },
  };
}

if (process.argv.includes('--child')) {
  const out = (msg: unknown): void => void process.stdout.write(`${JSON.stringify(msg)}\n`);
  // One job at a time, in order: a phase never overlaps the next.
  let queue = Promise.resolve();
  createInterface({ input: process.stdin }).on('line', (line) => {
    const job = JSON.parse(line) as Job;
    queue = queue.then(async () => {
      try {
        const result = job.kind === 'open' ? await openLoop(job.target, job.body, job.rate, job.durationMs, job.maxInFlight) : await closedLoop(job.target, job.body, job.connections, job.durationMs);
        out({ id: job.id, result });
      } catch (err) {
        out({ id: job.id, error: err instanceof Error ? err.message : String(err) });
      }
    });
  });
  // stdin closed: finish what is queued, then exit (keep-alive sockets would hold the loop).
  process.stdin.once('end', () => void queue.then(() => process.exit(0)));
  out({ id: 0 });
}
