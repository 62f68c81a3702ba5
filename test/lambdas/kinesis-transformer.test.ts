import type { KinesisStreamRecord } from 'aws-lambda';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { DeadLetterSink } from '../../lambdas/shared/dead-letter';
import {
  ApplyEvent,
  ApplyOutcome,
  BatchOutcome,
  createKinesisTransformer,
  publishBatchMetrics,
} from '../../lambdas/shared/kinesis-transformer';
import type { NormalizedEvent } from '../../lambdas/shared/normalize';
import type { Rejection } from '../../lambdas/shared/rejection';
import { orderCreated, orderEvent } from '../fixtures/events';
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
        // A transformer that declares no business metrics publishes none.
        business: {},
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

  test('reports the rejected records and every later record as failures when the dead-letter write fails', async () => {
    // Prepare: records in sequence order, as Kinesis delivers them.
    const { transform, sink, outcomes, applied } = setup();
    sink.failNext = true;
    const records = [
      jsonRecord(orderCreated({ order_id: 'ORD-A' })),
      rawRecord('????'),
      jsonRecord(orderCreated({ order_id: 'ORD-C' })),
    ];

    // Act
    const response = await transform(kinesisEvent(records));

    // Assess: Lambda redelivers from the bad record on, so ORD-C is reported too (applied, it will be
    // a duplicate on the retry) and counts as failed, not applied.
    expect(applied).toEqual(['ORD-A', 'ORD-C']);
    expect(response.batchItemFailures).toEqual(
      records.slice(1).map((r) => ({ itemIdentifier: r.kinesis.sequenceNumber })),
    );
    expect(outcomes[0]).toMatchObject({
      received: 3,
      applied: 1,
      rejected: 0,
      rejectedByCode: {},
      failed: 2,
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
      business: { orders_created: 2, order_revenue: 127.3 },
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
      orders_created: 2,
      order_revenue: 127.3,
    });
    expect(JSON.stringify(main._aws)).toMatch(/"Namespace":"EcommercePlatform"/);
    // The alarms and the dashboard name both dimensions: Powertools adds `service` to `stream`.
    expect(JSON.stringify(main._aws)).toMatch(/"Dimensions":\[\["service","stream"\]\]/);
    expect(JSON.stringify(main._aws)).toMatch(/\{"Name":"order_revenue","Unit":"None"\}/);
  });
});

describe('business metrics of a batch', () => {
  /** An apply function that records one orders_created per applied order, as the orders applier does. */
  const recordingApply: ApplyEvent = async (n, business) => {
    if (orderIdOf(n).endsWith('DUP')) return 'duplicate';
    business?.add('orders_created');
    return 'applied';
  };

  function transformer(outcomes: BatchOutcome[]) {
    return createKinesisTransformer({
      settings: testSettings('orders'),
      applyEvent: recordingApply,
      deadLetter: new MemorySink(),
      logger: new RecordingLogger(),
      businessMetrics: ['orders_created', 'order_revenue'],
      onBatchOutcome: (o) => {
        outcomes.push(o);
      },
    });
  }

  test('sums what the batch recorded, with 0 for a declared metric nothing recorded', async () => {
    const outcomes: BatchOutcome[] = [];
    const transform = transformer(outcomes);

    await transform(kinesisEvent(['ORD-1', 'ORD-2', 'ORD-DUP'].map((id) => orderRecord(id, id))));
    await transform(kinesisEvent([orderRecord('ORD-DUP', 'k')]));

    expect(outcomes.map((o) => o.business)).toEqual([
      { orders_created: 2, order_revenue: 0 },
      { orders_created: 0, order_revenue: 0 },
    ]);
  });

  test('concurrent batches of one transformer keep their own sums', async () => {
    const outcomes: BatchOutcome[] = [];
    const transform = transformer(outcomes);
    const batch = (n: number) =>
      kinesisEvent(Array.from({ length: n }, (_, i) => orderRecord(`ORD-C${n}-${i}`, `k${i}`)));

    await Promise.all([transform(batch(3)), transform(batch(5))]);

    expect(outcomes.map((o) => o.business.orders_created).sort()).toEqual([3, 5]);
  });
});

