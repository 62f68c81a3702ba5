import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import datasetsJson from '../../contracts/datasets.json';
import glueColumnsJson from '../../contracts/generated/glue-columns.json';
import { AccessLogBucket, LakeBucket, LakeCatalog, PlatformKey } from '../../lib/constructs';
import {
  DERIVED_DATASETS,
  EVENT_DATASETS,
  SOURCE_DATASETS,
  derivedDataset,
  glueDatabaseName,
  rawColumns,
  sourceColumns,
} from '../../lib/lake/lake-datasets';
import { STREAM_IDS } from '../../lib/streams/stream-definitions';
import { logicalIdOf, nagFindings, testApp, testStack } from './helpers';

interface Lake {
  readonly stack: Stack;
  readonly raw: s3.IBucket;
  readonly curated: s3.IBucket;
}

function lakeStack(stack: Stack = testStack()): Lake {
  const key = new PlatformKey(stack, 'Key', { aliasName: 'test' });
  const logs = new AccessLogBucket(stack, 'AccessLogs');
  const raw = new LakeBucket(stack, 'Raw', { encryptionKey: key.key, accessLogBucket: logs.bucket }).bucket;
  const curated = new LakeBucket(stack, 'Curated', { encryptionKey: key.key, accessLogBucket: logs.bucket })
    .bucket;
  return { stack, raw, curated };
}

const glueColumns = glueColumnsJson as Record<string, { name: string; type: string }[]>;

function tableNamed(template: Template, name: string): Record<string, unknown> {
  const found = Object.values(template.findResources('AWS::Glue::Table')).filter(
    (r) => (r.Properties.TableInput as { Name: string }).Name === name,
  );
  expect(found).toHaveLength(1);
  return found[0].Properties.TableInput as Record<string, unknown>;
}

