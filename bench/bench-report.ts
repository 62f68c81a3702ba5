/**
 * What the load benchmarks (bench/api-load-bench.ts, bench/realtime-freshness-bench.ts) report alike:
 * latency percentiles by nearest rank, the machine a run was made on, and the CPU its processes used.
 */
import { cpus, loadavg, totalmem } from 'node:os';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

/** Percentiles of a latency, in milliseconds. */
export interface LatencyStats {
  readonly count: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
  readonly mean: number;
}

/** Nearest-rank percentiles: p is the smallest value with at least p of the values at or below it. */
export function latencyStats(values: ArrayLike<number>): LatencyStats {
  const xs = Float64Array.from(values).sort();
  const n = xs.length;
  if (n === 0) return { count: 0, p50: NaN, p90: NaN, p99: NaN, max: NaN, mean: NaN };
  const q = (p: number): number => xs[Math.min(n - 1, Math.max(0, Math.ceil(p * n) - 1))];
  let sum = 0;
  for (const x of xs) sum += x;
  return { count: n, p50: q(0.5), p90: q(0.9), p99: q(0.99), max: xs[n - 1], mean: sum / n };
}

/** The machine of a run. */
export interface MachineFacts {
  readonly cpus: number;
  readonly model: string;
  readonly memoryGiB: number;
  readonly node: string;
  readonly loadAverageBefore: readonly number[];
  readonly loadAverageAfter: readonly number[];
}

const hundredths = (xs: readonly number[]): number[] => xs.map((x) => Math.round(x * 100) / 100);

/** This machine, with the load average taken before the run and now (its end). */
export function machineFacts(loadAverageBefore: readonly number[]): MachineFacts {
  return {
    cpus: cpus().length,
    model: cpus()[0]?.model?.trim() || 'unknown CPU',
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    loadAverageBefore: hundredths(loadAverageBefore),
    loadAverageAfter: hundredths(loadavg()),
  };
}

/** Clock ticks a second of /proc's CPU times (Linux's USER_HZ, 100 on every mainstream architecture). */
const USER_HZ = 100;

/** A reading of the CPU time spent so far by the machine and by some processes (Linux, /proc). */
export interface CpuReading {
  /** Wall clock of the reading (ms, performance.now()). */
  readonly at: number;
  /** CPU seconds of the machine's cores: busy (not idle or waiting on I/O), and in all. */
  readonly machineBusy: number;
  readonly machineTotal: number;
  /** CPU seconds (user and system) of each named process, all its threads. */
  readonly processes: Readonly<Record<string, number>>;
}

/** Where the CPU went between two readings: cores busy on average, for the machine and each process. */
export interface CpuUse {
  readonly seconds: number;
  readonly cores: number;
  readonly machineBusyCores: number;
  readonly processCores: Readonly<Record<string, number>>;
}

function processCpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces; utime and stime are the 12th and 13th fields after it.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / USER_HZ;
  } catch {
    return undefined;
  }
}

/** Reads the machine's and the named processes' CPU time; undefined where /proc is not available. */
export function readCpu(pids: Readonly<Record<string, number>>): CpuReading | undefined {
  let line: string;
  try {
    line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
  } catch {
    return undefined;
  }
  // cpu  user nice system idle iowait irq softirq steal ...
  const t = line.trim().split(/\s+/).slice(1, 9).map(Number);
  const total = t.reduce((a, b) => a + b, 0);
  const processes: Record<string, number> = {};
  for (const [name, pid] of Object.entries(pids)) {
    const s = processCpuSeconds(pid);
    if (s !== undefined) processes[name] = s;
  }
  return {
    at: performance.now(),
    machineBusy: (total - t[3] - t[4]) / USER_HZ,
    machineTotal: total / USER_HZ,
    processes,
  };
}

/** The CPU use between two readings of {@link readCpu}. */
export function cpuUseBetween(a: CpuReading, b: CpuReading): CpuUse {
  const seconds = (b.at - a.at) / 1000;
  const cores = cpus().length;
  const span = b.machineTotal - a.machineTotal;
  const processCores: Record<string, number> = {};
  for (const [name, s] of Object.entries(b.processes)) {
    const before = a.processes[name];
    if (before !== undefined && seconds > 0) processCores[name] = (s - before) / seconds;
  }
  return {
    seconds,
    cores,
    machineBusyCores: span > 0 ? ((b.machineBusy - a.machineBusy) / span) * cores : 0,
    processCores,
  };
}
