/**
 * Generates contracts/generated/types.ts from the JSON Schemas in contracts/schemas.
 * Run with `npm run contracts:generate`; test/contracts/generated-types.test.ts fails when the
 * committed file and the schemas drift apart.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { compile } from 'json-schema-to-typescript';
import { CONTRACTS, ContractName } from '../contracts/registry';
import { flattenContract } from '../contracts/flatten';

export const GENERATED_TYPES_PATH = path.join(__dirname, '..', 'contracts', 'generated', 'types.ts');

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

if (require.main === module) {
  generateContractTypes()
    .then((out) => {
      fs.writeFileSync(GENERATED_TYPES_PATH, out);
      console.log(`wrote ${path.relative(process.cwd(), GENERATED_TYPES_PATH)}`);
    })
    .catch((err) => {
      console.error(err);
      process.exit(1);
    });
}