/** The order id of a normalized order event (the tests' records are order events). */
function orderIdOf(n: NormalizedEvent): string {
  if (n.contract !== 'order-event') throw new Error(`unexpected ${n.contract}`);
  return n.event.order_id;
}

/** A record of an order.created for `orderId`, on partition key `key`. */
function orderRecord(orderId: string, key: string): KinesisStreamRecord {
  return jsonRecord(orderCreated({ order_id: orderId }), { partitionKey: key });
}

/** Lets every pending callback and promise run (one macrotask turn), so the loop reaches its next wait. */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * An apply function whose calls stay in flight until the test finishes them by order id, and which
 * records the order of starts and finishes and the most calls in flight, overall and per key.
 */
function gatedApply(keyOf: (orderId: string) => string) {
  const started: string[] = [];
  const finished: string[] = [];
  const open = new Map<string, { resolve: (o: ApplyOutcome) => void; reject: (e: Error) => void }>();
  const inFlightByKey = new Map<string, number>();
  let maxInFlight = 0;
  let maxInFlightOfOneKey = 0;
  const apply: ApplyEvent = (n) =>
    new Promise<ApplyOutcome>((resolve, reject) => {
      const id = orderIdOf(n);
      const key = keyOf(id);
      started.push(id);
      inFlightByKey.set(key, (inFlightByKey.get(key) ?? 0) + 1);
      maxInFlightOfOneKey = Math.max(maxInFlightOfOneKey, inFlightByKey.get(key) ?? 0);
      const end = () => {
        open.delete(id);
        inFlightByKey.set(key, (inFlightByKey.get(key) ?? 1) - 1);
        finished.push(id);
      };
      open.set(id, {
        resolve: (o) => {
          end();
          resolve(o);
        },
        reject: (e) => {
          end();
          reject(e);
        },
      });
      maxInFlight = Math.max(maxInFlight, open.size);
    });
  /** Finishes an open call and lets the loop move on. */
  const finish = async (id: string, how: ApplyOutcome | Error = 'applied'): Promise<void> => {
    const call = open.get(id);
    if (!call) throw new Error(`${id} is not in flight (in flight: ${[...open.keys()].join(', ')})`);
    if (how instanceof Error) call.reject(how);
    else call.resolve(how);
    await settle();
  };
  return {
    apply,
    finish,
    started,
    finished,
    inFlight: () => [...open.keys()],
    maxInFlight: () => maxInFlight,
    maxInFlightOfOneKey: () => maxInFlightOfOneKey,
  };
}

function gatedSetup(keyOf: (orderId: string) => string, maxInFlightRecords?: number) {
  const gate = gatedApply(keyOf);
  const sink = new MemorySink();
  const logger = new RecordingLogger();
  const outcomes: BatchOutcome[] = [];
  const transform = createKinesisTransformer({
    settings: testSettings('orders'),
    applyEvent: gate.apply,
    deadLetter: sink,
    logger,
    onBatchOutcome: (o) => {
      outcomes.push(o);
    },
    ...(maxInFlightRecords !== undefined ? { maxInFlightRecords } : {}),
  });
  return { gate, transform, sink, logger, outcomes };
}

/** Order ids are `ORD-<key><n>`: ORD-A1 is the first record of key A. */
const keyOfId = (id: string) => id.replace(/^ORD-([A-Z]+)\d+$/, '$1');

