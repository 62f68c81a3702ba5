/**
 * Generates contracts/generated/types.ts (TypeScript types), contracts/generated/flat/*.json (one
 * self-contained schema per contract, for the Python side) and contracts/generated/glue-columns.json
 * (the Glue catalog column types of every contract, lib/lake/glue-types.ts) from the JSON Schemas in
 * contracts/schemas.
 * Run with `npm run contracts:generate`; test/contracts/generated-types.test.ts fails when the
 * committed file and the schemas drift apart.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { compile } from 'json-schema-to-typescript';
import { CONTRACTS, ContractName } from '../contracts/registry';
import { flattenContract } from '../contracts/flatten';
import { GlueColumn, SchemaNode, glueColumns } from '../lib/lake/glue-types';

export const GENERATED_TYPES_PATH = path.join(__dirname, '..', 'contracts', 'generated', 'types.ts');
/** Flat schemas for tools in other languages (the Glue jobs build Spark schemas from them). */
export const GENERATED_FLAT_DIR = path.join(__dirname, '..', 'contracts', 'generated', 'flat');

/** The flat schema files, by file name, as JSON text. */
export function generateFlatSchemas(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of Object.keys(CONTRACTS) as ContractName[]) {
    out[`${name}.json`] = JSON.stringify(flattenContract(name), null, 2) + '\n';
  }
  return out;
}

/**
 * The Glue catalog columns of every contract. The catalog (lib/constructs/lake-catalog.ts) reads it,
 * and glue-scripts/tests/test_catalog_drift.py checks it against the Spark schemas of the jobs.
 */
export const GENERATED_GLUE_COLUMNS_PATH = path.join(
  __dirname,
  '..',
  'contracts',
  'generated',
  'glue-columns.json',
);

/** contracts/generated/glue-columns.json as JSON text: `{ <contract>: [{ name, type }] }`. */
export function generateGlueColumns(): string {
  const out: Record<string, GlueColumn[]> = {};
  for (const name of Object.keys(CONTRACTS) as ContractName[]) {
    out[name] = glueColumns(flattenContract(name) as SchemaNode, name);
  }
  return JSON.stringify(out, null, 2) + '\n';
}

export async function generateContractTypes(): Promise<string> {
  const parts: string[] = [
    '/* eslint-disable */\n/**\n * GENERATED from contracts/schemas by scripts/generate-contract-types.ts. Do not edit by hand:\n * change the schema and run `npm run contracts:generate`.\n */\n',
  ];
  for (const name of Object.keys(CONTRACTS) as ContractName[]) {
    const schema = flattenContract(name);
    const ts = await compile(schema as never, String(schema.title), {
      bannerComment: '',
      additionalProperties: false,
      unreachableDefinitions: false,
      ignoreMinAndMaxItems: true,
      declareExternallyReferenced: true,
      format: true,
      style: { singleQuote: true, printWidth: 110, trailingComma: 'all' },
    });
    parts.push(ts.trim() + '\n');
  }
  return parts.join('\n');
}

/** Writes the generated files, or with `--check` exits 1 naming the files that differ. */
async function main(check: boolean): Promise<void> {
  const expected: Record<string, string> = {
    [GENERATED_TYPES_PATH]: await generateContractTypes(),
    [GENERATED_GLUE_COLUMNS_PATH]: generateGlueColumns(),
  };
  for (const [file, text] of Object.entries(generateFlatSchemas()))
    expected[path.join(GENERATED_FLAT_DIR, file)] = text;
  if (check) {
    const onDisk = fs.existsSync(GENERATED_FLAT_DIR) ? fs.readdirSync(GENERATED_FLAT_DIR) : [];
    const stale = Object.entries(expected)
      .filter(([file, text]) => !fs.existsSync(file) || fs.readFileSync(file, 'utf8') !== text)
      .map(([file]) => file)
      .concat(onDisk.map((f) => path.join(GENERATED_FLAT_DIR, f)).filter((f) => !(f in expected)));
    if (stale.length > 0) {
      console.error(
        `Generated contract files are out of date: ${stale.map((f) => path.relative(process.cwd(), f)).join(', ')}\nRun: npm run contracts:generate`,
      );
      process.exit(1);
    }
    console.log('generated contract files are up to date');
    return;
  }
  fs.rmSync(GENERATED_FLAT_DIR, { recursive: true, force: true });
  fs.mkdirSync(GENERATED_FLAT_DIR, { recursive: true });
  for (const [file, text] of Object.entries(expected)) fs.writeFileSync(file, text);
  console.log(`wrote ${Object.keys(expected).length} files under contracts/generated`);
}

if (require.main === module) {
  main(process.argv.includes('--check')).catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
