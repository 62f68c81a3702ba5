/**
 * Glue Data Quality (DQDL) rules of the curated datasets, derived from each dataset's flat contract
 * schema (contracts/generated/flat/<contract>.json) with the rules of
 * glue-scripts/common/contract_rules.py and the per-partition gate of
 * glue-scripts/jobs/raw_events_to_curated.py, so that AWS Glue Data Quality checks on the curated
 * tables what the job checks on every run (in AWS and in the local twin):
 *
 * - key completeness: `IsComplete "<col>"` for every required top-level column;
 * - `IsUnique "event_id"`;
 * - ranges: `ColumnValues "<col>" >= <minimum>` and `ColumnValues "<col>" <= <maximum>` for every
 *   top-level number, integer or Money column the contract bounds (non-negative amounts, ratings 1
 *   to 5, ids from 1). `schema_version` is left out, as in the job, which checks it against the
 *   supported versions instead. Separate `>=` and `<=` rules rather than `between`, which DQDL does
 *   not document as inclusive.
 *
 * DQDL's ColumnValues fails on NULL, while the job lets an optional column be null; the range rule of
 * an optional column therefore carries `where "<col> is not null"`.
 *
 * No `RowCount > 0`: an empty partition (or table) is legal.
 *
 * Not expressible as DQDL column rules, and checked by the job only: bounds of fields nested in
 * structs and in arrays of structs, for example `lines[].quantity`, `lines[].unit_price`,
 * `lines[].discount`, `payment.amount` and `returned_lines[].quantity` of order events. They are
 * listed by {@link DatasetQualityRules.jobOnlyChecks}. Enums, patterns and date-time formats are
 * checked by the job (and the Lambda transformers upstream), not here.
 *
 * A derived dataset (order lines, order status changes: contracts/datasets.json `derived_datasets`)
 * has no contract: its rules come from its declaration ({@link derivedQualityRules}), as the events job
 * derives its gate from the same declaration (glue-scripts/common/derived_datasets.py gate_rules).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SchemaNode } from './glue-types';
import { DerivedDataset, EVENT_DATASETS, EventDataset, SourceDataset } from './lake-datasets';

/** Folder of the flat contract schemas. */
export const FLAT_SCHEMA_DIR = path.resolve(__dirname, '..', '..', 'contracts', 'generated', 'flat');

/** The column every curated row is unique by. */
export const UNIQUE_KEY_COLUMN = 'event_id';

/** Columns whose bounds the job checks another way (schema_version: against the supported versions). */
const RANGE_EXEMPT_COLUMNS: readonly string[] = ['schema_version'];

const COLUMN_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The DQDL rules of one curated dataset. */
export interface DatasetQualityRules {
  /** The dataset, for example `order_events`. */
  readonly dataset: string;
  /** Its contract, for example `order-event`. */
  readonly contract: string;
  /** The DQDL rules, in order: completeness, uniqueness, ranges. */
  readonly rules: readonly string[];
  /**
   * Bounded fields nested in structs or arrays (`lines[].quantity [1, 10000]`) that DQDL column rules
   * cannot express; the curation job checks them on every row.
   */
  readonly jobOnlyChecks: readonly string[];
}

/** A contract's flat schema; throws naming the contract and the file when it is missing. */
export function loadFlatSchema(contract: string, dir = FLAT_SCHEMA_DIR): SchemaNode {
  const file = path.join(dir, `${contract}.json`);
  if (!fs.existsSync(file)) {
    throw new Error(`No flat schema for contract '${contract}' at ${file}. Run npm run contracts:generate.`);
  }
  return JSON.parse(fs.readFileSync(file, 'utf8')) as SchemaNode;
}

interface Bounds {
  readonly minimum?: number;
  readonly maximum?: number;
}

/** The bounds of a number, integer or Money node (as contract_rules._range_checks reads them). */
function numericBounds(node: SchemaNode): Bounds | undefined {
  const variants = node.anyOf ?? [];
  const money = variants.find((v) => v.type === 'number');
  if (money !== undefined) return boundsOf(money);
  if (variants.length > 0) {
    const nonNull = variants.filter((v) => v.type !== 'null');
    return nonNull.length === 1 ? numericBounds(nonNull[0]) : undefined;
  }
  return node.type === 'integer' || node.type === 'number' ? boundsOf(node) : undefined;
}

function boundsOf(node: SchemaNode): Bounds | undefined {
  const { minimum, maximum } = node as { minimum?: unknown; maximum?: unknown };
  if (minimum === undefined && maximum === undefined) return undefined;
  return {
    minimum: minimum === undefined ? undefined : Number(minimum),
    maximum: maximum === undefined ? undefined : Number(maximum),
  };
}

/** Bounded fields nested under a struct or array node, as `path [min, max]`. */
function nestedBounded(node: SchemaNode, where: string): string[] {
  const nonNull = (node.anyOf ?? []).filter((v) => v.type !== 'null');
  if (nonNull.length === 1 && numericBounds(node) === undefined) return nestedBounded(nonNull[0], where);
  if (node.type === 'array') return nestedBounded(node.items ?? {}, `${where}[]`);
  if (node.type === 'object' && node.properties !== undefined) {
    return Object.entries(node.properties).flatMap(([name, child]) => {
      const bounds = numericBounds(child);
      const at = `${where}.${name}`;
      return bounds === undefined ? nestedBounded(child, at) : [`${at} ${boundsText(bounds)}`];
    });
  }
  return [];
}

function boundsText(b: Bounds): string {
  return `[${b.minimum ?? ''}, ${b.maximum ?? ''}]`;
}

