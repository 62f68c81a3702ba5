import { Stack, Token } from 'aws-cdk-lib';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { CURATED_PREFIX, QUARANTINE_PREFIX, RAW_EVENTS_PREFIX } from '../lake/lake-layout';
import {
  CatalogColumn,
  DERIVED_DATASETS,
  DerivedDataset,
  EVENT_DATASETS,
  EventDataset,
  PARTITION_KEYS,
  SOURCE_DATASETS,
  SourceDataset,
  sourceColumns,
  QUARANTINE_COLUMNS,
  curatedColumns,
  derivedColumns,
  glueDatabaseName,
  quarantineTableName,
  rawColumns,
  UNROUTED_QUARANTINE_FOLDER,
  UNROUTED_QUARANTINE_TABLE,
  rawTableName,
} from '../lake/lake-datasets';

/** Properties of a {@link LakeCatalog}. */
export interface LakeCatalogProps {
  /** Prefix of the database names (`<prefix>_raw`, `<prefix>_curated`, dashes become underscores). */
  readonly prefix: string;

  /** The raw zone bucket (`events/stream=<stream>/event_date=<date>/`, newline-delimited JSON). */
  readonly rawBucket: s3.IBucket;

  /** The curated zone bucket (`curated/<dataset>/event_date=<date>/`, Parquet). */
  readonly curatedBucket: s3.IBucket;

  /**
   * The curated datasets, one table each (and one quarantine table each).
   *
   * @default EVENT_DATASETS (contracts/datasets.json)
   */
  readonly datasets?: readonly EventDataset[];

  /**
   * The curated datasets of the other sources (OLTP version logs, DynamoDB document snapshots,
   * third-party feeds), one table each (and one quarantine table each).
   *
   * @default SOURCE_DATASETS (contracts/datasets.json)
   */
  readonly sourceDatasets?: readonly SourceDataset[];

  /**
   * The flat datasets the events job derives from the rows it publishes (order lines and order
   * status changes), one table each over `curated/<dataset>/`, partitioned like their source; no
   * quarantine table (a derived row is published with its source or not at all).
   *
   * @default DERIVED_DATASETS (contracts/datasets.json)
   */
  readonly derivedDatasets?: readonly DerivedDataset[];

  /**
   * First day (YYYY-MM-DD) of the event_date partition projection; Athena projects every day from
   * it to today.
   *
   * @default '2020-01-01'
   */
  readonly firstEventDate?: string;
}

