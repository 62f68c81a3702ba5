/**
 * The demo's lake step: the sources of the lake beside the streams, then the lake's Glue workflow.
 *
 * - the OLTP source: a throwaway PostgreSQL seeded by the generator with the same shop (customers,
 *   products, campaigns, warehouses, and the order headers of the simulated days);
 * - the DynamoDB document tables the transformers filled, exported to the raw zone in AWS's layout;
 * - the partners' drops: campaign spend (CSV) and payment settlements (JSON lines) of the same days,
 *   and the bad files a partner sends one day (a missing column, a wrong type, a malformed line...);
 *
 * then every job of glue-scripts/workflow.json through its real main() on local PySpark, in the
 * workflow's order (glue-scripts/run_workflow.py), and the per-dataset report an operator reads.
 */
import { relative } from 'node:path';
import { Shop, generateEvents } from '../generator';
import { formatCount, formatTable } from '../generator/terminal';
import {
  BadDrop,
  campaignSpend,
  paymentSettlements,
  writeBadThirdPartyDrops,
  writeThirdPartyDrops,
} from '../generator/third-party';
import { exportDocumentTables } from '../twin/dynamodb-export';
import { WorkflowReport, runLakeWorkflow } from '../twin/lake-workflow';
import type { LocalTwin } from '../twin/local-twin';
import { oltpSourceArgs } from '../twin/oltp/extraction-job';
import { startPostgres } from '../twin/oltp/postgres-server';
import { OltpCounts, seedOltp } from '../twin/oltp/seed';

export interface LakeStepOptions {
  readonly twin: LocalTwin;
  /** The simulated shop (the same options the streams were generated with). */
  readonly shop: {
    readonly scale: number;
    readonly seed: number;
    readonly days: number;
    readonly startMs?: number;
  };
  readonly badShare: number;
  /** The folder standing in for the curated bucket. */
  readonly curatedRoot: string;
  readonly runId: string;
}

/** What the lake step did and the workflow's report. */
export interface LakeStepResult {
  readonly curatedRoot: string;
  readonly sources: {
    readonly oltpRows: OltpCounts;
    readonly documentExports: Readonly<Record<string, number>>;
    readonly drops: { readonly files: number; readonly bad: readonly Pick<BadDrop, 'kind' | 'expect'>[] };
  };
  readonly workflow: WorkflowReport;
  /** What does not hold: a job that failed or did not reconcile. */
  readonly problems: readonly string[];
}

/** Runs the lake step; the PostgreSQL server is stopped whatever happens. */
export async function runLakeStep(o: LakeStepOptions): Promise<LakeStepResult> {
  const shop = o.shop;
  const pg = await startPostgres();
  try {
    console.log(`  OLTP source: PostgreSQL on ${pg.host}:${pg.port}, seeding the shop's entities…`);
    const oltpRows = await seedOltp(pg.url, shop);
    console.log(
      `    ${Object.entries(oltpRows)
        .map(([t, n]) => `${t} ${formatCount(n)}`)
        .join(', ')}`,
    );
    const exports = await exportDocumentTables(o.twin.dynamo, o.twin.prefix, o.twin.lakeRoot);
    const documentExports = Object.fromEntries(Object.entries(exports).map(([t, e]) => [t, e.itemCount]));
    console.log(
      `  DynamoDB exports to raw dynamodb/: ${Object.entries(documentExports)
        .map(([t, n]) => `${t} ${formatCount(n)}`)
        .join(', ')} items`,
    );
    const spend = campaignSpend(shop);
    const settlements = paymentSettlements(generateEvents({ ...shop, badShare: o.badShare }), {
      seed: shop.seed,
    });
    const good = writeThirdPartyDrops(o.twin.lakeRoot, { campaignSpend: spend, settlements });
    const lastDay = new Date(new Shop(shop).startMs + shop.days * 86_400_000).toISOString().slice(0, 10);
    const bad = writeBadThirdPartyDrops(o.twin.lakeRoot, lastDay, { campaignSpend: spend, settlements });
    console.log(
      `  Partner drops to raw third-party/: ${good.length} file(s) (${formatCount(spend.length)} spend rows, ${formatCount(settlements.length)} settlements) and ${bad.length} bad file(s): ${bad.map((b) => b.kind).join(', ')}`,
    );
    console.log('  Lake workflow (glue-scripts/workflow.json) on local PySpark:');
    const workflow = await runLakeWorkflow({
      rawRoot: o.twin.lakeRoot,
      curatedRoot: o.curatedRoot,
      runId: o.runId,
      jobArgs: { oltp_to_curated: oltpSourceArgs(pg).args },
      env: oltpSourceArgs(pg).env,
      onLine: (line) => {
        if (line.startsWith('[workflow]')) console.log(`    ${line.slice('[workflow] '.length)}`);
      },
    });
    const problems: string[] = [];
    for (const [job, outcome] of Object.entries(workflow.jobs)) {
      if (outcome.state !== 'SUCCEEDED')
        problems.push(`lake: ${job} ${outcome.state}: ${outcome.error ?? outcome.reason ?? ''}`);
      else if (outcome.report?.reconciled !== true) problems.push(`lake: ${job} did not reconcile`);
    }
    return {
      curatedRoot: o.curatedRoot,
      sources: {
        oltpRows,
        documentExports,
        drops: { files: good.length + bad.length, bad: bad.map((b) => ({ kind: b.kind, expect: b.expect })) },
      },
      workflow,
      problems,
    };
  } finally {
    await pg.stop();
  }
}