describe('LakeCatalog with defaults', () => {
  const { stack, raw, curated } = lakeStack();
  const catalog = new LakeCatalog(stack, 'Catalog', {
    prefix: 'ecom-dev',
    rawBucket: raw,
    curatedBucket: curated,
  });
  const template = Template.fromStack(stack);
  const curatedId = logicalIdOf(curated);
  const rawId = logicalIdOf(raw);

  test('has a raw and a curated database with Glue-valid names', () => {
    expect(catalog.rawDatabaseName).toBe('ecom_dev_raw');
    expect(catalog.curatedDatabaseName).toBe('ecom_dev_curated');
    template.resourceCountIs('AWS::Glue::Database', 2);
    for (const name of ['ecom_dev_raw', 'ecom_dev_curated']) {
      template.hasResourceProperties('AWS::Glue::Database', {
        CatalogId: { Ref: 'AWS::AccountId' },
        DatabaseInput: Match.objectLike({ Name: name }),
      });
    }
  });

  test('has a curated and a quarantine table per dataset of contracts/datasets.json, a curated table per derived dataset, an unrouted quarantine table, and a raw table per stream', () => {
    const streams = new Set(datasetsJson.event_datasets.map((d) => d.stream));
    const datasets = datasetsJson.event_datasets.length + SOURCE_DATASETS.length;
    expect(DERIVED_DATASETS.map((d) => d.name)).toEqual(datasetsJson.derived_datasets.map((d) => d.name));
    expect(SOURCE_DATASETS.length).toBe(
      datasetsJson.oltp_datasets.length +
        datasetsJson.document_datasets.length +
        datasetsJson.file_datasets.length,
    );
    template.resourceCountIs(
      'AWS::Glue::Table',
      2 * datasets + datasetsJson.derived_datasets.length + 1 + streams.size,
    );
    expect(Object.keys(catalog.curatedTables).sort()).toEqual(
      [...EVENT_DATASETS, ...SOURCE_DATASETS, ...DERIVED_DATASETS].map((d) => d.name).sort(),
    );
  });

  test.each(datasetsJson.derived_datasets.map((d) => [d.name, d]))(
    'the derived %s table has exactly the declared columns, Parquet under curated/<dataset>/, partitioned and projected by event_date like its source',
    (name, declared) => {
      const input = tableNamed(template, name) as {
        StorageDescriptor: { Columns: unknown[]; Location: unknown };
        PartitionKeys: unknown[];
        Parameters: Record<string, string>;
      };
      expect(input.StorageDescriptor.Columns).toEqual(
        declared.columns.map((c) => ({ Name: c.name, Type: c.type, Comment: c.comment })),
      );
      expect(input.StorageDescriptor.Location).toEqual({
        'Fn::Join': ['', ['s3://', { Ref: curatedId }, `/curated/${name}/`]],
      });
      const source = tableNamed(template, declared.from) as typeof input;
      expect(input.PartitionKeys).toEqual(source.PartitionKeys);
      for (const [k, v] of Object.entries(source.Parameters).filter(([p]) => p.startsWith('projection.')))
        expect({ k, v: input.Parameters[k] }).toEqual({ k, v });
      expect(input.Parameters).toMatchObject({
        classification: 'parquet',
        derived_from: declared.from,
        unique_key: declared.unique_key.join(','),
      });
      // a derived row is published with its source or not at all: no quarantine table
      expect(
        Object.values(template.findResources('AWS::Glue::Table')).filter(
          (r) => (r.Properties.TableInput as { Name: string }).Name === `${name}_quarantine`,
        ),
      ).toEqual([]);
    },
  );

  test('the order_lines and order_status_changes tables have the flat warehouse columns', () => {
    const names = (t: string) =>
      (
        tableNamed(template, t) as { StorageDescriptor: { Columns: { Name: string; Type: string }[] } }
      ).StorageDescriptor.Columns.map((c) => `${c.Name} ${c.Type}`);
    expect(names('order_lines')).toEqual([
      'event_id string',
      'event_type string',
      'event_time timestamp',
      'order_id string',
      'line_number bigint',
      'customer_id bigint',
      'channel string',
      'currency string',
      'campaign_id string',
      'sku string',
      'product_id bigint',
      'quantity bigint',
      'unit_price decimal(18,4)',
      'discount decimal(18,4)',
      '_source_file string',
      '_curated_at timestamp',
    ]);
    expect(names('order_status_changes')).toEqual([
      'event_id string',
      'event_type string',
      'event_time timestamp',
      'order_id string',
      'customer_id bigint',
      'channel string',
      'currency string',
      'campaign_id string',
      'shipping_amount decimal(18,4)',
      'line_count bigint',
      'payment_method string',
      'payment_amount decimal(18,4)',
      'warehouse_id string',
      'carrier string',
      'reason string',
      'returned_units bigint',
      '_source_file string',
      '_curated_at timestamp',
    ]);
    // the lineage columns end every derived table, as every curated table
    for (const d of DERIVED_DATASETS)
      expect(d.columns.slice(-2).map((c) => c.name)).toEqual(datasetsJson.lineage_columns.map((c) => c.name));
  });

  test('a source table has the contract columns less its partition keys, the columns its job adds, then the lineage columns', () => {
    const customers = tableNamed(template, 'customers') as {
      StorageDescriptor: { Columns: { Name: string }[]; Location: unknown };
      PartitionKeys: { Name: string }[];
      Parameters: Record<string, string>;
    };
    const names = customers.StorageDescriptor.Columns.map((c) => c.Name);
    expect(names.slice(-4)).toEqual(['valid_from', 'row_hash', '_source_file', '_curated_at']);
    expect(customers.PartitionKeys.map((k) => k.Name)).toEqual(['extract_date']);
    expect(customers.Parameters).toMatchObject({ source: 'oltp', 'projection.extract_date.type': 'date' });
    const spend = tableNamed(template, 'campaign_spend') as typeof customers;
    expect(spend.StorageDescriptor.Columns.map((c) => c.Name)).not.toContain('spend_date');
    expect(spend.PartitionKeys).toEqual([expect.objectContaining({ Name: 'spend_date', Type: 'date' })]);
    const sessions = tableNamed(template, 'session_documents') as typeof customers;
    expect(sessions.PartitionKeys.map((k) => k.Name)).toEqual(['export_date', 'export_id']);
    // an export id cannot be enumerated: a query names the snapshot it reads
    expect(sessions.Parameters['projection.export_id.type']).toBe('injected');
    for (const d of SOURCE_DATASETS) {
      expect(tableNamed(template, `${d.name}_quarantine`)).toBeDefined();
      const t = tableNamed(template, d.name) as typeof customers;
      expect(t.StorageDescriptor.Columns.map((c) => c.Name)).toEqual(sourceColumns(d).map((c) => c.name));
    }
  });

  test.each(datasetsJson.event_datasets.map((d) => [d.name, d.contract]))(
    'the %s table has the columns of glue-columns.json, then the lineage columns',
    (name, contract) => {
      const input = tableNamed(template, name) as { StorageDescriptor: { Columns: unknown[] } };
      expect(input.StorageDescriptor.Columns).toEqual([
        ...glueColumns[contract].map(({ name: n, type }) => ({ Name: n, Type: type })),
        ...datasetsJson.lineage_columns.map((c) => ({ Name: c.name, Type: c.type, Comment: c.comment })),
      ]);
    },
  );

  test('a curated table is Parquet under curated/<dataset>/, partitioned and projected by event_date', () => {
    template.hasResourceProperties('AWS::Glue::Table', {
      DatabaseName: 'ecom_dev_curated',
      TableInput: Match.objectLike({
        Name: 'order_events',
        TableType: 'EXTERNAL_TABLE',
        PartitionKeys: [{ Name: 'event_date', Type: 'string', Comment: Match.anyValue() }],
        Parameters: Match.objectLike({
          classification: 'parquet',
          'projection.enabled': 'true',
          'projection.event_date.type': 'date',
          'projection.event_date.format': 'yyyy-MM-dd',
          'projection.event_date.range': '2020-01-01,NOW',
        }),
        StorageDescriptor: Match.objectLike({
          Location: { 'Fn::Join': ['', ['s3://', { Ref: curatedId }, '/curated/order_events/']] },
          SerdeInfo: { SerializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe' },
        }),
      }),
    });
  });

  test('a quarantine table is Parquet under quarantine/<dataset>/, partitioned by run_id', () => {
    const input = tableNamed(template, 'order_events_quarantine') as {
      PartitionKeys: unknown[];
      StorageDescriptor: { Columns: { Name: string }[]; Location: unknown };
      Parameters: Record<string, string>;
    };
    expect(input.PartitionKeys).toEqual([{ Name: 'run_id', Type: 'string', Comment: 'the curation run' }]);
    expect(input.StorageDescriptor.Columns.map((c) => c.Name)).toEqual(
      datasetsJson.quarantine_columns.map((c) => c.name).filter((n) => n !== 'run_id'),
    );
    expect(input.StorageDescriptor.Location).toEqual({
      'Fn::Join': ['', ['s3://', { Ref: curatedId }, '/quarantine/order_events/']],
    });
    expect(input.Parameters['projection.run_id.type']).toBe('injected');
  });

  test('has a quarantine table for the lines no dataset takes, under quarantine/_unrouted/', () => {
    const input = tableNamed(template, 'unrouted_quarantine') as { StorageDescriptor: { Location: unknown } };
    expect(input.StorageDescriptor.Location).toEqual({
      'Fn::Join': ['', ['s3://', { Ref: curatedId }, '/quarantine/_unrouted/']],
    });
  });

  test.each(STREAM_IDS.map((s) => [s]))(
    'the raw table of %s is JSON under events/stream=<stream>/',
    (stream) => {
      const input = tableNamed(template, `${stream}_events`) as {
        StorageDescriptor: {
          Columns: unknown[];
          Location: unknown;
          SerdeInfo: { SerializationLibrary: string };
        };
        PartitionKeys: { Name: string }[];
      };
      expect(input.StorageDescriptor.Location).toEqual({
        'Fn::Join': ['', ['s3://', { Ref: rawId }, `/events/stream=${stream}/`]],
      });
      expect(input.StorageDescriptor.SerdeInfo.SerializationLibrary).toBe(
        'org.openx.data.jsonserde.JsonSerDe',
      );
      expect(input.PartitionKeys.map((k) => k.Name)).toEqual(['event_date']);
      expect(input.StorageDescriptor.Columns).toEqual(
        rawColumns(stream).map((c) => ({ Name: c.name, Type: c.type })),
      );
    },
  );

  test('creates no account-wide catalog encryption settings', () => {
    template.resourceCountIs('AWS::Glue::DataCatalogEncryptionSettings', 0);
  });

  test('has zero unacknowledged cdk-nag findings', () => {
    const app = testApp();
    const s = new Stack(app, 'NagStack');
    const lake = lakeStack(s);
    new LakeCatalog(s, 'Catalog', { prefix: 'ecom-dev', rawBucket: lake.raw, curatedBucket: lake.curated });
    app.synth();
    expect(nagFindings(s).filter((f) => f.includes('/Catalog/'))).toEqual([]);
  });
});

describe('lake datasets helpers', () => {
  test('raw columns keep timestamps and dates as text, nested ones too', () => {
    for (const stream of STREAM_IDS) {
      for (const c of rawColumns(stream)) expect(c.type).not.toMatch(/(^|[<:,])(timestamp|date)($|[>,])/);
    }
    expect(rawColumns('orders').find((c) => c.name === 'event_time')?.type).toBe('string');
  });

  test('every dataset of contracts/datasets.json is in EVENT_DATASETS', () => {
    expect(EVENT_DATASETS.map((d) => d.name)).toEqual(datasetsJson.event_datasets.map((d) => d.name));
  });

  test('database names are lower case with underscores', () => {
    expect(glueDatabaseName('ecom-prod', 'curated')).toBe('ecom_prod_curated');
  });
});

describe('LakeCatalog validation', () => {
  const make = (props: Partial<ConstructorParameters<typeof LakeCatalog>[2]>) => {
    const { stack, raw, curated } = lakeStack();
    return () =>
      new LakeCatalog(stack, 'Catalog', {
        prefix: 'ecom-dev',
        rawBucket: raw,
        curatedBucket: curated,
        ...props,
      });
  };

  test('rejects a prefix Glue cannot name a database with', () => {
    expect(make({ prefix: 'Ecom Dev' })).toThrow(/prefix 'Ecom Dev'/);
  });

  test('rejects a first event date that is not YYYY-MM-DD', () => {
    expect(make({ firstEventDate: '2020/01/01' })).toThrow(/firstEventDate '2020\/01\/01'/);
  });

  test('rejects an empty dataset list', () => {
    expect(make({ datasets: [] })).toThrow(/datasets is empty/);
  });

  test('rejects a derived dataset name that collides with a curated dataset', () => {
    expect(make({ derivedDatasets: [{ ...DERIVED_DATASETS[0], name: 'order_events' }] })).toThrow(
      /two curated datasets are named 'order_events'/,
    );
  });

  test('rejects an inconsistent derived declaration, naming the dataset and the problem', () => {
    const entry = datasetsJson.derived_datasets[0];
    expect(() => derivedDataset({ ...entry, from: 'orders' })).toThrow(
      /derived dataset 'order_lines' is derived from 'orders', which is not an event dataset/,
    );
    expect(() => derivedDataset({ ...entry, unique_key: ['event_id', 'nope'] })).toThrow(
      /unique_key names undeclared columns nope/,
    );
    expect(() =>
      derivedDataset({
        ...entry,
        columns: [...entry.columns, { name: 'event_date', type: 'string', comment: '' }],
      }),
    ).toThrow(/partition key event_date is a column/);
  });

  test('rejects a dataset name that is not a Glue table name', () => {
    expect(make({ datasets: [{ ...EVENT_DATASETS[0], name: 'Order-Events' }] })).toThrow(
      /dataset name 'Order-Events'/,
    );
  });
});