const PARQUET = {
  inputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
  outputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
  serdeInfo: { serializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe' },
};

const JSON_LINES = {
  inputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
  outputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
  serdeInfo: {
    serializationLibrary: 'org.openx.data.jsonserde.JsonSerDe',
    // A malformed line reads as nulls instead of failing the query; the transformers dead-letter
    // what they reject, so the raw zone should hold none.
    parameters: { 'ignore.malformed.json': 'true' },
  },
};

const QUARANTINE_PARTITION = 'run_id';

/**
 * The Glue Data Catalog of the lake: a database per zone, a Parquet table per curated dataset over
 * `curated/<dataset>/` (the event, source and derived datasets), a Parquet table per event and
 * source dataset over `quarantine/<dataset>/`, and a JSON table
 * per stream over the raw zone's `events/stream=<stream>/`. Column types come from
 * contracts/generated/glue-columns.json (never typed here); partitions are found by partition
 * projection, so no crawler or `MSCK REPAIR` is needed.
 *
 * The account-wide catalog encryption settings (CfnDataCatalogEncryptionSettings) are deliberately
 * not managed here: one stack owning an account-wide setting would fight every other owner. The data
 * itself is encrypted in the buckets with the platform key.
 *
 * @example
 * const catalog = new LakeCatalog(this, 'Catalog', { prefix: 'ecom-dev', rawBucket, curatedBucket });
 * catalog.curatedDatabaseName; // 'ecom_dev_curated'
 */
export class LakeCatalog extends Construct {
  /** Name of the raw zone database. */
  public readonly rawDatabaseName: string;

  /** Name of the curated zone database (curated and quarantine tables). */
  public readonly curatedDatabaseName: string;

  /** The curated tables, by dataset name. */
  public readonly curatedTables: Record<string, glue.CfnTable>;

  /** The quarantine tables, by dataset name (and `_unrouted` for the lines no dataset takes). */
  public readonly quarantineTables: Record<string, glue.CfnTable>;

  /** The raw tables, by stream. */
  public readonly rawTables: Record<string, glue.CfnTable>;

  constructor(scope: Construct, id: string, props: LakeCatalogProps) {
    super(scope, id);
    if (!Token.isUnresolved(props.prefix) && !/^[a-z][a-z0-9-]{1,40}$/.test(props.prefix)) {
      throw new Error(
        `LakeCatalog ${this.node.path}: prefix '${props.prefix}' must match ^[a-z][a-z0-9-]{1,40}$`,
      );
    }
    const firstEventDate = props.firstEventDate ?? '2020-01-01';
    if (!/^\d{4}-\d{2}-\d{2}$/.test(firstEventDate) || Number.isNaN(Date.parse(firstEventDate))) {
      throw new Error(
        `LakeCatalog ${this.node.path}: firstEventDate '${firstEventDate}' is not a YYYY-MM-DD date`,
      );
    }
    const datasets = props.datasets ?? EVENT_DATASETS;
    if (datasets.length === 0) {
      throw new Error(`LakeCatalog ${this.node.path}: datasets is empty`);
    }
    for (const d of datasets) {
      if (!/^[a-z][a-z0-9_]{0,200}$/.test(d.name)) {
        throw new Error(
          `LakeCatalog ${this.node.path}: dataset name '${d.name}' must match ^[a-z][a-z0-9_]{0,200}$`,
        );
      }
    }
    const catalogId = Stack.of(this).account;

    this.rawDatabaseName = glueDatabaseName(props.prefix, 'raw');
    this.curatedDatabaseName = glueDatabaseName(props.prefix, 'curated');
    const rawDb = new glue.CfnDatabase(this, 'RawDatabase', {
      catalogId,
      databaseInput: {
        name: this.rawDatabaseName,
        description: 'Raw zone: every event as sent, newline-delimited JSON by stream and event date',
      },
    });
    const curatedDb = new glue.CfnDatabase(this, 'CuratedDatabase', {
      catalogId,
      databaseInput: {
        name: this.curatedDatabaseName,
        description:
          'Curated zone: deduplicated, conformed Parquet by dataset and event date, and quarantined rows',
      },
    });

    const eventDateProjection = (key: string): Record<string, string> => ({
      'projection.enabled': 'true',
      [`projection.${key}.type`]: 'date',
      [`projection.${key}.format`]: 'yyyy-MM-dd',
      [`projection.${key}.range`]: `${firstEventDate},NOW`,
      [`projection.${key}.interval`]: '1',
      [`projection.${key}.interval.unit`]: 'DAYS',
    });
    const partitionProjection = (): Record<string, string> =>
      Object.assign({}, ...PARTITION_KEYS.map((k) => eventDateProjection(k.name))) as Record<string, string>;
    const columns = (cols: readonly CatalogColumn[]): glue.CfnTable.ColumnProperty[] =>
      cols.map((c) => ({ name: c.name, type: c.type, ...(c.comment ? { comment: c.comment } : {}) }));

    const quarantineTable = (folder: string, name: string): glue.CfnTable => {
      const table = new glue.CfnTable(this, `Quarantine-${folder}`, {
        catalogId,
        databaseName: this.curatedDatabaseName,
        tableInput: {
          name,
          description: `Rows and files under ${QUARANTINE_PREFIX}/${folder}/ a curation run refused, with the reason; query one run: WHERE ${QUARANTINE_PARTITION} = '<run id>'`,
          tableType: 'EXTERNAL_TABLE',
          parameters: {
            classification: 'parquet',
            'projection.enabled': 'true',
            // Run ids are not enumerable: a query names the run it inspects.
            [`projection.${QUARANTINE_PARTITION}.type`]: 'injected',
          },
          partitionKeys: [{ name: QUARANTINE_PARTITION, type: 'string', comment: 'the curation run' }],
          storageDescriptor: {
            ...PARQUET,
            location: props.curatedBucket.s3UrlForObject(`${QUARANTINE_PREFIX}/${folder}/`),
            columns: columns(QUARANTINE_COLUMNS.filter((c) => c.name !== QUARANTINE_PARTITION)),
          },
        },
      });
      table.node.addDependency(curatedDb);
      return table;
    };

    this.curatedTables = {};
    this.quarantineTables = {
      [UNROUTED_QUARANTINE_FOLDER]: quarantineTable(UNROUTED_QUARANTINE_FOLDER, UNROUTED_QUARANTINE_TABLE),
    };
    for (const d of datasets) {
      const table = new glue.CfnTable(this, `Curated-${d.name}`, {
        catalogId,
        databaseName: this.curatedDatabaseName,
        tableInput: {
          name: d.name,
          description: `Curated ${d.contract} rows (${d.event_types.join(', ')}) from the ${d.stream} stream`,
          tableType: 'EXTERNAL_TABLE',
          parameters: { classification: 'parquet', contract: d.contract, ...partitionProjection() },
          partitionKeys: columns(PARTITION_KEYS),
          storageDescriptor: {
            ...PARQUET,
            location: props.curatedBucket.s3UrlForObject(`${CURATED_PREFIX}/${d.name}/`),
            columns: columns(curatedColumns(d)),
          },
        },
      });
      table.node.addDependency(curatedDb);
      this.curatedTables[d.name] = table;

      this.quarantineTables[d.name] = quarantineTable(d.name, quarantineTableName(d.name));
    }

    for (const d of props.sourceDatasets ?? SOURCE_DATASETS) {
      if (this.curatedTables[d.name] !== undefined) {
        throw new Error(`LakeCatalog ${this.node.path}: two curated datasets are named '${d.name}'`);
      }
      // Date keys are projected (every day from firstEventDate); others, such as a DynamoDB export
      // id, are injected: a query names the value it reads.
      const projection: Record<string, string> = { 'projection.enabled': 'true' };
      for (const k of d.partitionKeys) {
        if (k.name.endsWith('_date')) Object.assign(projection, eventDateProjection(k.name));
        else projection[`projection.${k.name}.type`] = 'injected';
      }
      const table = new glue.CfnTable(this, `Curated-${d.name}`, {
        catalogId,
        databaseName: this.curatedDatabaseName,
        tableInput: {
          name: d.name,
          description: d.description,
          tableType: 'EXTERNAL_TABLE',
          parameters: { classification: 'parquet', contract: d.contract, source: d.source, ...projection },
          partitionKeys: columns(d.partitionKeys),
          storageDescriptor: {
            ...PARQUET,
            location: props.curatedBucket.s3UrlForObject(`${CURATED_PREFIX}/${d.name}/`),
            columns: columns(sourceColumns(d)),
          },
        },
      });
      table.node.addDependency(curatedDb);
      this.curatedTables[d.name] = table;
      this.quarantineTables[d.name] = quarantineTable(d.name, quarantineTableName(d.name));
    }

    for (const d of props.derivedDatasets ?? DERIVED_DATASETS) {
      if (this.curatedTables[d.name] !== undefined) {
        throw new Error(`LakeCatalog ${this.node.path}: two curated datasets are named '${d.name}'`);
      }
      const table = new glue.CfnTable(this, `Curated-${d.name}`, {
        catalogId,
        databaseName: this.curatedDatabaseName,
        tableInput: {
          name: d.name,
          description: d.description,
          tableType: 'EXTERNAL_TABLE',
          parameters: {
            classification: 'parquet',
            derived_from: d.from,
            unique_key: d.uniqueKey.join(','),
            ...partitionProjection(),
          },
          partitionKeys: columns(PARTITION_KEYS),
          storageDescriptor: {
            ...PARQUET,
            location: props.curatedBucket.s3UrlForObject(`${CURATED_PREFIX}/${d.name}/`),
            columns: columns(derivedColumns(d)),
          },
        },
      });
      table.node.addDependency(curatedDb);
      this.curatedTables[d.name] = table;
    }

    this.rawTables = {};
    for (const stream of [...new Set(datasets.map((d) => d.stream))]) {
      const table = new glue.CfnTable(this, `Raw-${stream}`, {
        catalogId,
        databaseName: this.rawDatabaseName,
        tableInput: {
          name: rawTableName(stream),
          description: `Raw events of the ${stream} stream as sent (newline-delimited JSON, GZIP)`,
          tableType: 'EXTERNAL_TABLE',
          parameters: { classification: 'json', compressionType: 'gzip', ...partitionProjection() },
          partitionKeys: columns(PARTITION_KEYS),
          storageDescriptor: {
            ...JSON_LINES,
            location: props.rawBucket.s3UrlForObject(`${RAW_EVENTS_PREFIX}/stream=${stream}/`),
            columns: columns(rawColumns(stream)),
          },
        },
      });
      table.node.addDependency(rawDb);
      this.rawTables[stream] = table;
    }
  }
}
