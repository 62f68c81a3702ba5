/**
 * The curated datasets of the lake and their catalog columns, read from the two files that are the
 * single source of truth: contracts/datasets.json (datasets, lineage, partition and quarantine
 * columns) and contracts/generated/glue-columns.json (the contract columns, generated from the
 * JSON Schemas by scripts/generate-contract-types.ts with lib/lake/glue-types.ts).
 */
import datasetsJson from '../../contracts/datasets.json';
import glueColumnsJson from '../../contracts/generated/glue-columns.json';
import { GlueColumn } from './glue-types';

/** A catalog column with an optional comment. */
export interface CatalogColumn extends GlueColumn {
  readonly comment?: string;
}

/** A curated event dataset (one entry of `event_datasets` in contracts/datasets.json). */
export interface EventDataset {
  /** Table and folder name, for example `order_events`. */
  readonly name: string;
  /** The contract of its rows, for example `order-event`. */
  readonly contract: string;
  /** The stream whose raw events it is curated from. */
  readonly stream: string;
  readonly event_types: readonly string[];
}

/** Columns every curated row carries after the contract's columns. */
export const LINEAGE_COLUMNS: readonly CatalogColumn[] = datasetsJson.lineage_columns;

/** Partition keys of every curated dataset. */
export const PARTITION_KEYS: readonly CatalogColumn[] = datasetsJson.partition_keys;

/** Columns of a quarantined row. */
export const QUARANTINE_COLUMNS: readonly CatalogColumn[] = datasetsJson.quarantine_columns;

/** The curated event datasets. */
export const EVENT_DATASETS: readonly EventDataset[] = datasetsJson.event_datasets;

const GLUE_COLUMNS: Readonly<Record<string, readonly GlueColumn[]>> = glueColumnsJson;

/** The catalog columns of a contract; throws naming the contract when it has none. */
export function contractColumns(contract: string): readonly GlueColumn[] {
  const columns = GLUE_COLUMNS[contract];
  if (columns === undefined) {
    throw new Error(
      `No catalog columns for contract '${contract}' in contracts/generated/glue-columns.json; known: ${Object.keys(GLUE_COLUMNS).join(', ')}. Run npm run contracts:generate.`,
    );
  }
  return columns;
}

/** The columns of a curated dataset's table: the contract's columns, then the lineage columns. */
export function curatedColumns(dataset: EventDataset): readonly CatalogColumn[] {
  return [...contractColumns(dataset.contract), ...LINEAGE_COLUMNS];
}

/**
 * The columns of a stream's raw table: the union of the top-level columns of the contracts carried
 * on the stream, in first-seen order. Raw objects are JSON as sent, so timestamps and dates (nested ones
 * too) stay text (an RFC 3339 offset is not a Hive timestamp) and a column that two contracts type differently
 * is text too.
 */
export function rawColumns(stream: string): readonly CatalogColumn[] {
  const contracts = [...new Set(EVENT_DATASETS.filter((d) => d.stream === stream).map((d) => d.contract))];
  if (contracts.length === 0) {
    throw new Error(`No curated dataset reads stream '${stream}' in contracts/datasets.json`);
  }
  const types = new Map<string, string>();
  for (const contract of contracts) {
    for (const { name, type } of contractColumns(contract)) {
      const raw = type.replace(/(^|[<:,])(timestamp|date)(?=$|[>,])/g, '$1string');
      const seen = types.get(name);
      types.set(name, seen === undefined || seen === raw ? raw : 'string');
    }
  }
  return [...types].map(([name, type]) => ({ name, type }));
}

/** The Glue database name of a lake zone: lower case and underscores, for example `ecom_dev_curated`. */
export function glueDatabaseName(prefix: string, zone: 'raw' | 'curated'): string {
  return `${prefix.replace(/-/g, '_').toLowerCase()}_${zone}`;
}

/** The table of a dataset's quarantined rows, in the curated database. */
export function quarantineTableName(dataset: string): string {
  return `${dataset}_quarantine`;
}

/**
 * The quarantine folder of lines no dataset takes (an unknown event_type, an unreadable file):
 * `quarantine/_unrouted/run_id=<run>/`, as glue-scripts/jobs/raw_events_to_curated.py writes it.
 */
