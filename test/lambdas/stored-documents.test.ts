/**
 * The items the transformers store must still be the documents their contracts describe once the
 * storage-only attributes (keys, TTLs, bookkeeping) are removed.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { ContractName } from '../../contracts/registry';
import { checkContract } from '../../contracts/validate';
import { APPLICATION_LOG_STORAGE_ATTRIBUTES } from '../../lambdas/clickstream-transformer/apply-application-log';
import { INTERACTION_STORAGE_ATTRIBUTES } from '../../lambdas/clickstream-transformer/apply-interaction';
import { REVIEW_STORAGE_ATTRIBUTES } from '../../lambdas/clickstream-transformer/apply-review';
import { SESSION_STORAGE_ATTRIBUTES } from '../../lambdas/clickstream-transformer/apply-session';
import { clickstreamApplier } from '../../lambdas/clickstream-transformer/transformer';
import { PRODUCT_METADATA_STORAGE_ATTRIBUTES } from '../../lambdas/orders-transformer/apply-product-metadata';
import { ordersApplier } from '../../lambdas/orders-transformer/transformer';
import { prepareRecord } from '../../lambdas/shared/prepare-record';
import type { ApplyEvent } from '../../lambdas/shared/kinesis-transformer';
import type { TransformerRuntimeSettings } from '../../lambdas/shared/runtime-settings';
import { appLog, interaction, productMetadata, review } from '../fixtures/events';
import { jsonRecord } from './fixtures/kinesis';
import { testSettings } from './fixtures/settings';
import { TestStores, startStores } from './fixtures/stores';

const SEED_DIR = path.join(__dirname, '..', '..', 'contracts', 'examples', 'seed');
const seed = (file: string) =>
  JSON.parse(fs.readFileSync(path.join(SEED_DIR, file), 'utf8')) as Record<string, unknown>;
const envelope = (type: string, id: string) => ({
  event_id: id,
  event_type: type,
  event_time: '2024-09-18T15:00:00+01:00',
  schema_version: 1,
});

let stores: TestStores;

beforeAll(async () => {
  stores = await startStores('docs');
});

afterAll(async () => {
  await stores.stop();
});

async function apply(
  applier: ApplyEvent,
  settings: TransformerRuntimeSettings,
  events: unknown[],
): Promise<void> {
  for (const e of events) {
    const prepared = prepareRecord(jsonRecord(e), settings);
    if (!prepared.ok) throw new Error(`${prepared.rejection.code}: ${prepared.rejection.message}`);
    await applier(prepared.normalized);
  }
}

/** The item as a document: storage-only attributes removed, sets turned into arrays. */
function asDocument(
  item: Record<string, unknown> | undefined,
  storageOnly: readonly string[],
): Record<string, unknown> {
  if (!item) throw new Error('item not found');
  const doc: Record<string, unknown> = { ...item };
  for (const a of storageOnly) delete doc[a];
  return doc;
}

function expectValid(contract: ContractName, doc: Record<string, unknown>): void {
  expect({ contract, ...checkContract(contract, doc) }).toEqual({ contract, ok: true });
}

describe('stored documents validate against their contracts', () => {
  test('customer_interactions and session_data (from the seed interaction and more)', async () => {
    // Prepare
    const settings = testSettings('clickstream', stores.tables);
    const events = [
      {
        ...envelope('clickstream.interaction', 'evt-seed-interaction'),
        ...seed('customer_interactions.json'),
      },
      interaction({
        interaction_type: 'checkout_attempt',
        timestamp: '2024-09-18T14:30:00-02:00',
        interaction_details: { session_id: 'abcd-efgh-ijkl-1234', status: 'abandoned' },
      }),
      interaction({
        interaction_type: 'search',
        search_query: 'headphones',
        product_id: undefined,
        interaction_details: { session_id: 'abcd-efgh-ijkl-1234', device: 'mobile' },
      }),
    ].map((e) => JSON.parse(JSON.stringify(e)));

    // Act
    await apply(clickstreamApplier({ settings, documents: stores.documents }), settings, events);

    // Assess
    const interactions = await stores.documents.send(
      new QueryCommand({
        TableName: stores.tables['customer-interactions'],
        KeyConditionExpression: 'customer_id = :c',
        ExpressionAttributeValues: { ':c': 12345 },
      }),
    );
    expect(interactions.Items).toHaveLength(3);
    for (const item of interactions.Items ?? [])
      expectValid('customer-interaction', asDocument(item, INTERACTION_STORAGE_ATTRIBUTES));
    const session = await stores.documents.send(
      new GetCommand({ TableName: stores.tables.sessions, Key: { session_id: 'abcd-efgh-ijkl-1234' } }),
    );
    expectValid('session', asDocument(session.Item, SESSION_STORAGE_ATTRIBUTES));
  });

  test('product_reviews (the seed review)', async () => {
    const settings = testSettings('clickstream', stores.tables);
    await apply(
      clickstreamApplier({ settings, documents: stores.documents }),
      settings,
      [
        { ...envelope('review.submitted', 'evt-seed-review'), ...seed('product_reviews.json') },
        review({
          product_id: 987,
          review_id: 2,
          title: 'Meh',
          verified_purchase: true,
          review_media: undefined,
        }),
      ].map((e) => JSON.parse(JSON.stringify(e))),
    );

    const reviews = await stores.documents.send(
      new QueryCommand({
        TableName: stores.tables['product-reviews'],
        KeyConditionExpression: 'product_id = :p',
        ExpressionAttributeValues: { ':p': 987 },
      }),
    );

    expect(reviews.Items).toHaveLength(2);
    for (const item of reviews.Items ?? [])
      expectValid('product-review', asDocument(item, REVIEW_STORAGE_ATTRIBUTES));
  });

  test('application_logs (the seed log)', async () => {
    const settings = testSettings('clickstream', stores.tables);
    await apply(clickstreamApplier({ settings, documents: stores.documents }), settings, [
      { ...envelope('app.log', 'evt-seed-log'), ...seed('application_logs.json') },
      appLog({ log_id: 2, log_level: 'ERROR', service: 'checkout', customer_id: 5, request_id: 'req-1' }),
    ]);

    const logs = await stores.documents.send(
      new QueryCommand({
        TableName: stores.tables['application-logs'],
        KeyConditionExpression: 'log_partition = :p',
        ExpressionAttributeValues: { ':p': 'ERROR#2024-09-18' },
      }),
    );

    expect(logs.Items).toHaveLength(2);
    for (const item of logs.Items ?? [])
      expectValid('application-log', asDocument(item, APPLICATION_LOG_STORAGE_ATTRIBUTES));
  });

  test('product_metadata (the seed metadata)', async () => {
    const settings = testSettings('orders', stores.tables);
    await apply(ordersApplier({ settings, documents: stores.documents }), settings, [
      { ...envelope('product.metadata_updated', 'evt-seed-metadata'), ...seed('product_metadata.json') },
      productMetadata({ product_id: 988, metadata: { specifications: { weight_g: 250, foldable: true } } }),
    ]);

    for (const productId of [987, 988]) {
      const out = await stores.documents.send(
        new GetCommand({ TableName: stores.tables['product-metadata'], Key: { product_id: productId } }),
      );
      expectValid('product-metadata', asDocument(out.Item, PRODUCT_METADATA_STORAGE_ATTRIBUTES));
    }
  });

  test('an unknown attribute would be caught (the check is not vacuous)', () => {
    const check = checkContract('session', { ...seed('session_data.json'), event_ids: ['x'] });

    expect(check.ok).toBe(false);
  });
});
