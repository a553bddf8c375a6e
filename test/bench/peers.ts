/**
 * Peers pointed at the same simulator: Portkey's gateway (npm) and LiteLLM's proxy (PyPI), each
 * installed into .bench/peers on first use and run alone on the server core.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { freePort, startProc } from './procs.js';
import { openaiBody, type System } from './systems.js';

export interface PeerContext {
  root: string;
  node: string;
  log(s: string): void;
}

/** Portkey's gateway from npm, installed into .bench/peers/portkey on first use. */
export function startPortkey(ctx: PeerContext, simUrl: string): () => Promise<System | string> {
  return async () => {
    const dir = join(ctx.root, '.bench/peers/portkey');
    const entry = join(dir, 'node_modules/@portkey-ai/gateway/build/start-server.js');
    if (!existsSync(entry)) {
      ctx.log('installing @portkey-ai/gateway into .bench/peers/portkey');
      mkdirSync(dir, { recursive: true });
      const r = spawnSync('npm', ['install', '--no-save', '--no-audit', '--no-fund', '--prefix', dir, '@portkey-ai/gateway'], { stdio: 'ignore', timeout: 300_000 });
      if (r.status !== 0 || !existsSync(entry)) return `Portkey: npm install @portkey-ai/gateway failed (exit ${r.status ?? 'timeout'})`;
    }
    const port = await freePort();
    try {
      const p = await startProc('portkey', ctx.node, [entry, `--port=${port}`, '--headless'], { cpu: 1, probeUrl: `http://127.0.0.1:${port}/`, timeoutMs: 60_000 });
      return {
        name: 'portkey',
        proc: p,
        target: { url: p.url, path: '/v1/chat/completions', headers: { authorization: 'Bearer sim-bench-key', 'x-portkey-provider': 'openai', 'x-portkey-custom-host': `${simUrl}/v1` } },
        body: openaiBody('gpt-4.1-nano'),
      };
    } catch (err) {
      return `Portkey: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`;
    }
  };
}

/** LiteLLM's proxy from PyPI, installed into .bench/peers/litellm-venv on first use. */
export function startLiteLLM(ctx: PeerContext, simUrl: string): () => Promise<System | string> {
  return async () => {
    const venv = join(ctx.root, '.bench/peers/litellm-venv');
    const py = join(venv, 'bin/python');
    if (!existsSync(py) || spawnSync(py, ['-c', 'import litellm.proxy.proxy_cli'], { stdio: 'ignore' }).status !== 0) {
      ctx.log('installing litellm[proxy] into .bench/peers/litellm-venv (a few minutes)');
      mkdirSync(join(ctx.root, '.bench/peers'), { recursive: true });
      const mk = spawnSync('python3', ['-m', 'venv', venv], { stdio: 'ignore' });
      const r = mk.status === 0 ? spawnSync(join(venv, 'bin/pip'), ['install', '-q', 'litellm[proxy]'], { stdio: 'ignore', timeout: 900_000 }) : mk;
      if (r.status !== 0) return `LiteLLM: pip install litellm[proxy] failed (exit ${r.status ?? 'timeout'})`;
    }
    const port = await freePort();
    try {
      const p = await startProc('litellm', py, ['-m', 'litellm.proxy.proxy_cli', '--model', 'openai/gpt-4.1-nano', '--api_base', `${simUrl}/v1`, '--port', String(port), '--host', '127.0.0.1', '--num_workers', '1'], {
        cpu: 1,
        env: { OPENAI_API_KEY: 'sim-bench-key', LITELLM_MASTER_KEY: 'sk-bench-litellm-master', LITELLM_LOCAL_MODEL_COST_MAP: 'True', LITELLM_LOG: 'ERROR', LITELLM_TELEMETRY: 'False' },
        probeUrl: `http://127.0.0.1:${port}/health/liveliness`,
        timeoutMs: 120_000,
      });
      return { name: 'litellm', proc: p, target: { url: p.url, path: '/v1/chat/completions', headers: { authorization: 'Bearer sk-bench-litellm-master' } }, body: openaiBody('openai/gpt-4.1-nano') };
    } catch (err) {
      return `LiteLLM: ${err instanceof Error ? err.message.split('\n').slice(0, 2).join(' ') : String(err)}`;
    }
  };
}