interface DatasetLine {
  readonly read?: number;
  readonly written?: number;
  readonly deduplicated?: number;
  readonly quarantined?: Readonly<Record<string, number>>;
  readonly gates?: {
    readonly passed?: readonly unknown[];
    readonly failed?: Readonly<Record<string, unknown>>;
  };
}

/** How a job checks its rows, for the gates column when it has no partition gates. */
const ROW_CHECKS: Readonly<Record<string, string>> = {
  oltp_to_curated: 'row rules (contract)',
  dynamodb_documents_to_curated: 'row rules (contract)',
};

function gatesText(job: string, d: DatasetLine): string {
  if (d.gates === undefined) return ROW_CHECKS[job] ?? '';
  const failed = Object.keys(d.gates.failed ?? {});
  const passed = d.gates.passed?.length ?? 0;
  return failed.length === 0
    ? `passed (${passed} partition${passed === 1 ? '' : 's'})`
    : `FAILED: ${failed.join(', ')}`;
}

function reasons(q: Readonly<Record<string, number>> | undefined): string {
  const entries = Object.entries(q ?? {}).filter(([, n]) => n > 0);
  return entries.map(([code, n]) => `${code} ${n}`).join(', ') || '0';
}

/** Prints per job and dataset: rows read, written, deduplicated, quarantined by reason, and the gates. */
export function printLakeStep(r: LakeStepResult): void {
  console.log(
    `\nCurated zone (workflow run '${r.workflow.run_id}', Parquet under ${relative(process.cwd(), r.curatedRoot)}/curated)`,
  );
  const rows: (string | number)[][] = [];
  let read = 0;
  let accounted = 0;
  for (const [job, outcome] of Object.entries(r.workflow.jobs)) {
    if (outcome.state !== 'SUCCEEDED') {
      rows.push([job, '', '', '', '', '', `${outcome.state}: ${outcome.error ?? outcome.reason ?? ''}`]);
      continue;
    }
    const datasets = (outcome.report?.datasets ?? {}) as Record<string, DatasetLine>;
    for (const [name, d] of Object.entries(datasets)) {
      const q = Object.values(d.quarantined ?? {}).reduce((a, b) => a + b, 0);
      read += d.read ?? 0;
      accounted += (d.written ?? 0) + q + (d.deduplicated ?? 0);
      rows.push([
        job,
        name,
        d.read ?? 0,
        d.written ?? 0,
        d.deduplicated ?? 0,
        reasons(d.quarantined),
        gatesText(job, d),
      ]);
    }
    // Flat datasets derived from what the job published (for the warehouse's COPY): not read, so
    // outside the read = written + ... line, and reconciled against their source by the job.
    const derived = (outcome.report?.derived ?? {}) as Record<
      string,
      { from: string; written: number; expected?: number; reconciled?: boolean }
    >;
    for (const [name, d] of Object.entries(derived)) {
      rows.push([
        job,
        `${name} (from ${d.from})`,
        '',
        d.written,
        '',
        '',
        d.reconciled === false ? `✗ expected ${d.expected}` : 'derived, reconciled',
      ]);
    }
    const unrouted = outcome.report?.unrouted as DatasetLine | undefined;
    if (unrouted !== undefined && (unrouted.read ?? 0) > 0) {
      const q = Object.values(unrouted.quarantined ?? {}).reduce((a, b) => a + b, 0);
      read += unrouted.read ?? 0;
      accounted += q;
      rows.push([job, '(unrouted)', unrouted.read ?? 0, 0, 0, reasons(unrouted.quarantined), '']);
    }
  }
  console.log(
    formatTable(
      ['job', 'dataset', 'read', 'written', 'deduplicated', 'quarantined (by reason)', 'quality gates'],
      rows,
    ),
  );
  console.log(
    `  read ${formatCount(read)} = written + quarantined + deduplicated ${formatCount(accounted)} ` +
      (r.problems.length === 0 && read === accounted ? '✓' : `✗ ${r.problems.join('; ')}`),
  );
}
