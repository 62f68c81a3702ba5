/**
 * Curation benchmark: a month of the orders stream at scale 1 (about 5M order lines) from raw GZIP JSON
 * Lines in the raw zone to curated Parquet, by the real Glue job (glue-scripts/jobs/raw_events_to_curated.py
 * `main()`) on local Spark with this machine's cores.
 *
 *   npx tsx bench/curation-bench.ts                      # the month (generated once, then cached in .bench/curation)
 *   npx tsx bench/curation-bench.ts --scale 0.01 --days 7 --source-days 3   # a quick run
 *
 * Steps: (1) the input (bench/curation-input.ts: simulated days plus re-dated copies, cached); (2) a fresh
 * curated root; (3) the job as a child process, timed, with the peak RSS of its whole process tree (the
 * Python driver and the JVM) sampled from /proc every 200 ms; (4) checks that the run report reconciles
 * and that its counts match the input, and (untimed) that the curated order.created rows carry every
 * order line. Prints the figures; docs/benchmarks.md records them.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { formatCount, formatTable } from '../generator/terminal';
import { INPUT_CLI_OPTIONS, describeInput, inputOptionsOf, prepareInput } from './curation-input';

const REPO = resolve(__dirname, '..');
const PYTHON = join(REPO, '.venv', 'bin', 'python');
const JOB = join(REPO, 'glue-scripts', 'jobs', 'raw_events_to_curated.py');

/** What a process is, for the memory breakdown: the JVM, the Python driver or workers, other. */
function processKind(pid: number): string {
  let exe = '';
  try {
    exe = basename(readlinkSync(`/proc/${pid}/exe`));
  } catch {
    // the process ended meanwhile, or is not ours to read
  }
  if (exe === 'java') return 'JVM (java)';
  if (exe.startsWith('python')) return 'Python (driver, pyspark workers)';
  return 'other (shells, helpers)';
}

/** Peak resident memory of a process tree, sampled from /proc (the peak of the sum, and per kind). */
class TreeRssSampler {
  peakBytes = 0;
  peakByCommand: Record<string, number> = {};
  private timer?: NodeJS.Timeout;
  private readonly pageSize = 4096;

  constructor(private readonly rootPid: number) {}

  start(intervalMs = 200): void {
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** The pids of the tree (the root and every descendant). */
  private tree(): number[] {
    const children = new Map<number, number[]>();
    for (const name of readdirSync('/proc')) {
      if (!/^\d+$/.test(name)) continue;
      try {
        const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        const list = children.get(ppid) ?? [];
        list.push(Number(name));
        children.set(ppid, list);
      } catch {
        // the process ended meanwhile
      }
    }
    const out: number[] = [];
    const stack = [this.rootPid];
    while (stack.length > 0) {
      const pid = stack.pop()!;
      out.push(pid);
      stack.push(...(children.get(pid) ?? []));
    }
    return out;
  }

  private sample(): void {
    let total = 0;
    const byCommand: Record<string, number> = {};
    for (const pid of this.tree()) {
      try {
        const rss = Number(readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]) * this.pageSize;
        const comm = processKind(pid);
        total += rss;
        byCommand[comm] = (byCommand[comm] ?? 0) + rss;
      } catch {
        // the process ended meanwhile
      }
    }
    if (total > this.peakBytes) this.peakBytes = total;
    for (const [k, v] of Object.entries(byCommand))
      this.peakByCommand[k] = Math.max(this.peakByCommand[k] ?? 0, v);
  }
}

/** The job's run report (the parts checked here). */
interface RunReport {
  reconciled: boolean;
  totals: { read: number; written: number; deduplicated: number; quarantined: number };
  datasets: Record<
    string,
    { read: number; written: number; deduplicated: number; quarantined: Record<string, number> }
  >;
  unrouted: { read: number };
  files: { new: number };
}

const MIB = 1024 * 1024;

