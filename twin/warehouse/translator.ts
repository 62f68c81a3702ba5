/**
 * The warehouse SQL of sql/ (Redshift dialect) as DuckDB SQL, through twin/warehouse/translate.py
 * (sqlglot, the one place where Redshift-only syntax is handled). All statements go to one Python
 * run, so a twin run pays the translator's start-up once.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runPythonScript } from '../glue-job';

/** One statement, translated. */
export interface TranslatedStatement {
  /** The Redshift statement as written in sql/. */
  readonly redshift: string;
  /** The statement in the dialect asked for (DuckDB, or PostgreSQL for the warehouse benchmark). */
  readonly translated: string;
  /** Set for a COPY: its target table and source folder (a placeholder until rendered). */
  readonly copy?: { readonly table: string; readonly source: string };
}

interface Result {
  readonly sql?: string;
  readonly error?: string;
  readonly copy?: { table: string; source: string };
}

/** Where a statement comes from, for error messages. */
export interface StatementSource {
  readonly file: string;
  /** 1-based position of the statement in its file. */
  readonly index: number;
  readonly sql: string;
}

async function runTranslator(
  sources: readonly StatementSource[],
  mode: 'duckdb' | 'check' | 'postgres',
  kinesisSchemas: readonly string[] = [],
): Promise<Result[]> {
  const dir = await mkdtemp(join(tmpdir(), 'sql-translate-'));
  try {
    const input = join(dir, 'in.json');
    const output = join(dir, 'out.json');
    await writeFile(input, JSON.stringify(sources.map((s) => s.sql)));
    const run = await runPythonScript({
      script: join('twin', 'warehouse', 'translate.py'),
      args: [
        input,
        output,
        ...(mode === 'duckdb' ? [] : [`--${mode}`]),
        ...(kinesisSchemas.length > 0 ? [`--kinesis-schemas=${kinesisSchemas.join(',')}`] : []),
      ],
    });
    if (run.code !== 0) {
      throw new Error(
        `The SQL translator failed (exit ${run.code}):\n${run.tail.slice(-20).join('\n')}\nRun it alone: ${run.commandLine}`,
      );
    }
    return JSON.parse(await readFile(output, 'utf8')) as Result[];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function failures(sources: readonly StatementSource[], results: readonly Result[], what: string): string[] {
  return results.flatMap((r, i) =>
    r.error === undefined
      ? []
      : [`sql/${sources[i].file}, statement ${sources[i].index}: ${what}: ${r.error}`],
  );
}

/**
 * Translates every statement; throws one error listing every statement that fails, by file and
 * position. `kinesisSchemas`: the schemas earlier runs saw declared FROM KINESIS (a materialized
 * view over one of their relations is a streaming MV; see translate.py).
 */
export async function translateStatements(
  sources: readonly StatementSource[],
  dialect: 'duckdb' | 'postgres' = 'duckdb',
  kinesisSchemas: readonly string[] = [],
): Promise<TranslatedStatement[]> {
  if (sources.length === 0) return [];
  const results = await runTranslator(sources, dialect, kinesisSchemas);
  const errors = failures(
    sources,
    results,
    `cannot be translated to ${dialect === 'duckdb' ? 'DuckDB' : 'PostgreSQL'}`,
  );
  if (errors.length > 0) throw new Error(errors.join('\n'));
  return results.map((r, i) => ({ redshift: sources[i].sql, translated: r.sql ?? '', copy: r.copy }));
}

/** The statements that do not parse as Redshift SQL, as messages (empty: all parse). */
export async function redshiftParseErrors(sources: readonly StatementSource[]): Promise<string[]> {
  if (sources.length === 0) return [];
  return failures(sources, await runTranslator(sources, 'check'), 'does not parse as Redshift SQL');
}
