import { cpus } from 'node:os';
import { CpuReading, cpuUseBetween, readCpu } from '../../bench/bench-report';

describe('CPU readings of the load benchmarks', () => {
  test('cores busy are the CPU seconds spent over the wall seconds, the machine scaled to its cores', () => {
    const a: CpuReading = {
      at: 1_000,
      machineBusy: 100,
      machineTotal: 400,
      processes: { bench: 10, dynalite: 5 },
    };
    const b: CpuReading = {
      at: 11_000, // 10 s later
      machineBusy: 115, // 15 of the 20 CPU seconds the machine's cores had
      machineTotal: 420,
      processes: { bench: 21, dynalite: 11, gone: 3 },
    };
    const use = cpuUseBetween(a, b);
    expect(use.seconds).toBe(10);
    expect(use.cores).toBe(cpus().length);
    expect(use.machineBusyCores).toBeCloseTo(0.75 * cpus().length, 10);
    // a process missing from the first reading is left out, not counted from zero
    expect(use.processCores).toEqual({ bench: 1.1, dynalite: 0.6 });
  });

  test('a reading of this process sees the CPU it spends (Linux /proc)', () => {
    const before = readCpu({ me: process.pid, missing: 2 ** 22 + 1 });
    if (!before) return; // not Linux: nothing to read
    let x = 0;
    const until = Date.now() + 200;
    while (Date.now() < until) x += Math.sqrt(x + 1);
    const after = readCpu({ me: process.pid })!;
    expect(x).toBeGreaterThan(0);
    expect(before.processes).not.toHaveProperty('missing');
    expect(after.processes.me).toBeGreaterThan(before.processes.me);
    expect(after.machineBusy).toBeGreaterThan(before.machineBusy);
    expect(after.machineTotal).toBeGreaterThanOrEqual(after.machineBusy);
  });
});
