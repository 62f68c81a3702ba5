import * as fs from 'node:fs';
import * as path from 'node:path';
import { GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { ClickstreamEvent } from '../../contracts/generated/types';
import { MAX_SESSION_EVENTS } from '../../lambdas/clickstream-transformer/apply-session';
import {
  clickstreamApplier,
  createClickstreamTransformer,
} from '../../lambdas/clickstream-transformer/transformer';
import type { DeadLetterSink } from '../../lambdas/shared/dead-letter';
import { prepareRecord } from '../../lambdas/shared/prepare-record';
import { appLog, interaction, review } from '../fixtures/events';
import { jsonRecord, kinesisEvent } from './fixtures/kinesis';
import { RecordingLogger, testSettings } from './fixtures/settings';
import { TestStores, injectFailures, once, startStores } from './fixtures/stores';

let stores: TestStores;
const settings = () => testSettings('clickstream', stores.tables);
const seedSession = JSON.parse(
  fs.readFileSync(
    path.join(__dirname, '..', '..', 'contracts', 'examples', 'seed', 'session_data.json'),
    'utf8',
  ),
) as Record<string, unknown>;

beforeAll(async () => {
  stores = await startStores();
});

afterAll(async () => {
  await stores.stop();
});

async function applyAll(events: unknown[]): Promise<string[]> {
  const apply = clickstreamApplier({
    settings: settings(),
    documents: stores.documents,
    clock: () => new Date('2024-09-20T00:00:00Z'),
  });
  const outcomes: string[] = [];
  for (const e of events) {
    const prepared = prepareRecord(jsonRecord(e, { stream: 'clickstream' }), settings());
    if (!prepared.ok) throw new Error(prepared.rejection.message);
    outcomes.push(await apply(prepared.normalized));
  }
  return outcomes;
}

async function session(sessionId: string) {
  const out = await stores.documents.send(
    new GetCommand({
      TableName: stores.tables.sessions,
      Key: { session_id: sessionId },
      ConsistentRead: true,
    }),
  );
  return out.Item;
}

/** The interactions behind the seed's session_data document (13:05 … 13:30). */
function seedInteractions(sessionId: string): ClickstreamEvent[] {
  const details = { session_id: sessionId };
  return [
    interaction({
      interaction_type: 'browse',
      page: 'Home Page',
      timestamp: '2024-09-18T13:05:00Z',
      product_id: undefined,
      interaction_details: details,
    }),
    interaction({
      interaction_type: 'browse',
      page: 'Product Page',
      timestamp: '2024-09-18T15:10:00+02:00',
      product_id: 987,
      interaction_details: details,
    }),
    interaction({
      interaction_type: 'add_to_cart',
      page: 'Product Page',
      timestamp: '2024-09-18T13:15:00Z',
      product_id: 987,
      interaction_details: details,
    }),
    interaction({
      interaction_type: 'checkout_attempt',
      page: 'Checkout',
      timestamp: '2024-09-18T13:30:00Z',
      product_id: undefined,
      interaction_details: { ...details, status: 'abandoned' },
    }),
  ].map((e) => JSON.parse(JSON.stringify(e)) as ClickstreamEvent);
}

const utc = (t: string) => t.replace('Z', '.000Z');

describe('sessions', () => {
  test('interactions build the seed session_data document', async () => {
    // Prepare
    const events = seedInteractions('abcd-efgh-ijkl-1234');

    // Act
    const outcomes = await applyAll(events);

    // Assess
    expect(outcomes).toEqual(['applied', 'applied', 'applied', 'applied']);
    const item = await session('abcd-efgh-ijkl-1234');
    const seedPages = seedSession.pages_visited as { visit_timestamp: string }[];
    const seedActions = seedSession.actions as { timestamp: string }[];
    expect(item).toMatchObject({
      session_id: seedSession.session_id,
      customer_id: seedSession.customer_id,
      start_time: '2024-09-18T13:05:00.000Z',
      end_time: '2024-09-18T13:30:00.000Z',
      pages_visited: seedPages.map((p) => ({ ...p, visit_timestamp: utc(p.visit_timestamp) })),
      actions: seedActions.map((a) => ({ ...a, timestamp: utc(a.timestamp) })),
      page_count: 2,
      action_count: 2,
    });
    expect(item?.event_ids).toEqual(new Set(events.map((e) => e.event_id)));
    expect(item?.expires_at).toBe(Date.parse('2024-09-18T13:30:00Z') / 1000 + 30 * 86_400);
  });

  test('out-of-order interactions keep the earliest start and the latest end', async () => {
    const [home, product, cart, checkout] = seedInteractions('sess-out-of-order');

    const outcomes = await applyAll([cart, checkout, home, product]);

    expect(outcomes).toEqual(['applied', 'applied', 'applied', 'applied']);
    const item = await session('sess-out-of-order');
    expect(item).toMatchObject({
      start_time: '2024-09-18T13:05:00.000Z',
      end_time: '2024-09-18T13:30:00.000Z',
      page_count: 2,
      action_count: 2,
    });
    expect((item?.pages_visited as unknown[]).length).toBe(2);
    expect(item?.expires_at).toBe(Date.parse('2024-09-18T13:30:00Z') / 1000 + 30 * 86_400);
  });

  test('a replayed interaction appends nothing', async () => {
    const events = seedInteractions('sess-replay');
    await applyAll(events);
    const before = await session('sess-replay');

    const outcomes = await applyAll([events[3], events[0], events[2]]);

    expect(outcomes).toEqual(['duplicate', 'duplicate', 'duplicate']);
    expect(await session('sess-replay')).toEqual(before);
  });

  test('a crash between the interaction write and the session write is repaired by the retry', async () => {
    const logger = new RecordingLogger();
    const deadLetter: DeadLetterSink = { write: async () => undefined };
    const transform = createClickstreamTransformer({
      settings: settings(),
      documents: stores.documents,
      deadLetter,
      logger,
    });
    const records = seedInteractions('sess-crash').map((e) => jsonRecord(e, { stream: 'clickstream' }));
    const restore = injectFailures(
      stores.documents,
      once((c) => c instanceof UpdateCommand),
    );

    let first;
    try {
      first = await transform(kinesisEvent(records));
    } finally {
      restore();
    }
    const retry = await transform(kinesisEvent(records));

    expect(first.batchItemFailures).toHaveLength(4);
    expect(retry.batchItemFailures).toEqual([]);
    expect(await session('sess-crash')).toMatchObject({ page_count: 2, action_count: 2 });
  });

  test(`a session takes at most ${MAX_SESSION_EVENTS} interactions`, async () => {
    const events = Array.from({ length: MAX_SESSION_EVENTS + 2 }, (_, i) =>
      interaction({
        event_id: `evt-cap-${String(i).padStart(4, '0')}`,
        timestamp: new Date(Date.UTC(2024, 8, 18, 10, 0, i)).toISOString(),
        interaction_details: { session_id: 'sess-cap' },
      }),
    );

    const outcomes = await applyAll(events);

    const item = await session('sess-cap');
    expect((item?.event_ids as Set<string>).size).toBe(MAX_SESSION_EVENTS);
    expect(item?.page_count).toBe(MAX_SESSION_EVENTS);
    expect(outcomes.filter((o) => o === 'applied')).toHaveLength(MAX_SESSION_EVENTS + 2); // every interaction itself is stored
  });
});

describe('customer interactions', () => {
  test('stores each interaction once under customer and time, with a TTL from its timestamp', async () => {
    // Prepare
    const e = interaction({
      customer_id: 777,
      timestamp: '2024-09-18T16:15:00+02:00',
      interaction_details: { session_id: 'sess-777' },
    });

    // Act
    await applyAll([e, e]);

    // Assess
    const out = await stores.documents.send(
      new QueryCommand({
        TableName: stores.tables['customer-interactions'],
        KeyConditionExpression: 'customer_id = :c',
        ExpressionAttributeValues: { ':c': 777 },
      }),
    );
    expect(out.Items).toEqual([
      {
        customer_id: 777,
        interaction_key: `2024-09-18T14:15:00.000Z#${e.event_id}`,
        interaction_type: 'browse',
        timestamp: '2024-09-18T14:15:00.000Z',
        page: 'Product Page',
        product_id: 987,
        interaction_details: { session_id: 'sess-777' },
        expires_at: Date.parse('2024-09-18T14:15:00Z') / 1000 + 90 * 86_400,
      },
    ]);
  });
});

describe('reviews', () => {
  async function reviewsOf(productId: number) {
    const out = await stores.documents.send(
      new QueryCommand({
        TableName: stores.tables['product-reviews'],
        KeyConditionExpression: 'product_id = :p',
        ExpressionAttributeValues: { ':p': productId },
      }),
    );
    return out.Items ?? [];
  }

  test('the newest event wins and an older edit is ignored', async () => {
    const submitted = review({ product_id: 4001, event_time: '2024-09-15T12:00:00Z', rating: 3 });
    const edited = review({
      product_id: 4001,
      event_type: 'review.updated',
      event_time: '2024-09-16T08:00:00Z',
      rating: 4.5,
    });

    const outcomes = await applyAll([edited, submitted]);

    expect(outcomes).toEqual(['applied', 'duplicate']);
    const items = await reviewsOf(4001);
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({
      review_key: '2024-09-15T12:00:00.000Z#23456',
      rating: 4.5,
      review_event_id: edited.event_id,
    });
  });

  test('the by-customer index lists a customer reviews by date', async () => {
    await applyAll([
      review({ product_id: 4101, review_id: 1, customer_id: 888, review_date: '2024-09-10T10:00:00Z' }),
      review({ product_id: 4102, review_id: 2, customer_id: 888, review_date: '2024-09-12T10:00:00+05:00' }),
    ]);

    const out = await stores.documents.send(
      new QueryCommand({
        TableName: stores.tables['product-reviews'],
        IndexName: 'by-customer',
        KeyConditionExpression: 'customer_id = :c',
        ExpressionAttributeValues: { ':c': 888 },
      }),
    );

    expect(out.Items?.map((i) => [i.review_id, i.review_date])).toEqual([
      [1, '2024-09-10T10:00:00.000Z'],
      [2, '2024-09-12T05:00:00.000Z'],
    ]);
  });
});

describe('application logs', () => {
  test('partitions by level and UTC day, written once', async () => {
    const log = appLog({ log_id: 9001, log_level: 'WARN', timestamp: '2024-09-19T01:30:00+02:00' });

    const outcomes = await applyAll([log, log]);

    expect(outcomes).toEqual(['applied', 'duplicate']);
    const out = await stores.documents.send(
      new QueryCommand({
        TableName: stores.tables['application-logs'],
        KeyConditionExpression: 'log_partition = :p',
        ExpressionAttributeValues: { ':p': 'WARN#2024-09-18' },
      }),
    );
    expect(out.Items).toEqual([
      expect.objectContaining({
        log_key: '2024-09-18T23:30:00.000Z#9001',
        timestamp: '2024-09-18T23:30:00.000Z',
        expires_at: Date.parse('2024-09-18T23:30:00Z') / 1000 + 14 * 86_400,
      }),
    ]);
  });
});
