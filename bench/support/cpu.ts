/**
 * CPU time used by this process and the servers it started (Linux /proc): the worker (this Node
 * process: worker, client and bench), the Temporal server, and PostgreSQL (the postmaster and its
 * backends, those already exited included through the postmaster's reaped-children time). On a
 * shared machine CPU seconds per cycle say more than wall time, which depends on what else runs:
 * they are what docs/capacity.md sizes cores from. Elsewhere than Linux every figure is 0.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';

/** Clock ticks a second (USER_HZ): 100 on every Linux architecture Node runs on. */
const TICKS = 100;

export type CpuComponent = 'worker' | 'temporalServer' | 'postgres' | 'other';

interface Proc {
  ppid: number;
  comm: string;
  own: number;
  children: number;
}

function processes(): Map<number, Proc> {
  const out = new Map<number, Proc>();
  if (!existsSync('/proc')) return out;
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    const close = stat.lastIndexOf(')');
    const comm = stat.slice(stat.indexOf('(') + 1, close);
    const f = stat.slice(close + 2).split(' ');
    out.set(Number(name), { ppid: Number(f[1]), comm, own: Number(f[11]) + Number(f[12]), children: Number(f[13]) + Number(f[14]) });
  }
  return out;
}

/** CPU seconds so far of this process and each kind of its descendants. */
export function cpuSeconds(root = process.pid): Record<CpuComponent, number> {
  const all = processes();
  const totals: Record<CpuComponent, number> = { worker: 0, temporalServer: 0, postgres: 0, other: 0 };
  const self = all.get(root);
  if (!self) return totals;
  totals.worker = self.own / TICKS;
  const stack = [root];
  while (stack.length) {
    const parent = stack.pop()!;
    for (const [pid, proc] of all) {
      if (proc.ppid !== parent) continue;
      stack.push(pid);
      const kind: CpuComponent = proc.comm === 'temporal-server' ? 'temporalServer' : proc.comm === 'postgres' ? 'postgres' : 'other';
      totals[kind] += (proc.own + proc.children) / TICKS;
    }
  }
  return totals;
}

/** CPU seconds used between two readings, per component and in all. */
export function cpuUsed(before: Record<CpuComponent, number>, after: Record<CpuComponent, number>): Record<CpuComponent | 'total', number> {
  const used = { worker: 0, temporalServer: 0, postgres: 0, other: 0, total: 0 };
  for (const key of ['worker', 'temporalServer', 'postgres', 'other'] as const) {
    used[key] = Math.round((after[key] - before[key]) * 100) / 100;
    used.total += used[key];
  }
  used.total = Math.round(used.total * 100) / 100;
  return used;
}
