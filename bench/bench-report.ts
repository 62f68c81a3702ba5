/**
 * What the load benchmarks (bench/api-load-bench.ts, bench/realtime-freshness-bench.ts) report alike:
 * latency percentiles by nearest rank, and the machine a run was made on.
 */
import { cpus, loadavg, totalmem } from 'node:os';

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
