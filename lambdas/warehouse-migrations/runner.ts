/**
 * The schema migration run, as a sequence of Data API submissions that any invocation can resume.
 *
 * A run is named after the CloudFormation request (`<prefix>/<request id>`) and every statement it
 * submits carries a name under it (`<run>/0-bootstrap`, `<run>/1-migration-V003`, `<run>/2-views-1`).
 * {@link advance} rebuilds the run's progress from those names (ListStatements), so it keeps no
 * state of its own: each call finds the first step that has not finished, submits it if nothing of
 * that name exists yet, waits while it runs, throws when it failed, and moves on when it finished.
 * The plan itself is fixed by the bootstrap step, whose last statement reads the applied versions
 * from ops.schema_migrations: every later call reads that same result back (kept 24 hours by the
 * Data API), so the plan does not move while the run applies it.
 *
 * Each migration is ONE batch (one transaction, with the row that records it), so a failed file
 * leaves nothing behind and the next deploy, a new run, resumes at it.
 */
import {
  AppliedMigration,
  MIGRATIONS,
  MIGRATIONS_BOOTSTRAP,
  MIGRATIONS_TABLE,
  MigrationFile,
  VIEWS,
  ViewFile,
  pendingMigrations,
  viewStatements,
  SqlParameters,
} from '../../sql/registry';
import {
  CellValue,
  MAX_BATCH_STATEMENTS,
  MAX_STATEMENT_BYTES,
  StatementDescription,
  StatementSummary,
  WarehouseDataApi,
  isRunning,
} from './data-api';

/** The query that ends the bootstrap batch: what is applied, in version order. */
export const SELECT_APPLIED = `SELECT version, checksum FROM ${MIGRATIONS_TABLE} ORDER BY version`;

/** A unit of work: one Data API batch, one transaction. */
export interface Step {
  /** Statement name: `<run>/<n>-<what>`. */
  readonly name: string;
  readonly kind: 'bootstrap' | 'migration' | 'views';
  readonly sqls: readonly string[];
  /** For each statement of the batch, from 1: the file and the statement's index in it (1-based). */
  readonly origins: readonly StatementOrigin[];
}

/** Where a statement of a batch comes from. */
export interface StatementOrigin {
  /** Path of the file under sql/, or a description of generated statements. */
  readonly file: string;
  /** Its index within the file, from 1. */
  readonly statement: number;
  /** Statements of the file in the batch. */
  readonly of: number;
  /** The runner's INSERT that records the migration in ops.schema_migrations. */
  readonly recording?: boolean;
}

/** What the run reads SQL with, and the lists it applies (the registry's by default). */
export interface RunSources {
  readonly read: (file: string) => string;
  /** The migrations' `{{placeholders}}` (see migrationPlaceholders); the stack sets them. */
  readonly parameters?: SqlParameters;
  readonly migrations?: readonly MigrationFile[];
  readonly views?: readonly ViewFile[];
  readonly now?: () => Date;
}

/** What a call of {@link advance} found. */
export type Progress =
  | { readonly done: false; readonly waitingFor: string; readonly submitted: boolean }
  | {
      readonly done: true;
      readonly applied: readonly number[];
      readonly views: number;
      readonly skipped?: string;
    };

/** The bootstrap step: the migrations table, then the applied versions. */
export function bootstrapStep(run: string): Step {
  const sqls = [...MIGRATIONS_BOOTSTRAP, SELECT_APPLIED];
  return {
    name: `${run}/0-bootstrap`,
    kind: 'bootstrap',
    sqls,
    origins: sqls.map((_, i) => ({
      file: 'the runner bootstrap (sql/registry.ts MIGRATIONS_BOOTSTRAP)',
      statement: i + 1,
      of: sqls.length,
    })),
  };
}

/** The applied migrations from the rows of {@link SELECT_APPLIED}. */
export function appliedFromRows(rows: readonly CellValue[][]): AppliedMigration[] {
  return rows.map((r) => ({ version: Number(r[0]), checksum: String(r[1]).trim() }));
}

/** Versions the database records that the code does not list (the code is older than the database). */
export function unknownVersions(
  applied: readonly AppliedMigration[],
  migrations: readonly MigrationFile[],
): number[] {
  const known = new Set(migrations.map((m) => m.version));
  return applied.map((a) => a.version).filter((v) => !known.has(v));
}

/** Throws when a batch would break a Data API limit; a migration is never split (one transaction). */
export function checkBatch(step: Step): void {
  if (step.sqls.length > MAX_BATCH_STATEMENTS) {
    const file = step.origins[0]?.file ?? step.name;
    throw new Error(
      step.kind === 'migration'
        ? `${file} has ${step.sqls.length - 1} statements, plus the row that records it: ${step.sqls.length}, above the ${MAX_BATCH_STATEMENTS} a Data API batch (one transaction) takes. Split it into two migrations.`
        : `${step.name}: ${step.sqls.length} statements, above the ${MAX_BATCH_STATEMENTS} a Data API batch takes`,
    );
  }
  step.sqls.forEach((sql, i) => {
    const bytes = Buffer.byteLength(sql, 'utf8');
    if (bytes > MAX_STATEMENT_BYTES) {
      const o = step.origins[i];
      throw new Error(
        `${o.file}: statement ${o.statement} is ${bytes} bytes, above the ${MAX_STATEMENT_BYTES} bytes the Data API accepts; split it`,
      );
    }
  });
}