export const UNROUTED_QUARANTINE_FOLDER = '_unrouted';

/** The table of the unrouted lines, in the curated database. */
export const UNROUTED_QUARANTINE_TABLE = 'unrouted_quarantine';

/** The raw table of a stream, in the raw database. */
export function rawTableName(stream: string): string {
  return `${stream}_events`;
}

/** Where a non-event curated dataset comes from. */
export type SourceKind = 'oltp' | 'documents' | 'files';

/**
 * A curated dataset of the other sources (entries of `oltp_datasets`, `document_datasets` and
 * `file_datasets` in contracts/datasets.json): its table's columns are the contract's (less the
 * partition keys), the columns its job adds, then the lineage columns.
 */
export interface SourceDataset {
  readonly name: string;
  readonly contract: string;
  readonly source: SourceKind;
  /** What it is curated from: the OLTP table, the DynamoDB table id, or the feed. */
  readonly origin: string;
  readonly description: string;
  /** Columns the job adds after the contract's (the OLTP version log's `valid_from` and `row_hash`). */
  readonly extraColumns: readonly CatalogColumn[];
  readonly partitionKeys: readonly CatalogColumn[];
  /**
   * The columns a row is unique by (the quality gates' uniqueness rule): the OLTP key and
   * `valid_from`, a document's id within its export, a feed's natural key; empty when the contract
   * has none (customer interactions).
   */
  readonly uniqueKey: readonly string[];
}

/** Columns the OLTP extraction adds to every version (glue-scripts/jobs/oltp_to_curated.py VERSION_COLUMNS). */
export const OLTP_VERSION_COLUMNS: readonly CatalogColumn[] = [
  {
    name: 'valid_from',
    type: 'timestamp',
    comment: 'when the version took effect: the row’s updated_at (UTC)',
  },
  { name: 'row_hash', type: 'string', comment: 'hash of the tracked (slowly changing) columns' },
];

interface SourceEntry {
  readonly name: string;
  readonly contract: string;
  readonly partition_keys?: readonly CatalogColumn[];
  readonly partition_key?: CatalogColumn;
  readonly source_table?: string;
  readonly table_id?: string;
  readonly feed?: string;
  readonly key_columns?: readonly string[];
  readonly unique_key?: readonly string[];
  readonly key?: readonly string[];
}

function sourceDataset(
  kind: SourceKind,
  d: SourceEntry,
  description: (origin: string) => string,
): SourceDataset {
  const origin = kind === 'oltp' ? d.source_table : kind === 'documents' ? d.table_id : d.feed;
  if (origin === undefined) {
    throw new Error(
      `contracts/datasets.json: ${kind} dataset '${d.name}' names no source_table, table_id or feed`,
    );
  }
  const partitionKeys = d.partition_keys ?? (d.partition_key ? [d.partition_key] : []);
  if (partitionKeys.length === 0) {
    throw new Error(`contracts/datasets.json: ${kind} dataset '${d.name}' has no partition key`);
  }
  const uniqueKey =
    kind === 'oltp' ? [...(d.key_columns ?? []), 'valid_from'] : kind === 'documents' ? d.unique_key : d.key;
  if (uniqueKey === undefined || (kind !== 'documents' && uniqueKey.length === 0)) {
    throw new Error(
      `contracts/datasets.json: ${kind} dataset '${d.name}' has no key (key_columns, unique_key or key)`,
    );
  }
  return {
    name: d.name,
    contract: d.contract,
    source: kind,
    origin,
    description: description(origin),
    extraColumns: kind === 'oltp' ? OLTP_VERSION_COLUMNS : [],
    partitionKeys,
    uniqueKey,
  };
}

/** The curated datasets of the OLTP tables, the DynamoDB document tables and the third-party feeds. */
export const SOURCE_DATASETS: readonly SourceDataset[] = [
  ...(datasetsJson.oltp_datasets as readonly SourceEntry[]).map((d) =>
    sourceDataset(
      'oltp',
      d,
      (table) =>
        `Version log of the OLTP table ${table}: one row per new version of its tracked columns (SCD type 2 history; valid_to is the next version's valid_from)`,
    ),
  ),
  ...(datasetsJson.document_datasets as readonly SourceEntry[]).map((d) =>
    sourceDataset(
      'documents',
      d,
      (table) =>
        `Snapshots of the DynamoDB document table ${table}, one per export (query one: WHERE export_id = '<id>'; the latest is in _state/dynamodb_documents_to_curated/latest.json)`,
    ),
  ),
  ...(datasetsJson.file_datasets as readonly SourceEntry[]).map((d) =>
    sourceDataset(
      'files',
      d,
      (feed) => `Curated rows of the third-party feed ${feed} (file drops under raw third-party/${feed}/)`,
    ),
  ),
];

