/**
 * The DynamoDB document tables end to end in the twin: the real transformers fill the tables, the
 * export stand-in writes them to the raw zone in AWS's export layout, the real Glue job
 * (glue-scripts/jobs/dynamodb_documents_to_curated.py) curates the export on local PySpark, the
 * curated Parquet is read back with DuckDB, and a second run changes nothing.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { createHash } from 'node:crypto';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { DuckDBInstance } from '@duckdb/node-api';
import { APPLICATION_LOG_STORAGE_ATTRIBUTES } from '../../lambdas/clickstream-transformer/apply-application-log';
import { INTERACTION_STORAGE_ATTRIBUTES } from '../../lambdas/clickstream-transformer/apply-interaction';
import { REVIEW_STORAGE_ATTRIBUTES } from '../../lambdas/clickstream-transformer/apply-review';
import { SESSION_STORAGE_ATTRIBUTES } from '../../lambdas/clickstream-transformer/apply-session';
import { PRODUCT_METADATA_STORAGE_ATTRIBUTES } from '../../lambdas/orders-transformer/apply-product-metadata';
import datasets from '../../contracts/datasets.json';
import { Emulators, startEmulators } from '../../twin/emulators';
import type { LocalTwin } from '../../twin/local-twin';
import {
  DOCUMENT_TABLE_IDS,
  DocumentTableId,
  exportDocumentTables,
  exportIdOf,
  runDocumentCuration,
  toExportJson,
} from '../../twin/dynamodb-export';
import { mixedWorkload, putWorkload, twinOn } from '../integration/fixtures';

const STORAGE_ATTRIBUTES: Record<DocumentTableId, readonly string[]> = {
  'customer-interactions': INTERACTION_STORAGE_ATTRIBUTES,
  'product-reviews': REVIEW_STORAGE_ATTRIBUTES,
  sessions: SESSION_STORAGE_ATTRIBUTES,
  'product-metadata': PRODUCT_METADATA_STORAGE_ATTRIBUTES,
  'application-logs': APPLICATION_LOG_STORAGE_ATTRIBUTES,
};

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.parquet'))
    .sort();
}

async function query(sql: string): Promise<Record<string, unknown>[]> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    return (await connection.runAndReadAll(sql)).getRowObjectsJson();
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

test('the exporter writes DynamoDB JSON for every attribute type', () => {
  expect(
    toExportJson({
      M: {
        s: { S: 'x' },
        n: { N: '4.5' },
        b: { B: new Uint8Array([0, 1]) },
        t: { BOOL: true },
        z: { NULL: true },
        ss: { SS: ['a'] },
        ns: { NS: ['1'] },
        bs: { BS: [new Uint8Array([255])] },
        l: { L: [{ N: '1' }, { S: 'y' }] },
      },
    }),
  ).toEqual({
    M: {
      s: { S: 'x' },
      n: { N: '4.5' },
      b: { B: 'AAE=' },
      t: { BOOL: true },
      z: { NULL: true },
      ss: { SS: ['a'] },
      ns: { NS: ['1'] },
      bs: { BS: ['/w=='] },
      l: { L: [{ N: '1' }, { S: 'y' }] },
    },
  });
  expect(exportIdOf(new Date('2026-01-06T00:00:00Z'), 'abcd0123')).toBe('01767657600000-abcd0123');
});

test('contracts/datasets.json drops exactly the attributes the transformers add', () => {
  const byTable = Object.fromEntries(
    datasets.document_datasets.map((d) => [d.table_id, d.internal_attributes]),
  );
  for (const id of DOCUMENT_TABLE_IDS) expect(byTable[id]).toEqual([...STORAGE_ATTRIBUTES[id]]);
});

describe('export and curation of the document tables', () => {
  let emulators: Emulators;
  let twin: LocalTwin;

  beforeAll(async () => {
    emulators = await startEmulators();
    twin = await twinOn(emulators);
  });

  afterAll(async () => {
    await twin.stop({ removeRoot: true });
    await emulators.stop();
  });

  test('exports in AWS layout, curates typed snapshots with DuckDB-readable Parquet, and a rerun changes nothing', async () => {
    // Prepare: the real transformers write every document table; one review item breaks its contract.
    await putWorkload(twin, mixedWorkload());
    await twin.drain();
    await twin.documents.send(
      new PutCommand({
        TableName: twin.tables['product-reviews'],
        Item: {
          product_id: 987,
          review_key: '2024-09-16T00:00:00.000Z#999',
          review_id: 999,
          customer_id: 1,
          rating: 9,
          review_date: '2024-09-16T00:00:00.000Z',
        },
      }),
    );

    // Act: export.
    const exports = await exportDocumentTables(twin.dynamo, twin.prefix, twin.lakeRoot, {
      exportTime: new Date('2026-01-06T03:00:00Z'),
    });

    // Assess: AWS's layout, manifests and counts.
    const expected: Record<DocumentTableId, number> = {
      'customer-interactions': 3,
      'product-reviews': 2,
      sessions: 1,
      'product-metadata': 1,
      'application-logs': 1,
    };
    for (const id of DOCUMENT_TABLE_IDS) {
      const e = exports[id];
      expect(e.exportKey).toMatch(new RegExp(`^dynamodb/${id}/AWSDynamoDB/01767668400000-[0-9a-f]{8}$`));
      const dir = join(twin.lakeRoot, e.exportKey);
      expect(readdirSync(dir).sort()).toEqual([
        '_started',
        'data',
        'manifest-files.checksum',
        'manifest-files.json',
        'manifest-summary.checksum',
        'manifest-summary.json',
      ]);
      const summary = JSON.parse(readFileSync(join(dir, 'manifest-summary.json'), 'utf8'));
      expect(summary).toMatchObject({
        version: '2020-06-30',
        exportArn: e.exportArn,
        exportTime: '2026-01-06T03:00:00.000Z',
        manifestFilesS3Key: `${e.exportKey}/manifest-files.json`,
        itemCount: expected[id],
        outputFormat: 'DYNAMODB_JSON',
        exportType: 'FULL_EXPORT',
      });
      expect(e.exportArn).toMatch(new RegExp(`:table/${twin.tables[id]}/export/${e.exportId}$`));
      const manifest = readFileSync(join(dir, 'manifest-files.json'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      let lines = 0;
      for (const entry of manifest) {
        expect(entry.dataFileS3Key).toMatch(new RegExp(`^${e.exportKey}/data/[a-z2-7]{26}\\.json\\.gz$`));
        const body = readFileSync(join(twin.lakeRoot, entry.dataFileS3Key));
        expect(entry.md5Checksum).toBe(createHash('md5').update(body).digest('base64'));
        const items = gunzipSync(body).toString('utf8').split('\n').filter(Boolean);
        expect(items).toHaveLength(entry.itemCount);
        for (const line of items) expect(Object.keys(JSON.parse(line))).toEqual(['Item']);
        lines += items.length;
      }
      expect(lines).toBe(expected[id]);
    }
    const sessionLine = gunzipSync(
      readFileSync(join(twin.lakeRoot, exports.sessions.dataFiles[0].dataFileS3Key)),
    ).toString('utf8');
    expect(JSON.parse(sessionLine).Item.event_ids.SS).toHaveLength(3);

    // Act: the real job.
    const curatedRoot = join(twin.root, 'lake', 'curated');
    const first = await runDocumentCuration({ rawRoot: twin.lakeRoot, curatedRoot, runId: 'docs-1' });

    // Assess: the run report.
    expect(first.reconciled).toBe(true);
    expect(first.datasets.customer_interaction_documents).toMatchObject({
      read: 3,
      written: 3,
      quarantined: {},
    });
    expect(first.datasets.session_documents).toMatchObject({ read: 1, written: 1 });
    expect(first.datasets.product_metadata_documents).toMatchObject({ read: 1, written: 1 });
    expect(first.datasets.application_log_documents).toMatchObject({ read: 1, written: 1 });
    expect(first.datasets.product_review_documents).toMatchObject({
      read: 2,
      written: 1,
      quarantined: { CONTRACT_VIOLATION: 1 },
      export_id: exports['product-reviews'].exportId,
      snapshot: `curated/product_review_documents/export_date=2026-01-06/export_id=${exports['product-reviews'].exportId}`,
    });

    // Assess: the curated Parquet, read with DuckDB: typed nested fields, no internal attributes.
    const sessions = await query(
      `SELECT * FROM read_parquet('${curatedRoot}/curated/session_documents/**/*.parquet', hive_partitioning = true)`,
    );
    expect(sessions).toHaveLength(1);
    const [session] = sessions;
    expect(Object.keys(session)).toEqual([
      'session_id',
      'customer_id',
      'start_time',
      'end_time',
      'pages_visited',
      'actions',
      '_source_file',
      '_curated_at',
      'export_date',
      'export_id',
    ]);
    expect(session).toMatchObject({
      export_id: exports.sessions.exportId,
      _source_file: exports.sessions.dataFiles[0].dataFileS3Key,
    });
    expect((session.pages_visited as unknown[]).length).toBe(2);
    expect(session.actions).toEqual([
      expect.objectContaining({ action: 'add_to_cart', timestamp: expect.stringContaining('2024-09-18') }),
    ]);
    const types = await query(
      `SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet('${curatedRoot}/curated/session_documents/**/*.parquet'))`,
    );
    const typeOf = Object.fromEntries(types.map((t) => [t.column_name, t.column_type]));
    expect(typeOf.customer_id).toBe('BIGINT');
    expect(typeOf.start_time).toMatch(/^TIMESTAMP/);
    expect(typeOf.pages_visited).toMatch(/^STRUCT\(page_name VARCHAR, visit_timestamp TIMESTAMP.*\)\[\]$/);
    const metadata = await query(
      `SELECT metadata.tags AS tags, metadata.specifications AS specs FROM read_parquet('${curatedRoot}/curated/product_metadata_documents/**/*.parquet')`,
    );
    expect(metadata).toEqual([{ tags: ['wireless', 'bluetooth'], specs: expect.anything() }]);
    const reviews = await query(
      `SELECT review_id, rating FROM read_parquet('${curatedRoot}/curated/product_review_documents/**/*.parquet')`,
    );
    expect(reviews).toHaveLength(1);
    const quarantine = await query(
      `SELECT reason_code, reason FROM read_parquet('${curatedRoot}/quarantine/product_review_documents/**/*.parquet')`,
    );
    expect(quarantine).toEqual([{ reason_code: 'CONTRACT_VIOLATION', reason: 'rating is outside [1, 5]' }]);
    const latest = JSON.parse(
      readFileSync(join(curatedRoot, '_state', 'dynamodb_documents_to_curated', 'latest.json'), 'utf8'),
    );
    expect(latest.session_documents.export_id).toBe(exports.sessions.exportId);
    const filesAfterFirst = filesUnder(join(curatedRoot, 'curated'));

    // Act: the job again over the same exports.
    const second = await runDocumentCuration({ rawRoot: twin.lakeRoot, curatedRoot, runId: 'docs-2' });

    // Assess: nothing curated again.
    expect(second.totals).toEqual({ read: 0, written: 0, quarantined: 0 });
    expect(new Set(Object.values(second.datasets).map((d) => d.status))).toEqual(
      new Set(['already curated']),
    );
    expect(filesUnder(join(curatedRoot, 'curated'))).toEqual(filesAfterFirst);
  }, 240_000);
});
