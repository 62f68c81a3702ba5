/**
 * Generates, from the API's contract (api/openapi.yaml) and its named queries (lambdas/api/queries):
 * - api/generated/openapi-types.ts: the TypeScript types of the document (openapi-typescript);
 * - api/generated/openapi-document.ts: the parsed document as a module, which the Lambda handler
 *   routes and validates with (esbuild bundles it: nothing to copy next to the bundle);
 * - lambdas/api/queries/sql.generated.ts: the text of every named query file, for the same reason.
 * Run with `npx tsx scripts/generate-api-types.ts`; with `--check` it writes nothing and exits 1
 * naming the files that drifted (test/api/contract.test.ts runs the same comparison).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import openapiTS, { astToString } from 'openapi-typescript';
import * as prettier from 'prettier';
import { parse } from 'yaml';

const ROOT = path.join(__dirname, '..');
export const OPENAPI_PATH = path.join(ROOT, 'api', 'openapi.yaml');
export const GENERATED_TYPES_PATH = path.join(ROOT, 'api', 'generated', 'openapi-types.ts');
export const GENERATED_DOCUMENT_PATH = path.join(ROOT, 'api', 'generated', 'openapi-document.ts');
export const QUERIES_DIR = path.join(ROOT, 'lambdas', 'api', 'queries');
export const GENERATED_SQL_PATH = path.join(QUERIES_DIR, 'sql.generated.ts');

const BANNER = (what: string): string =>
  `/**\n * GENERATED ${what} by scripts/generate-api-types.ts. Do not edit by hand:\n` +
  ` * change the source and run \`npx tsx scripts/generate-api-types.ts\`.\n */\n`;

async function formatTs(text: string): Promise<string> {
  const config = (await prettier.resolveConfig(GENERATED_TYPES_PATH)) ?? {};
  return prettier.format(text, { ...config, parser: 'typescript' });
}

/** The parsed document. */
export function readOpenApiDocument(): Record<string, unknown> {
  return parse(fs.readFileSync(OPENAPI_PATH, 'utf8')) as Record<string, unknown>;
}

/** Every generated file, by path, with its expected text. */
export async function generateApiFiles(): Promise<Record<string, string>> {
  const document = readOpenApiDocument();
  const types = astToString(await openapiTS(document as never, { exportType: false }));
  const sqlFiles = fs
    .readdirSync(QUERIES_DIR)
    .filter((f) => f.endsWith('.sql'))
    .sort();
  const sql = Object.fromEntries(
    sqlFiles.map((f) => [f, fs.readFileSync(path.join(QUERIES_DIR, f), 'utf8')]),
  );
  return {
    [GENERATED_TYPES_PATH]: await formatTs(`${BANNER('from api/openapi.yaml')}\n${types}`),
    [GENERATED_DOCUMENT_PATH]: await formatTs(
      `${BANNER('from api/openapi.yaml')}\n` +
        `/** api/openapi.yaml, parsed. */\n` +
        `export const OPENAPI_DOCUMENT: Record<string, unknown> = ${JSON.stringify(document)};\n`,
    ),
    [GENERATED_SQL_PATH]: await formatTs(
      `${BANNER('from lambdas/api/queries/*.sql')}\n` +
        `/** The text of each named query file, by file name. */\n` +
        `export const QUERY_SQL: Readonly<Record<string, string>> = ${JSON.stringify(sql)};\n`,
    ),
  };
}

/** The generated files whose text on disk differs from what the sources give (empty: in step). */
export async function staleApiFiles(): Promise<string[]> {
  const expected = await generateApiFiles();
  return Object.entries(expected)
    .filter(([file, text]) => !fs.existsSync(file) || fs.readFileSync(file, 'utf8') !== text)
    .map(([file]) => path.relative(ROOT, file));
}

async function main(check: boolean): Promise<void> {
  if (check) {
    const stale = await staleApiFiles();
    if (stale.length > 0) {
      console.error(
        `Generated API files are out of date: ${stale.join(', ')}\nRun: npx tsx scripts/generate-api-types.ts`,
      );
      process.exit(1);
    }
    console.log('generated API files are up to date');
    return;
  }
  const files = await generateApiFiles();
  for (const [file, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
  }
  console.log(
    `wrote ${Object.keys(files)
      .map((f) => path.relative(ROOT, f))
      .join(', ')}`,
  );
}

if (require.main === module) {
  main(process.argv.includes('--check')).catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
