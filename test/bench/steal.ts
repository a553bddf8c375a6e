/**
 * Hypervisor steal: time a virtual CPU was ready to run but the host ran something else
 * (/proc/stat, the 8th counter of each `cpuN` line). On a shared host it comes and goes: one hour
 * the bare proxy saturated at 4,137 req/s here, the next at 1,037, with nothing else running in
 * the VM. A figure measured under steal reads as slow code, so the report says how much there was
 * in each section, on the server's core and on the load generator's.
 *
 * Steal does not show a host that slows this VM's cores without taking them (a busy neighbour on
 * the same physical core, memory bandwidth): `coreSpeed` times a fixed loop on a core, so a
 * section's reading beside the run's first one says how fast that core ran then.
 */
import { spawnSync } from 'node:child_process';
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
  /** The probe's reading when the section started (coreSpeed: lower is faster), when one was given. */
  probeMs?: number;
}

/**
 * Sections in order: `mark(name)` ends the running one (if any) and starts `name`, running
 * `probe` (e.g. coreSpeed) first, outside the section.
 */
export function stealRecorder(probe?: () => number): { mark(name: string): void; end(): StealSection[] } {
  const done: StealSection[] = [];
  let open: { name: string; at: Counters; probeMs: number | undefined } | undefined;
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
    done.push({ name: open.name, percent, ...(open.probeMs === undefined || !Number.isFinite(open.probeMs) ? {} : { probeMs: open.probeMs }) });
    open = undefined;
  };
  return {
    mark(name) {
      close();
      const probeMs = probe?.();
      open = { name, at: read(), probeMs };
    },
    end() {
      close();
      return done;
    },
  };
}

/**
 * Milliseconds a fixed JavaScript loop (100 M iterations of integer arithmetic) takes in a fresh
 * process pinned to `cpu`, the best of five; NaN where taskset is missing. About 0.4 s.
 */
export function coreSpeed(node: string, cpu: number): number {
  const script = 'let best=Infinity;for(let r=0;r<5;r++){const t=process.hrtime.bigint();let x=0;for(let i=0;i<1e8;i++)x=(x+i*7)|0;const ms=Number(process.hrtime.bigint()-t)/1e6;if(x===1)console.log();best=Math.min(best,ms)}process.stdout.write(String(best))';
  const r = spawnSync('taskset', ['-c', String(cpu), node, '-e', script], { encoding: 'utf8' });
  return r.status === 0 ? Number(r.stdout) : NaN;
}