describe('createKinesisTransformer: concurrency by partition key', () => {
  test('records of two keys are in flight at the same time and finish in any order', async () => {
    // Prepare
    const { gate, transform, outcomes } = gatedSetup(keyOfId);
    const records = [
      orderRecord('ORD-A1', 'A'),
      orderRecord('ORD-A2', 'A'),
      orderRecord('ORD-B1', 'B'),
      orderRecord('ORD-B2', 'B'),
    ];

    // Act: B1 finishes while A1 is still in flight, then B2 while A1 still is.
    const done = transform(kinesisEvent(records));
    await settle();
    const firstWave = gate.inFlight();
    await gate.finish('ORD-B1');
    const afterB1 = gate.inFlight();
    await gate.finish('ORD-B2');
    await gate.finish('ORD-A1');
    await gate.finish('ORD-A2');
    const response = await done;

    // Assess
    expect(firstWave).toEqual(['ORD-A1', 'ORD-B1']);
    expect(afterB1).toEqual(['ORD-A1', 'ORD-B2']);
    expect(gate.finished).toEqual(['ORD-B1', 'ORD-B2', 'ORD-A1', 'ORD-A2']);
    expect(response).toEqual({ batchItemFailures: [] });
    expect(outcomes[0]).toMatchObject({ received: 4, applied: 4, failed: 0 });
  });

  test('records of one key start in sequence order, each after the previous one finished', async () => {
    // Prepare: three keys interleaved; the test always finishes the most recently started call.
    const { gate, transform } = gatedSetup(keyOfId);
    const ids = [1, 2, 3, 4, 5].flatMap((n) => [`ORD-A${n}`, `ORD-B${n}`, `ORD-C${n}`]);
    const records = ids.map((id) => orderRecord(id, keyOfId(id)));

    // Act
    const done = transform(kinesisEvent(records));
    await settle();
    while (gate.inFlight().length > 0) {
      const open = gate.inFlight();
      await gate.finish(open[open.length - 1]);
    }
    const response = await done;

    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(gate.maxInFlightOfOneKey()).toBe(1);
    expect(gate.maxInFlight()).toBe(3);
    for (const key of ['A', 'B', 'C']) {
      const ofKey = (list: string[]) => list.filter((id) => keyOfId(id) === key);
      expect(ofKey(gate.started)).toEqual(ofKey(ids));
      expect(ofKey(gate.finished)).toEqual(ofKey(ids));
    }
  });

  test('a failure on key A skips the later A records but not the B records', async () => {
    // Prepare
    const { gate, transform, logger, outcomes } = gatedSetup(keyOfId);
    const records = [
      orderRecord('ORD-B1', 'B'),
      orderRecord('ORD-A1', 'A'),
      orderRecord('ORD-B2', 'B'),
      orderRecord('ORD-A2', 'A'),
      orderRecord('ORD-B3', 'B'),
      orderRecord('ORD-A3', 'A'),
    ];

    // Act
    const done = transform(kinesisEvent(records));
    await settle();
    await gate.finish('ORD-A1', new Error('Throughput exceeded'));
    await gate.finish('ORD-B1');
    await gate.finish('ORD-B2');
    await gate.finish('ORD-B3');
    const response = await done;

    // Assess: A2 and A3 were never attempted; B2 and B3 were applied. Lambda redelivers everything
    // from A1 on, so the response names those records and the counts call them failed.
    expect(gate.started).toEqual(['ORD-B1', 'ORD-A1', 'ORD-B2', 'ORD-B3']);
    expect(response.batchItemFailures).toEqual(
      records.slice(1).map((r) => ({ itemIdentifier: r.kinesis.sequenceNumber })),
    );
    expect(outcomes[0]).toMatchObject({ received: 6, applied: 1, duplicates: 0, rejected: 0, failed: 5 });
    expect(logger.entries).toEqual([
      expect.objectContaining({
        level: 'error',
        attributes: expect.objectContaining({ sequence_number: records[1].kinesis.sequenceNumber }),
      }),
    ]);
  });

  test('bad records after the lowest failure are not dead-lettered now, but judged again on the retry', async () => {
    // Prepare: B's bad record comes before A's failure, C's after it.
    const { transform, sink, outcomes } = setup(new Set(['ORD-A1']));
    const records = [
      rawRecord('%%%%', { partitionKey: 'B' }),
      jsonRecord(orderCreated({ order_id: 'ORD-A1' }), { partitionKey: 'A' }),
      rawRecord('$$$$', { partitionKey: 'C' }),
      jsonRecord(orderCreated({ order_id: 'ORD-C1' }), { partitionKey: 'C' }),
    ];

    // Act
    const response = await transform(kinesisEvent(records));

    // Assess
    expect(sink.batches.map((b) => b.map((r) => r.sequenceNumber))).toEqual([
      [records[0].kinesis.sequenceNumber],
    ]);
    expect(response.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(
      records.slice(1).map((r) => r.kinesis.sequenceNumber),
    );
    expect(outcomes[0]).toMatchObject({ received: 4, applied: 0, rejected: 1, failed: 3 });
  });

  test('a batch and its retry count every record once and dead-letter every bad record once', async () => {
    // Prepare: an apply function that remembers what it applied, and fails ORD-A1 on its first attempt.
    const stored = new Set<string>();
    let failures = 0;
    const apply: ApplyEvent = async (n) => {
      const id = orderIdOf(n);
      if (id === 'ORD-A1' && failures === 0) {
        failures += 1;
        throw new Error('Throughput exceeded');
      }
      if (stored.has(id)) return 'duplicate';
      stored.add(id);
      return 'applied';
    };
    const sink = new MemorySink();
    const outcomes: BatchOutcome[] = [];
    const transform = createKinesisTransformer({
      settings: testSettings('orders'),
      applyEvent: apply,
      deadLetter: sink,
      logger: new RecordingLogger(),
      onBatchOutcome: (o) => {
        outcomes.push(o);
      },
    });
    const records = [
      orderRecord('ORD-B1', 'B'),
      orderRecord('ORD-A1', 'A'),
      orderRecord('ORD-B2', 'B'),
      rawRecord('????', { partitionKey: 'B' }),
      orderRecord('ORD-A2', 'A'),
    ];

    // Act: the first delivery, then Lambda's retry from the lowest failed sequence number.
    const first = await transform(kinesisEvent(records));
    const from = records.findIndex(
      (r) => r.kinesis.sequenceNumber === first.batchItemFailures[0].itemIdentifier,
    );
    const retry = await transform(kinesisEvent(records.slice(from)));

    // Assess
    expect(retry.batchItemFailures).toEqual([]);
    expect([...stored].sort()).toEqual(['ORD-A1', 'ORD-A2', 'ORD-B1', 'ORD-B2']);
    const total = (k: 'applied' | 'duplicates' | 'rejected') => outcomes.reduce((n, o) => n + o[k], 0);
    expect(total('applied') + total('duplicates') + total('rejected')).toBe(records.length);
    expect(total('rejected')).toBe(1);
    expect(sink.batches.flat()).toHaveLength(1);
    expect(total('duplicates')).toBe(1); // ORD-B2, applied by the first delivery
  });

  test('never has more records in flight than maxInFlightRecords', async () => {
    // Prepare: ten keys, a cap of three.
    const { gate, transform } = gatedSetup(keyOfId, 3);
    const ids = 'ABCDEFGHIJ'.split('').map((k) => `ORD-${k}1`);
    const records = ids.map((id) => orderRecord(id, keyOfId(id)));

    // Act
    const done = transform(kinesisEvent(records));
    await settle();
    const inFlightCounts: number[] = [];
    while (gate.inFlight().length > 0) {
      inFlightCounts.push(gate.inFlight().length);
      await gate.finish(gate.inFlight()[0]);
    }
    const response = await done;

    // Assess: always 3 in flight until the last two, started in sequence order.
    expect(response.batchItemFailures).toEqual([]);
    expect(gate.maxInFlight()).toBe(3);
    expect(inFlightCounts).toEqual([3, 3, 3, 3, 3, 3, 3, 3, 2, 1]);
    expect(gate.started).toEqual(ids);
  });

  test('runs a batch one record at a time with maxInFlightRecords 1', async () => {
    // Prepare
    const { gate, transform } = gatedSetup(keyOfId, 1);
    const records = [orderRecord('ORD-A1', 'A'), orderRecord('ORD-B1', 'B')];

    // Act
    const done = transform(kinesisEvent(records));
    await settle();
    const firstWave = gate.inFlight();
    await gate.finish('ORD-A1');
    await gate.finish('ORD-B1');
    await done;

    // Assess
    expect(firstWave).toEqual(['ORD-A1']);
    expect(gate.maxInFlight()).toBe(1);
  });

  test.each([0, -1, 1.5, Number.NaN])('refuses maxInFlightRecords %p', (value) => {
    // Prepare
    const build = () =>
      createKinesisTransformer({
        settings: testSettings('orders'),
        applyEvent: fakeApply().apply,
        deadLetter: new MemorySink(),
        logger: new RecordingLogger(),
        maxInFlightRecords: value,
      });

    // Act / Assess
    expect(build).toThrow(/maxInFlightRecords is .*, expected an integer of at least 1/);
  });
});
