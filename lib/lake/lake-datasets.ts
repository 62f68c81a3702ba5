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