/** One step per pending migration, then the views in batches of at most 40 (each file one statement). */
export function planAfterBootstrap(
  run: string,
  applied: readonly AppliedMigration[],
  sources: RunSources,
): Step[] {
  const migrations = sources.migrations ?? MIGRATIONS;
  const views = sources.views ?? VIEWS;
  const steps: Step[] = pendingMigrations(
    applied,
    migrations,
    sources.read,
    sources.now,
    sources.parameters,
  ).map((p) => {
    const own = p.statements.length - 1;
    return {
      name: `${run}/1-migration-V${String(p.migration.version).padStart(3, '0')}`,
      kind: 'migration' as const,
      sqls: p.statements,
      origins: p.statements.map((_, i) =>
        i < own
          ? { file: `sql/${p.migration.file}`, statement: i + 1, of: own }
          : { file: `sql/${p.migration.file}`, statement: i + 1, of: own, recording: true },
      ),
    };
  });
  // Drops (dependents first) then creates: see viewStatements. One schema's views at a time (no
  // view reads another schema's views: a test holds sql/ to it), so each schema's replacement is one
  // batch, one transaction, while it has up to 20 views; past that, its statements take several.
  let batch = 0;
  for (const schema of [...new Set(views.map((v) => v.name.split('.')[0]))]) {
    const viewSqls = viewStatements(
      views.filter((v) => v.name.split('.')[0] === schema),
      sources.read,
    );
    for (let i = 0; i < viewSqls.length; i += MAX_BATCH_STATEMENTS) {
      const chunk = viewSqls.slice(i, i + MAX_BATCH_STATEMENTS);
      batch += 1;
      steps.push({
        name: `${run}/2-views-${batch}`,
        kind: 'views',
        sqls: chunk.map((c) => c.sql),
        origins: chunk.map((c) => ({ file: `sql/${c.file}`, statement: 1, of: 1 })),
      });
    }
  }
  steps.forEach(checkBatch);
  return steps;
}

/**
 * The error of a failed step: the file, the statement's index in it (1-based) and Redshift's
 * message, and what happened to the rest.
 */
export function failureMessage(step: Step, d: StatementDescription): string {
  const failed = d.subStatements.find((s) => s.status === 'FAILED' || s.status === 'ABORTED');
  const redshift = failed?.error ?? d.error ?? `statement ${d.status.toLowerCase()} without an error message`;
  const origin = failed ? step.origins[failed.index - 1] : undefined;
  const where =
    origin === undefined
      ? `${step.name}`
      : origin.recording
        ? `${origin.file}, recording it in ${MIGRATIONS_TABLE} (after its ${origin.of} statements)`
        : `${origin.file}, statement ${origin.statement} of ${origin.of}`;
  const after =
    step.kind === 'migration'
      ? 'The file ran in one transaction: nothing of it was applied. Fix the file and deploy again; the run resumes at it.'
      : step.kind === 'views'
        ? 'The views of this batch were rolled back; the migrations before them are applied.'
        : 'Nothing was applied.';
  return `Warehouse migration failed in ${where}: ${redshift}. ${after} (Data API statement ${d.id})`;
}

/** The newest statement of each name. */
function byName(statements: readonly StatementSummary[]): Map<string, StatementSummary> {
  const map = new Map<string, StatementSummary>();
  for (const s of statements) {
    const seen = map.get(s.name);
    if (!seen || (s.createdAt && seen.createdAt && s.createdAt > seen.createdAt)) map.set(s.name, s);
  }
  return map;
}

/**
 * Does the next thing the run `run` needs: submits the first step that has no statement yet,
 * or reports the one still running, or throws the failure of a failed one. `done` when every step
 * finished. Call it again (isComplete) until it is done.
 *
 * @param onCreate the run of a Create event: a database ahead of the code is an error then; on an
 *   Update (a rollback to older code, typically) the run applies nothing and reports why.
 */
export async function advance(
  api: WarehouseDataApi,
  run: string,
  sources: RunSources,
  onCreate = false,
): Promise<Progress> {
  const existing = byName(await api.listByName(`${run}/`));
  const boot = bootstrapStep(run);
  const bootState = await stepState(api, boot, existing);
  if (bootState.kind !== 'finished') return bootState.progress;

  const applied = appliedFromRows(await api.records(`${bootState.id}:${boot.sqls.length}`));
  const unknown = unknownVersions(applied, sources.migrations ?? MIGRATIONS);
  if (unknown.length > 0) {
    const why = `${MIGRATIONS_TABLE} records version(s) ${unknown.join(', ')}, which this code's sql/registry.ts does not list: the database is ahead of the code`;
    if (onCreate) throw new Error(`${why}; deploy the newer code.`);
    return {
      done: true,
      applied: [],
      views: 0,
      skipped: `${why} (a rollback to older code?); nothing was applied`,
    };
  }
  const steps = planAfterBootstrap(run, applied, sources);
  for (const step of steps) {
    const state = await stepState(api, step, existing);
    if (state.kind !== 'finished') return state.progress;
  }
  return {
    done: true,
    applied: steps.filter((s) => s.kind === 'migration').map((s) => Number(/V(\d+)$/.exec(s.name)?.[1])),
    views: steps
      .filter((s) => s.kind === 'views')
      .reduce((n, s) => n + s.sqls.filter((q) => !q.startsWith('DROP VIEW')).length, 0),
  };
}

type StepState = { kind: 'finished'; id: string } | { kind: 'pending'; progress: Progress };

async function stepState(
  api: WarehouseDataApi,
  step: Step,
  existing: Map<string, StatementSummary>,
): Promise<StepState> {
  const found = existing.get(step.name);
  if (found === undefined) {
    checkBatch(step);
    await api.batch(step.sqls, step.name);
    return { kind: 'pending', progress: { done: false, waitingFor: step.name, submitted: true } };
  }
  if (isRunning(found.status))
    return { kind: 'pending', progress: { done: false, waitingFor: step.name, submitted: false } };
  if (found.status === 'FINISHED') return { kind: 'finished', id: found.id };
  throw new Error(failureMessage(step, await api.describe(found.id)));
}
