import { Metrics } from '@aws-lambda-powertools/metrics';
import type { DeadLetterSink } from '../../lambdas/shared/dead-letter';
import {
  ApplyEvent,
  BatchOutcome,
  createKinesisTransformer,
  publishBatchMetrics,
} from '../../lambdas/shared/kinesis-transformer';
import type { NormalizedEvent } from '../../lambdas/shared/normalize';
import type { Rejection } from '../../lambdas/shared/rejection';
import { orderCreated, orderEvent } from './fixtures/events';
import { jsonRecord, kinesisEvent, rawRecord } from './fixtures/kinesis';
import { RecordingLogger, testSettings } from './fixtures/settings';

class MemorySink implements DeadLetterSink {
  readonly batches: Rejection[][] = [];
  failNext = false;

  async write(rejections: readonly Rejection[]): Promise<void> {
    if (this.failNext) {
      this.failNext = false;
      throw new Error('S3 is down');
    }
    this.batches.push([...rejections]);
  }
}

/** An apply function that records what it applied and fails on chosen order ids. */
function fakeApply(failOn: Set<string> = new Set()) {
  const applied: string[] = [];
  const apply: ApplyEvent = async (n: NormalizedEvent) => {
    const id = n.contract === 'order-event' ? n.event.order_id : '?';
    if (failOn.has(id))
      throw Object.assign(new Error('Throughput exceeded'), {
        name: 'ProvisionedThroughputExceededException',
      });
    applied.push(id);
    return id.endsWith('DUP') ? 'duplicate' : 'applied';
  };
  return { apply, applied };
}

function setup(failOn?: Set<string>) {
  const sink = new MemorySink();
  const logger = new RecordingLogger();
  const outcomes: BatchOutcome[] = [];
  const { apply, applied } = fakeApply(failOn);
  const transform = createKinesisTransformer({
    settings: testSettings('orders'),
    applyEvent: apply,
    deadLetter: sink,
    logger,
    onBatchOutcome: (o) => {
      outcomes.push(o);
    },
  });
  return { transform, sink, logger, outcomes, applied };
}