function dqdlNumber(value: number, where: string): string {
  const text = String(value);
  if (!Number.isFinite(value) || !/^-?\d+(\.\d+)?$/.test(text)) {
    throw new Error(`${where}: bound ${text} cannot be written as a DQDL number`);
  }
  return text;
}

/**
 * The DQDL rules of a curated table whose rows follow a flat contract schema, and the nested bounded
 * fields only the job checks. Throws naming the contract when the schema has no properties, no
 * `event_id`, or a column name DQDL cannot quote.
 */
export function contractQualityRules(
  schema: SchemaNode,
  contract: string,
  uniqueKey: readonly string[] = [UNIQUE_KEY_COLUMN],
  addedColumns: readonly string[] = [],
): { rules: string[]; jobOnlyChecks: string[] } {
  const where = `quality rules of contract '${contract}'`;
  const properties = schema.properties;
  if (properties === undefined) throw new Error(`${where}: the schema has no properties`);
  for (const column of uniqueKey) {
    if (properties[column] === undefined && !addedColumns.includes(column)) {
      throw new Error(`${where}: no '${column}' column to be unique by`);
    }
  }
  for (const name of Object.keys(properties)) {
    if (!COLUMN_NAME.test(name)) throw new Error(`${where}: column name '${name}' cannot be quoted in DQDL`);
  }
  const required = (schema.required as readonly string[] | undefined) ?? [];
  for (const name of required) {
    if (properties[name] === undefined)
      throw new Error(`${where}: required column '${name}' is not a property`);
  }

  // One column: IsUnique; several: IsPrimaryKey (unique together, and complete); none: no rule.
  const unique =
    uniqueKey.length === 0
      ? []
      : uniqueKey.length === 1
        ? [`IsUnique "${uniqueKey[0]}"`]
        : [`IsPrimaryKey ${uniqueKey.map((c) => `"${c}"`).join(' ')}`];
  const rules = [...required.map((n) => `IsComplete "${n}"`), ...unique];
  const jobOnlyChecks: string[] = [];
  for (const [name, node] of Object.entries(properties)) {
    const bounds = numericBounds(node);
    if (bounds === undefined) {
      jobOnlyChecks.push(...nestedBounded(node, name));
      continue;
    }
    if (RANGE_EXEMPT_COLUMNS.includes(name)) continue;
    const unlessNull = required.includes(name) ? '' : ` where "${name} is not null"`;
    if (bounds.minimum !== undefined) {
      rules.push(`ColumnValues "${name}" >= ${dqdlNumber(bounds.minimum, `${where}, ${name}`)}${unlessNull}`);
    }
    if (bounds.maximum !== undefined) {
      rules.push(`ColumnValues "${name}" <= ${dqdlNumber(bounds.maximum, `${where}, ${name}`)}${unlessNull}`);
    }
  }
  return { rules, jobOnlyChecks };
}

/**
 * The DQDL rules of a curated dataset, from its contract's flat schema: an event dataset is unique
 * by `event_id`; a source dataset by its own key (`uniqueKey`, which may name the columns its job adds).
 */
export function datasetQualityRules(
  dataset: EventDataset | SourceDataset,
  dir = FLAT_SCHEMA_DIR,
): DatasetQualityRules {
  const source = 'uniqueKey' in dataset ? dataset : undefined;
  const { rules, jobOnlyChecks } = contractQualityRules(
    loadFlatSchema(dataset.contract, dir),
    dataset.contract,
    source ? source.uniqueKey : [UNIQUE_KEY_COLUMN],
    source ? [...source.extraColumns, ...source.partitionKeys].map((c) => c.name) : [],
  );
  return { dataset: dataset.name, contract: dataset.contract, rules, jobOnlyChecks };
}

/**
 * The DQDL rules of a derived dataset, from its declaration: `IsComplete` for every required column,
 * `IsUnique` (one key column) or `IsPrimaryKey` (several) for its unique key, and
 * `ColumnValues "<col>" >= 0` for every non-negative column (`where "<col> is not null"` unless the
 * column is required). Its `contract` is the contract of the dataset it is derived from.
 */
export function derivedQualityRules(dataset: DerivedDataset): DatasetQualityRules {
  const where = `quality rules of derived dataset '${dataset.name}'`;
  const source = EVENT_DATASETS.find((d) => d.name === dataset.from);
  if (source === undefined) throw new Error(`${where}: '${dataset.from}' is not an event dataset`);
  for (const c of dataset.columns) {
    if (!COLUMN_NAME.test(c.name))
      throw new Error(`${where}: column name '${c.name}' cannot be quoted in DQDL`);
  }
  const key = dataset.uniqueKey;
  const unique =
    key.length === 1 ? `IsUnique "${key[0]}"` : `IsPrimaryKey ${key.map((c) => `"${c}"`).join(' ')}`;
  const rules = [
    ...dataset.required.map((c) => `IsComplete "${c}"`),
    unique,
    ...dataset.nonNegative.map(
      (c) => `ColumnValues "${c}" >= 0${dataset.required.includes(c) ? '' : ` where "${c} is not null"`}`,
    ),
  ];
  return { dataset: dataset.name, contract: source.contract, rules, jobOnlyChecks: [] };
}

/** A DQDL ruleset document: `Rules = [ ... ]`, one rule a line. Throws when there is no rule. */
export function dqdlRuleset(rules: readonly string[]): string {
  if (rules.length === 0) throw new Error('A DQDL ruleset needs at least one rule');
  return `Rules = [\n${rules.map((r) => `  ${r}`).join(',\n')}\n]`;
}
