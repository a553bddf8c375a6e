/**
 * The Web Functions entry (functions/web.ts) in a child process, started the way Lambda starts
 * a Web Function: a plain `node` process with AWS_LAMBDA_HTTP_ENDPOINT set, here on a stack's
 * store and keyring. Its stdout lines are what CloudWatch would hold.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Stack } from './stack.js';

export interface WebFunctionProcess {
  url: string;
  child: ChildProcess;
  /** Every stdout line: the structured logs, one JSON object each. */
  lines: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export async function startWebFunctionProcess(s: Stack, env: Record<string, string> = {}): Promise<WebFunctionProcess> {
  const entry = new URL('../../functions/web.ts', import.meta.url).pathname;
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    env: {
      PATH: process.env.PATH ?? '',
      AWS_LAMBDA_HTTP_ENDPOINT: '127.0.0.1:0',
      EZYBUS_REPORT_LISTEN: '1',
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      EZYBUS_DYNAMODB_ENDPOINT: s.gw.dynamoEndpoint,
      EZYBUS_STAGE: 'local',
      EZYBUS_LOCAL_KEYRING: s.keyringPath,
      ...env,
    },
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
        else lines.push(line);
      }
    });
    child.once('exit', (code) => reject(new Error(`web function exited with ${code} before listening`)));
  });
  return { url, child, lines, exited };
}