describe('createKinesisTransformer', () => {
  test('applies every good record in order and reports no failures', async () => {
    // Prepare
    const { transform, applied, outcomes } = setup();
    const event = kinesisEvent(
      ['ORD-A', 'ORD-B', 'ORD-DUP'].map((id) => jsonRecord(orderCreated({ order_id: id }))),
    );

    // Act
    const response = await transform(event);

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(applied).toEqual(['ORD-A', 'ORD-B', 'ORD-DUP']);
    expect(outcomes).toEqual([
      {
        stream: 'orders',
        received: 3,
        applied: 2,
        duplicates: 1,
        rejected: 0,
        rejectedByCode: {},
        failed: 0,
      },
    ]);
  });

  test('acknowledges bad records, dead-letters them in one write and logs them without the payload', async () => {
    const { transform, sink, logger, outcomes } = setup();
    const bad1 = rawRecord('%%%');
    const good = jsonRecord(orderCreated({ order_id: 'ORD-A' }));
    const bad2 = jsonRecord({ ...orderCreated({ order_id: 'ORD-B' }), currency: 'ZZZ', note: 'secret' });

    const response = await transform(kinesisEvent([bad1, good, bad2]));

    expect(response.batchItemFailures).toEqual([]);
    expect(sink.batches).toHaveLength(1);
    expect(sink.batches[0].map((r) => [r.sequenceNumber, r.code])).toEqual([
      [bad1.kinesis.sequenceNumber, 'NOT_BASE64'],
      [bad2.kinesis.sequenceNumber, 'CONTRACT_VIOLATION'],
    ]);
    expect(outcomes[0]).toMatchObject({
      received: 3,
      applied: 1,
      rejected: 2,
      rejectedByCode: { NOT_BASE64: 1, CONTRACT_VIOLATION: 1 },
      failed: 0,
    });
    const warnings = logger.entries.filter((e) => e.level === 'warn');
    expect(warnings.map((w) => w.attributes.code)).toEqual(['NOT_BASE64', 'CONTRACT_VIOLATION']);
    expect(warnings[1].attributes).toMatchObject({
      sequence_number: bad2.kinesis.sequenceNumber,
      event_id: expect.any(String),
    });
    expect(JSON.stringify(logger.entries)).not.toMatch(/secret|ORD-B/);
  });

  test('reports the first failure and every later record, applying none of them', async () => {
    const { transform, applied, outcomes, sink } = setup(new Set(['ORD-B']));
    const records = [
      jsonRecord(orderCreated({ order_id: 'ORD-A' })),
      jsonRecord(orderCreated({ order_id: 'ORD-B' })),
      jsonRecord(orderCreated({ order_id: 'ORD-C' })),
      rawRecord('!!!!'),
    ];

    const response = await transform(kinesisEvent(records));

    expect(applied).toEqual(['ORD-A']);
    expect(response.batchItemFailures).toEqual(
      records.slice(1).map((r) => ({ itemIdentifier: r.kinesis.sequenceNumber })),
    );
    expect(sink.batches).toEqual([]); // the bad record after the failure is retried, not judged now
    expect(outcomes[0]).toMatchObject({ received: 4, applied: 1, rejected: 0, failed: 3 });
  });

  test('reports a fully failed batch item by item instead of throwing', async () => {
    const { transform, outcomes } = setup(new Set(['ORD-A']));
    const records = [
      jsonRecord(orderCreated({ order_id: 'ORD-A' })),
      jsonRecord(orderEvent('order.paid', '2024-09-18T15:00:00Z', { order_id: 'ORD-A' })),
    ];

    const response = await transform(kinesisEvent(records));

    expect(response.batchItemFailures).toHaveLength(2);
    expect(outcomes[0]).toMatchObject({ received: 2, failed: 2 });
  });

  test('reports the rejected records as failures when the dead-letter write fails', async () => {
    const { transform, sink, outcomes } = setup();
    sink.failNext = true;
    const bad = rawRecord('????');
    const records = [
      jsonRecord(orderCreated({ order_id: 'ORD-A' })),
      bad,
      jsonRecord(orderCreated({ order_id: 'ORD-C' })),
    ];

    const response = await transform(kinesisEvent(records));

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: bad.kinesis.sequenceNumber }]);
    expect(outcomes[0]).toMatchObject({
      received: 3,
      applied: 2,
      rejected: 0,
      rejectedByCode: {},
      failed: 1,
      deadLetterError: 'Error: S3 is down',
    });
  });

  test('keeps received = applied + duplicates + rejected + failed', async () => {
    const { transform, outcomes } = setup(new Set(['ORD-X']));
    const records = [
      jsonRecord(orderCreated({ order_id: 'ORD-A' })),
      jsonRecord(orderCreated({ order_id: 'ORD-DUP' })),
      rawRecord('bad?'),
      jsonRecord(orderCreated({ order_id: 'ORD-X' })),
      jsonRecord(orderCreated({ order_id: 'ORD-Z' })),
    ];

    await transform(kinesisEvent(records));

    const o = outcomes[0];
    expect(o.applied + o.duplicates + o.rejected + o.failed).toBe(o.received);
    expect(o).toMatchObject({ applied: 1, duplicates: 1, rejected: 1, failed: 2 });
  });

  test('handles an empty batch', async () => {
    const { transform, outcomes } = setup();

    const response = await transform(kinesisEvent([]));

    expect(response).toEqual({ batchItemFailures: [] });
    expect(outcomes[0]).toMatchObject({ received: 0 });
  });

  test('runs concurrent batches independently', async () => {
    const { transform, applied } = setup(new Set(['ORD-F']));
    const failing = kinesisEvent([
      jsonRecord(orderCreated({ order_id: 'ORD-F' })),
      jsonRecord(orderCreated({ order_id: 'ORD-G' })),
    ]);
    const healthy = kinesisEvent([
      jsonRecord(orderCreated({ order_id: 'ORD-H' })),
      jsonRecord(orderCreated({ order_id: 'ORD-I' })),
    ]);

    const [a, b] = await Promise.all([transform(failing), transform(healthy)]);

    expect(a.batchItemFailures).toHaveLength(2);
    expect(b.batchItemFailures).toHaveLength(0);
    expect(applied.sort()).toEqual(['ORD-H', 'ORD-I']);
  });
});

describe('publishBatchMetrics', () => {
  test('emits the batch counts as EMF with the stream dimension and one metric per rejection code', () => {
    // Prepare
    const metrics = new Metrics({ namespace: 'EcommercePlatform', serviceName: 'orders-transformer' });
    const published: unknown[] = [];
    // Powertools writes EMF straight to stdout (its own Console), not through console.log.
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      for (const line of String(chunk).split('\n').filter(Boolean)) published.push(JSON.parse(line));
      return true;
    });
    const outcome: BatchOutcome = {
      stream: 'orders',
      received: 5,
      applied: 2,
      duplicates: 1,
      rejected: 1,
      rejectedByCode: { MALFORMED_JSON: 1 },
      failed: 1,
    };

    // Act
    try {
      publishBatchMetrics(metrics, outcome);
    } finally {
      spy.mockRestore();
    }

    // Assess
    const text = JSON.stringify(published);
    expect(text).toMatch(/"rejected_by_code":1/);
    expect(text).toMatch(/"code":"MALFORMED_JSON"/);
    const main = published.find((p) => (p as Record<string, unknown>).received !== undefined) as Record<
      string,
      unknown
    >;
    expect(main).toMatchObject({
      stream: 'orders',
      received: 5,
      applied: 2,
      duplicates: 1,
      rejected: 1,
      failed: 1,
    });
    expect(JSON.stringify(main._aws)).toMatch(/"Namespace":"EcommercePlatform"/);
  });
});
