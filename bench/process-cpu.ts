import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism as availableCores } from 'node:os';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/**
 * CPU seconds (user + system) used so far by every process whose command line matches, from
 * /proc: lets a benchmark say where a run's CPU went (hub, worker, PostgreSQL, the mock) on a
 * box where they all share the same cores.
 */
export function processCpuSeconds(matches: (cmdline: string, pid: number) => boolean): number {
  let ticks = 0;
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (!matches(cmdline, Number(pid))) continue;
      // Fields after the parenthesised command name: utime is the 14th field, stime the 15th.
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // The process ended between listing and reading: it no longer counts.
    }
  }
  return ticks / TICKS_PER_SECOND;
}

export type CpuSnapshot = Record<string, number>;

const partiesOf = (snapshot: CpuSnapshot) => Object.keys(snapshot).filter((k) => !k.startsWith('_'));

/** Snapshots of CPU seconds per named party; `self` is this benchmark process (load generator, proxy). */
export function cpuMeter(parties: Record<string, (cmdline: string, pid: number) => boolean>) {
  return {
    snapshot(): CpuSnapshot {
      const own = process.cpuUsage();
      const out: CpuSnapshot = { self: (own.user + own.system) / 1e6 };
      for (const [name, matches] of Object.entries(parties)) out[name] = processCpuSeconds(matches);
      // Wall clock, for coresBusy; keys starting with _ are not parties.
      out._wall = performance.now() / 1000;
      return out;
    },
    /** "hub 0.41, postgres 0.12, …": CPU milliseconds per operation between two snapshots. */
    perOperation(a: CpuSnapshot | undefined, b: CpuSnapshot | undefined, operations: number): string {
      if (!a || !b || operations <= 0) return 'not measured';
      const parts = partiesOf(a).map((k) => [k, ((b[k]! - a[k]!) * 1000) / operations] as const);
      const total = parts.reduce((sum, [, ms]) => sum + ms, 0);
      return `${parts.map(([k, ms]) => `${k} ${ms.toFixed(3)}`).join(', ')}; total ${total.toFixed(3)}`;
    },
    /** "worker 0.62, postgres 0.31, …": cores each party kept busy on average between two snapshots. */
    coresBusy(a: CpuSnapshot | undefined, b: CpuSnapshot | undefined): string {
      if (!a || !b || !(b._wall! > a._wall!)) return 'not measured';
      const wall = b._wall! - a._wall!;
      const parts = partiesOf(a).map((k) => [k, (b[k]! - a[k]!) / wall] as const);
      const total = parts.reduce((sum, [, cores]) => sum + cores, 0);
      return `${parts.map(([k, cores]) => `${k} ${cores.toFixed(2)}`).join(', ')}; total ${total.toFixed(2)} of ${availableCores()} cores`;
    },
  };
}

/**
 * One process this run started: other runs on the machine start hubs and workers with the same
 * command line, and a matcher by name would count (or, when they exit, subtract) their CPU too.
 */
export const childOf =
  (child: () => { pid?: number } | undefined) =>
  (_cmdline: string, pid: number): boolean =>
    child()?.pid === pid;

/** The processes every benchmark here shares the cores with. */
export const POSTGRES = (c: string) => c.startsWith('postgres:');
export const TEMPORAL = (c: string) => c.includes('temporal') && c.includes('start-dev');
