/**
 * Hypervisor steal: time a virtual CPU was ready to run but the host ran something else
 * (/proc/stat, the 8th counter of each `cpuN` line). On a shared host it comes and goes: one hour
 * the bare proxy saturated at 4,137 req/s here, the next at 1,037, with nothing else running in
 * the VM. A figure measured under steal reads as slow code, so the report says how much there was
 * in each section, on the server's core and on the load generator's.
 */
import { readFileSync } from 'node:fs';

type Counters = Map<string, { steal: number; wanted: number }>;

function read(): Counters {
  const out: Counters = new Map();
  let text = '';
  try {
    text = readFileSync('/proc/stat', 'utf8');
  } catch {
    return out; // not Linux: no figures, and the report says so
  }
  for (const line of text.split('\n')) {
    const m = /^(cpu\d+) (.*)$/.exec(line);
    if (!m?.[1] || !m[2]) continue;
    const f = m[2].trim().split(/\s+/).map(Number);
    // user nice system idle iowait irq softirq steal (guest time is already in user). What the
    // CPU wanted: everything but idle and iowait, steal included.
    const all = f.slice(0, 8).reduce((a, b) => a + b, 0);
    out.set(m[1], { steal: f[7] ?? 0, wanted: all - (f[3] ?? 0) - (f[4] ?? 0) });
  }
  return out;
}

export interface StealSection {
  name: string;
  /**
   * By CPU name (`cpu0`, …): of the time the CPU had work in the section, the percentage the host
   * took. A share of all time would hide it: a core 90 % idle whose work waits half the time
   * reads 5 % stolen of all time, and its figures are twice what they should be.
   */
  percent: Record<string, number>;
}

/** Sections in order: `mark(name)` ends the running one (if any) and starts `name`. */
export function stealRecorder(): { mark(name: string): void; end(): StealSection[] } {
  const done: StealSection[] = [];
  let open: { name: string; at: Counters } | undefined;
  const close = (): void => {
    if (!open) return;
    const now = read();
    const percent: Record<string, number> = {};
    for (const [cpu, b] of now) {
      const a = open.at.get(cpu);
      // Under half a second of work (in clock ticks, 100 a second) the share is a few ticks
      // over a few ticks: no figure.
      if (!a || b.wanted - a.wanted < 50) continue;
      percent[cpu] = (100 * (b.steal - a.steal)) / (b.wanted - a.wanted);
    }
    done.push({ name: open.name, percent });
    open = undefined;
  };
  return {
    mark(name) {
      close();
      open = { name, at: read() };
    },
    end() {
      close();
      return done;
    },
  };
}