function loadText(): string {
  return loadavg()
    .map((x) => x.toFixed(2))
    .join(', ');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      ...INPUT_CLI_OPTIONS,
      master: { type: 'string', default: 'local[2]' },
      'driver-memory': { type: 'string', default: '8g' },
      'keep-output': { type: 'boolean', default: false },
      'skip-lines-check': { type: 'boolean', default: false },
      // extra Spark settings, e.g. --conf spark.eventLog.enabled=true --conf spark.eventLog.dir=/tmp/ev
      conf: { type: 'string', multiple: true, default: [] },
    },
  });
  const cache = resolve(values.cache!);
  const { conf: sparkConf, ...inputValues } = values;
  const o = inputOptionsOf(inputValues);
  const cpu = cpus();
  console.log(
    `machine: ${cpu.length} CPUs (${cpu[0]?.model.trim()}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB, ` +
      `Node.js ${process.version}; load average ${loadText()}`,
  );

  // 1. The input.
  const input = await prepareInput(o, cache);
  const m = input.manifest;
  console.log(`input (${input.cached ? 'cached' : 'generated'}): ${input.raw}`);
  console.log(`  ${describeInput(m)}`);
  console.log(
    `  ${o.sourceDays} days simulated at scale ${o.scale} (${m.source.manifest.segments.length} timelines), ` +
      `${m.copies} copies re-dated to fill ${o.days} days from ${o.start}`,
  );
  console.log(
    `  by event type: ${Object.entries(m.totals.byEventType)
      .sort()
      .map(([k, v]) => `${k} ${formatCount(v)}`)
      .join(', ')}`,
  );

  // 2. A fresh curated root.
  const runId = `bench-${new Date().toISOString().replace(/[-:.]/g, '')}`;
  const curated = join(cache, 'curated-run');
  rmSync(curated, { recursive: true, force: true });

  // 3. The job.
  const confs = (sparkConf ?? []).map((c) => `--conf ${c}`).join(' ');
  const submit = `--master ${values.master} --driver-memory ${values['driver-memory']} ${confs ? `${confs} ` : ''}pyspark-shell`;
  const loadBefore = loadText();
  console.log(`\nrunning the job (PYSPARK_SUBMIT_ARGS="${submit}"); load average before ${loadBefore}`);
  const started = process.hrtime.bigint();
  const child = spawn(PYTHON, [JOB, '--raw-root', input.raw, '--curated-root', curated, '--run-id', runId], {
    cwd: REPO,
    env: { ...process.env, PYSPARK_SUBMIT_ARGS: submit },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const sampler = new TreeRssSampler(child.pid!);
  sampler.start(200);
  let stderrTail = '';
  child.stdout.resume(); // the report is read from its file
  child.stderr.on('data', (d: Buffer) => {
    stderrTail = (stderrTail + d.toString()).slice(-8000);
  });
  const code: number = await new Promise((res) => child.on('exit', (c) => res(c ?? 1)));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  sampler.stop();
  const loadAfter = loadText();
  if (code !== 0) {
    console.error(stderrTail);
    throw new Error(`the job exited with ${code}`);
  }

  // 4. Checks.
  const report = JSON.parse(
    readFileSync(join(curated, '_state', 'raw_events_to_curated', 'runs', `${runId}.json`), 'utf8'),
  ) as RunReport;
  const t = m.totals;
  const orderEvents = Object.entries(t.byEventType)
    .filter(([k]) => k.startsWith('order.'))
    .reduce((a, [, v]) => a + v, 0);
  const checks: [string, boolean][] = [
    ['run report reconciles (read = written + quarantined + deduplicated)', report.reconciled],
    [`events read = events in the input (${formatCount(t.events)})`, report.totals.read === t.events],
    [`files read = files in the input (${formatCount(t.files)})`, report.files.new === t.files],
    [
      `order_events read = order.* events in the input (${formatCount(orderEvents)})`,
      report.datasets.order_events?.read === orderEvents,
    ],
    [
      `product_metadata_events read = product.metadata_updated in the input`,
      (report.datasets.product_metadata_events?.read ?? 0) ===
        (t.byEventType['product.metadata_updated'] ?? 0),
    ],
  ];
  if (o.badShare === 0)
    checks.push(['every event written (no bad records in the input)', report.totals.written === t.events]);
  let curatedLines: number | undefined;
  if (!values['skip-lines-check']) {
    const py = [
      'import sys; from pyspark.sql import SparkSession, functions as F',
      "s = SparkSession.builder.master('local[2]').config('spark.ui.enabled','false').getOrCreate()",
      "d = s.read.parquet(sys.argv[1]).where(F.col('event_type') == 'order.created')",
      "print(d.select(F.sum(F.size('lines'))).first()[0])",
    ].join('\n');
    const r = spawnSync(PYTHON, ['-c', py, join(curated, 'curated', 'order_events')], { encoding: 'utf8' });
    curatedLines = Number(r.stdout.trim().split('\n').pop());
    checks.push([
      `order lines in curated order.created rows = order lines in the input (${formatCount(t.orderLines)})`,
      curatedLines === t.orderLines,
    ]);
  }

  const peak = sampler.peakBytes;
  console.log(`\njob finished in ${seconds.toFixed(1)} s; load average after ${loadAfter}\n`);
  console.log(
    formatTable(
      ['measure', 'value'],
      [
        ['wall time of the job (process start to exit)', `${seconds.toFixed(1)} s`],
        ['events read', formatCount(report.totals.read)],
        ['events written (curated rows)', formatCount(report.totals.written)],
        [
          'quarantined / deduplicated',
          `${formatCount(report.totals.quarantined)} / ${formatCount(report.totals.deduplicated)}`,
        ],
        ['events read per second', formatCount(report.totals.read / seconds)],
        ['rows written per second', formatCount(report.totals.written / seconds)],
        ['order lines per second', formatCount(t.orderLines / seconds)],
        ['input MB (JSON) per second', (t.rawBytes / 1e6 / seconds).toFixed(1)],
        ['peak RSS of the process tree', `${formatCount(peak / MIB)} MiB`],
        ...Object.entries(sampler.peakByCommand)
          .sort((a, b) => b[1] - a[1])
          .map(([k, v]): [string, string] => [`  peak RSS of ${k}`, `${formatCount(v / MIB)} MiB`]),
        [
          'target: under 3 minutes',
          seconds < 180
            ? `met (${(180 - seconds).toFixed(0)} s to spare)`
            : `missed by ${(seconds - 180).toFixed(0)} s`,
        ],
      ],
      [undefined, 'right'],
    ),
  );
  console.log('\nchecks:');
  for (const [what, ok] of checks) console.log(`  ${ok ? '✓' : '✗'} ${what}`);
  if (!values['keep-output'] && existsSync(curated)) rmSync(curated, { recursive: true, force: true });
  if (checks.some(([, ok]) => !ok)) process.exitCode = 1;
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : err);
    process.exitCode = 1;
  });
}
