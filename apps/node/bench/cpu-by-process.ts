/**
 * Where a bench phase's CPU went, by process group: CPU seconds read from /proc (utime + stime of each process, its
 * threads included) before and after the phase, each process counted in the first group whose root pid it descends
 * from, or by its command name (postgres, redis-server). What is left is "other". Linux only; elsewhere every figure
 * is 0.
 */
import { readdirSync, readFileSync } from 'node:fs';

export interface CpuGroup {
  name: string;
  /** Root processes: each with every process below it (a node's sandbox workers). */
  pids?: number[];
  /** Processes by their command name (`comm`), wherever they were started from. */
  comm?: string;
}

interface ProcStat {
  pid: number;
  ppid: number;
  comm: string;
  /** utime + stime, in clock ticks. */
  ticks: number;
}

/** Clock ticks per second (USER_HZ): 100 on every Linux this runs on. */
const TICKS_PER_SEC = 100;

function readProcs(): ProcStat[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  const procs: ProcStat[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    let text: string;
    try {
      text = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // gone meanwhile
    }
    // pid (comm) state ppid …: comm may hold spaces and parentheses, so split after its last ')'.
    const close = text.lastIndexOf(')');
    const comm = text.slice(text.indexOf('(') + 1, close);
    const fields = text.slice(close + 2).split(' ');
    procs.push({ pid: Number(entry), ppid: Number(fields[1]), comm, ticks: Number(fields[11]) + Number(fields[12]) });
  }
  return procs;
}

/** CPU ticks per group now (and "other" for the rest of the machine's processes). */
function sample(groups: CpuGroup[]): Map<string, number> {
  const procs = readProcs();
  const parent = new Map(procs.map((p) => [p.pid, p.ppid]));
  const groupOf = (p: ProcStat): string => {
    for (const g of groups) if (g.comm !== undefined && p.comm === g.comm) return g.name;
    for (let pid: number | undefined = p.pid; pid !== undefined && pid > 1; pid = parent.get(pid)) {
      for (const g of groups) if (g.pids?.includes(pid)) return g.name;
    }
    return 'other';
  };
  const ticks = new Map<string, number>();
  for (const p of procs) {
    const name = groupOf(p);
    ticks.set(name, (ticks.get(name) ?? 0) + p.ticks);
  }
  return ticks;
}

/** Starts counting; `stop` answers each group's CPU over the interval as a share of one core (1 = a whole core). */
export function cpuByProcess(groups: CpuGroup[]): { stop(): Record<string, number> } {
  const before = sample(groups);
  const startMs = performance.now();
  return {
    stop: () => {
      const after = sample(groups);
      const seconds = (performance.now() - startMs) / 1000;
      const shares: Record<string, number> = {};
      for (const name of [...groups.map((g) => g.name), 'other']) {
        const used = ((after.get(name) ?? 0) - (before.get(name) ?? 0)) / TICKS_PER_SEC;
        // A process that ended within the interval takes its ticks with it: a group's figure is then an underestimate, never negative.
        shares[name] = Math.max(0, Math.round((used / seconds) * 100) / 100);
      }
      return shares;
    },
  };
}

/** "node p1 0.71, proxy 0.32, …" for a summary line. */
export function cpuText(shares: Record<string, number>): string {
  return Object.entries(shares)
    .map(([name, cores]) => `${name} ${cores.toFixed(2)}`)
    .join(', ');
}
