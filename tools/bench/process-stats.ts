import { readdirSync, readFileSync } from 'node:fs';

const PAGE_TICKS = 100; // USER_HZ: /proc reports CPU time in 1/100 s on Linux.

/** Resident memory of a process in MiB, from /proc (undefined when it has gone). */
export function rssMiB(pid: number): number | undefined {
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8')
      .split('\n')
      .find((l) => l.startsWith('VmRSS:'));
    return line ? Math.round(Number(line.replace(/\D+/g, '')) / 1024) : undefined;
  } catch {
    return undefined;
  }
}

/** CPU time (user + system) a process has used so far, in milliseconds. */
export function cpuMs(pid: number): number {
  try {
    // Fields after the command name, which is in parentheses and may contain spaces.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / PAGE_TICKS;
  } catch {
    return 0;
  }
}

/** Samples a process's RSS every `everyMs` until stopped; returns the peak seen. */
export function watchPeakRss(pid: number, everyMs = 250): { stop(): number } {
  let peak = rssMiB(pid) ?? 0;
  const timer = setInterval(() => {
    peak = Math.max(peak, rssMiB(pid) ?? 0);
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, rssMiB(pid) ?? 0);
    },
  };
}

/** Ids of the processes whose command name is `comm` (e.g. every PostgreSQL backend). */
export function pidsNamed(comm: string): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === comm) out.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

export type CpuGroups = Record<string, () => number[]>;

/**
 * CPU seconds each group of processes used between start and stop: where the machine's time
 * went during a run. Processes that exit meanwhile lose their share (only live ones are read).
 */
export function measureCpu(groups: CpuGroups): { stop(): Record<string, number> } {
  const read = () => Object.fromEntries(Object.entries(groups).map(([name, pids]) => [name, pids().reduce((n, pid) => n + cpuMs(pid), 0)]));
  const before = read();
  return {
    stop() {
      const after = read();
      return Object.fromEntries(Object.keys(groups).map((k) => [k, Math.round(((after[k] ?? 0) - (before[k] ?? 0)) / 100) / 10]));
    },
  };
}
