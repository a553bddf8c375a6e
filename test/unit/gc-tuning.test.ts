/**
 * runtime/gc-tuning.ts: a handler module's init (edge-config.ts) turns V8's allocation-site
 * pretenuring off, once per process, unless EZYBUS_V8_PRETENURING=on. (What it buys is measured by the
 * focused benchmark, `scripts/hot-path.ts --gc`; here only that it happens when it should.)
 * The V8 call itself is replaced, so this test process keeps its own flags.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { readConfig } from '../../functions/shared/config.js';
import { createGateway, gateway, installGateway } from '../../functions/shared/context.js';

const before = gateway();
afterEach(() => {
  installGateway(before);
  vi.restoreAllMocks();
});

async function freshTuning(env: Record<string, string>): Promise<{ tune: () => void; calls: unknown[][] }> {
  installGateway(createGateway(readConfig(env)));
  const v8 = process.getBuiltinModule('node:v8');
  const spy = vi.spyOn(v8, 'setFlagsFromString').mockImplementation(() => undefined);
  vi.resetModules();
  const { tuneGc } = await import('../../functions/shared/runtime/gc-tuning.js');
  return { tune: tuneGc, calls: spy.mock.calls };
}

describe('GC tuning at init', () => {
  it('sets --no-allocation-site-pretenuring once, however many handler modules a process loads', async () => {
    const { tune, calls } = await freshTuning({});
    tune();
    tune();
    tune();
    expect(calls).toEqual([['--no-allocation-site-pretenuring']]);
  });

  it('leaves V8 alone with EZYBUS_V8_PRETENURING=on', async () => {
    const { tune, calls } = await freshTuning({ EZYBUS_V8_PRETENURING: 'on' });
    tune();
    expect(calls).toHaveLength(0);
  });
});
