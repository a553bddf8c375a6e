/**
 * The Web Functions entry (functions/web.ts) in a process of its own, started the way Lambda
 * starts a Web Function: plain `node` on the entry, AWS_LAMBDA_HTTP_ENDPOINT naming where to
 * listen, the revision's environment variables, SIGTERM to stop. `ezybus serve --mode web` and
 * the lifecycle tests run it; its stdout lines are what CloudWatch would hold.
 */
import { spawn, type ChildProcess } from 'node:child_process';

export interface WebProcess {
  url: string;
  port: number;
  child: ChildProcess;
  /** Every stdout line but the listening report: the structured logs, one JSON object each. */
  lines: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM, as Lambda ends an environment; resolves when the process has exited. */
  close(): Promise<void>;
}

export async function startWebProcess(opts: { host: string; port: number; env: Record<string, string>; onLine?: (line: string) => void }): Promise<WebProcess> {
  const entry = new URL('../functions/web.ts', import.meta.url).pathname;
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    env: { PATH: process.env.PATH ?? '', ...opts.env, AWS_LAMBDA_HTTP_ENDPOINT: `${opts.host}:${opts.port}`, EZYBUS_REPORT_LISTEN: '1' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines: string[] = [];
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const url = await new Promise<string>((resolve, reject) => {
    let buf = '';
    child.stdout!.on('data', (c: Buffer) => {
      buf += c.toString();
      let nl: number;
      while ((nl = buf.indexOf('\n')) !== -1) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        const m = /^\{"listening":"([^"]+)"\}$/.exec(line);
        if (m?.[1]) resolve(m[1]);
        else {
          lines.push(line);
          opts.onLine?.(line);
        }
      }
    });
    child.once('exit', (code) => reject(new Error(`web function exited with ${code} before listening`)));
  });
  return {
    url,
    port: Number(new URL(url).port),
    child,
    lines,
    exited,
    async close() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
