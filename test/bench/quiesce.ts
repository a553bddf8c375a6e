/**
 * Waiting until a server has finished the work a previous phase left (EzyBus's ledger writes run
 * after each response): no running invocation (EzyBus reports its count), under 3 % CPU in the
 * server for a second, and no store call made or in flight. In Lambda every invocation has its
 * own environment; here one process serves them all, so phases must not overlap.
 */
import { cpuSeconds, type Proc } from './procs.js';

export interface StoreState {
  n: number;
  inflight: number;
  calls?: Array<{ at: number; op: string }>;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * A stats read that survives a server still digging out of an overload phase (its accept queue
 * full, a connection refused or reset for a moment): a few tries before the phase is failed.
 */
export async function getJson<T>(url: string): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return (await (await fetch(url)).json()) as T;
    } catch (err) {
      if (i >= 9) throw err;
      await sleep(500);
    }
  }
}

/** The store child's stats endpoint: calls served and in flight; `since` lists the calls after that index. */
export function storeStats(url: string): (since?: number, extra?: string) => Promise<StoreState> {
  return async (since, extra = '') => {
    const q = [since === undefined ? '' : `since=${since}`, extra].filter(Boolean).join('&');
    return getJson<StoreState>(`${url}/${q ? `?${q}` : ''}`);
  };
}

export function quiescer(state: (since?: number) => Promise<StoreState>, log: (s: string) => void): (proc: Proc, maxMs?: number) => Promise<void> {
  return async (proc, maxMs = 180_000) => {
    const end = Date.now() + maxMs;
    while (Date.now() < end) {
      const c0 = cpuSeconds(proc.pid);
      const n0 = (await state()).n;
      await sleep(1000);
      const running = proc.stats ? (await getJson<{ inflight: number }>(proc.stats)).inflight : 0;
      const st = await state();
      if (running === 0 && cpuSeconds(proc.pid) - c0 < 0.03 && st.n === n0 && st.inflight === 0) return;
    }
    log(`${proc.name}: still busy after ${maxMs} ms; measuring anyway`);
  };
}