/**
 * A flat dataset the events job derives from the rows it publishes to an event dataset (an entry of
 * `derived_datasets` in contracts/datasets.json): `order_lines` and `order_status_changes` from
 * `order_events`. Its columns are declared (no contract): the warehouse's COPY maps Parquet columns
 * by position and cannot flatten nested arrays, so the job writes exactly the declared columns, in
 * order and types; the partition key is the source's (`event_date`).
 */
export interface DerivedDataset {
  /** Table and folder name, for example `order_lines`. */
  readonly name: string;
  /** The event dataset whose published rows it is derived from, for example `order_events`. */
  readonly from: string;
  readonly description: string;
  /** The columns a row is unique by (the quality gate's uniqueness rule). */
  readonly uniqueKey: readonly string[];
  /** Columns that are never null (the quality gate's completeness rules). */
  readonly required: readonly string[];
  /** Columns that are never negative when not null (the quality gate's range rules). */
  readonly nonNegative: readonly string[];
  /** The table's columns in Parquet order (the partition keys are not columns). */
  readonly columns: readonly CatalogColumn[];
}

interface DerivedEntry {
  readonly name: string;
  readonly from: string;
  readonly description: string;
  readonly unique_key: readonly string[];
  readonly required?: readonly string[];
  readonly non_negative?: readonly string[];
  readonly columns: readonly CatalogColumn[];
}

/** A derived dataset of contracts/datasets.json, checked; throws naming the dataset and the problem. */
export function derivedDataset(d: DerivedEntry): DerivedDataset {
  const where = `contracts/datasets.json: derived dataset '${d.name}'`;
  if (!EVENT_DATASETS.some((e) => e.name === d.from)) {
    throw new Error(`${where} is derived from '${d.from}', which is not an event dataset`);
  }
  const names = d.columns.map((c) => c.name);
  if (new Set(names).size !== names.length) throw new Error(`${where} declares a column twice`);
  const partitions = PARTITION_KEYS.map((k) => k.name).filter((k) => names.includes(k));
  if (partitions.length > 0) throw new Error(`${where}: partition key ${partitions.join(', ')} is a column`);
  const sets = { unique_key: d.unique_key, required: d.required ?? [], non_negative: d.non_negative ?? [] };
  for (const [what, cols] of Object.entries(sets)) {
    const unknown = cols.filter((c) => !names.includes(c));
    if (unknown.length > 0)
      throw new Error(`${where}: ${what} names undeclared columns ${unknown.join(', ')}`);
  }
  if (d.unique_key.length === 0) throw new Error(`${where} has an empty unique_key`);
  return {
    name: d.name,
    from: d.from,
    description: d.description,
    uniqueKey: d.unique_key,
    required: sets.required,
    nonNegative: sets.non_negative,
    columns: d.columns,
  };
}

/** The derived datasets (contracts/datasets.json `derived_datasets`). */
export const DERIVED_DATASETS: readonly DerivedDataset[] = (
  (datasetsJson as { derived_datasets?: readonly DerivedEntry[] }).derived_datasets ?? []
).map(derivedDataset);

/** The columns of a derived dataset's table: exactly the declared ones (the Parquet's, in order). */
export function derivedColumns(dataset: DerivedDataset): readonly CatalogColumn[] {
  return dataset.columns;
}

/** The columns of a source dataset's table (its partition keys are the table's partition keys, not columns). */
export function sourceColumns(dataset: SourceDataset): readonly CatalogColumn[] {
  const partitions = new Set(dataset.partitionKeys.map((k) => k.name));
  return [
    ...contractColumns(dataset.contract).filter((c) => !partitions.has(c.name)),
    ...dataset.extraColumns,
    ...LINEAGE_COLUMNS,
  ];
}
