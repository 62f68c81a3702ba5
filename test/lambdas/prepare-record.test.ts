import { prepareRecord } from '../../lambdas/shared/prepare-record';
import { MAX_REJECTED_DATA_CHARS } from '../../lambdas/shared/rejection';
import { appLog, interaction, movement, orderCreated, orderEvent, productMetadata } from '../fixtures/events';
import { jsonRecord, rawRecord } from './fixtures/kinesis';
import { testSettings } from './fixtures/settings';

const orders = testSettings('orders');
const inventory = testSettings('inventory');
const clickstream = testSettings('clickstream');
const fixedClock = () => new Date('2024-09-18T12:34:56.000Z');

function rejectionOf(payload: unknown, settings = orders) {
  const result = prepareRecord(jsonRecord(payload, { stream: settings.streamId }), settings, fixedClock);
  if (result.ok) throw new Error(`expected a rejection, got ${JSON.stringify(result.normalized)}`);
  return result.rejection;
}

describe('prepareRecord', () => {
  test('returns the normalized event of a valid record', () => {
    // Prepare
    const event = orderCreated();

    // Act
    const result = prepareRecord(jsonRecord(event), orders);

    // Assess
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.eventId).toBe(event.event_id);
    expect(result.eventType).toBe('order.created');
    expect(result.normalized.contract).toBe('order-event');
    expect(result.normalized.contract === 'order-event' && result.normalized.event.order_total).toBe(
      '127.30',
    );
  });

  test.each([
    ['orders', 'order-event', orderCreated()],
    ['orders', 'product-metadata-event', productMetadata()],
    ['inventory', 'inventory-movement', movement('inventory.received', 5)],
    ['clickstream', 'clickstream-event', interaction()],
    ['clickstream', 'application-log-event', appLog()],
  ] as const)('routes a valid event on the %s stream to %s', (stream, contract, event) => {
    const result = prepareRecord(jsonRecord(event), testSettings(stream));

    expect(result.ok && result.normalized.contract).toBe(contract);
  });

  test('records where the rejected record came from and keeps its data', () => {
    const record = jsonRecord(
      { event_type: 'order.teleported', event_id: 'evt-00000001' },
      {
        shardId: 'shardId-000000000007',
        sequenceNumber: '49590338271490256608559692538361571095921575989136588898',
        partitionKey: 'ORD-1',
        arrival: 1726662896.123,
      },
    );

    const result = prepareRecord(record, orders, fixedClock);

    expect(result).toEqual({
      ok: false,
      rejection: {
        code: 'UNKNOWN_EVENT_TYPE',
        message: expect.stringMatching(/unknown event_type 'order.teleported'/),
        stream: 'orders',
        shardId: 'shardId-000000000007',
        sequenceNumber: '49590338271490256608559692538361571095921575989136588898',
        partitionKey: 'ORD-1',
        approximateArrivalTimestamp: '2024-09-18T12:34:56.123Z',
        eventId: 'evt-00000001',
        eventType: 'order.teleported',
        data: record.kinesis.data,
        truncated: false,
        rejectedAt: '2024-09-18T12:34:56.000Z',
      },
    });
  });

  test('rejects data that is not base64', () => {
    const result = prepareRecord(rawRecord('not base64!'), orders, fixedClock);

    expect(result.ok || result.rejection.code).toBe('NOT_BASE64');
  });

  test('rejects an oversized record and truncates its data to 64 KiB', () => {
    const big = orderCreated({ lines: undefined, order_id: 'ORD-1' }) as unknown as Record<string, unknown>;
    big.padding = 'x'.repeat(300 * 1024);

    const rejection = rejectionOf(big);

    expect(rejection.code).toBe('OVERSIZED');
    expect(rejection.truncated).toBe(true);
    expect(rejection.data).toHaveLength(MAX_REJECTED_DATA_CHARS);
    expect(rejection.eventId).toBeUndefined();
  });

  test('rejects malformed JSON', () => {
    const result = prepareRecord(rawRecord(Buffer.from('{"event_type": "order.paid",')), orders, fixedClock);

    expect(result.ok || result.rejection.code).toBe('MALFORMED_JSON');
  });

  test.each([
    ['a JSON array', [orderCreated()]],
    ['a string', 'order.created'],
    ['null', null],
  ])('rejects %s as NOT_AN_OBJECT', (_case, payload) => {
    expect(rejectionOf(payload).code).toBe('NOT_AN_OBJECT');
  });

  test('rejects an object without event_type as MISSING_ENVELOPE', () => {
    const event: Partial<ReturnType<typeof orderCreated>> = orderCreated();
    delete event.event_type;

    expect(rejectionOf(event).code).toBe('MISSING_ENVELOPE');
  });

  test('rejects an unknown event type, asking to add it to a contract', () => {
    const rejection = rejectionOf({ ...orderCreated(), event_type: 'order.refunded' });

    expect(rejection.code).toBe('UNKNOWN_EVENT_TYPE');
    expect(rejection.message).toMatch(/add it to a contract in contracts\/schemas/);
  });

  test('rejects a future schema_version instead of guessing', () => {
    const rejection = rejectionOf({ ...orderCreated(), schema_version: 2 });

    expect(rejection.code).toBe('UNSUPPORTED_SCHEMA_VERSION');
    expect(rejection.message).toMatch(/schema_version 2 of order.created is newer than the supported 1/);
  });

  test.each([
    ['a missing key', { ...orderCreated(), order_id: undefined }, /missing required field 'order_id'/],
    ['a wrong type', { ...orderCreated(), customer_id: '12345' }, /\/customer_id must be integer/],
    [
      'a negative quantity',
      orderCreated({
        lines: [{ line_number: 1, sku: 'SKU-001', product_id: 1, quantity: -2, unit_price: 1 }],
      }),
      /\/lines\/0\/quantity must be >= 1/,
    ],
    [
      'a negative price',
      orderCreated({
        lines: [{ line_number: 1, sku: 'SKU-001', product_id: 1, quantity: 1, unit_price: -1 }],
      }),
      /\/lines\/0\/unit_price/,
    ],
    [
      'a negative price as a string',
      orderCreated({
        lines: [{ line_number: 1, sku: 'SKU-001', product_id: 1, quantity: 1, unit_price: '-1.00' }],
      }),
      /\/lines\/0\/unit_price/,
    ],
    ['an unknown field', { ...orderCreated(), coupon: 'X' }, /unknown field 'coupon'/],
    [
      'order.paid without payment',
      orderEvent('order.paid', '2024-09-18T15:00:00Z', { payment: undefined }),
      /missing required field 'payment'/,
    ],
  ])('rejects %s as CONTRACT_VIOLATION, naming the field', (_case, payload, reason) => {
    const rejection = rejectionOf(JSON.parse(JSON.stringify(payload)));

    expect(rejection.code).toBe('CONTRACT_VIOLATION');
    expect(rejection.message).toMatch(reason);
  });

  test('rejects an impossible calendar date as CONTRACT_VIOLATION (the date-time format)', () => {
    const rejection = rejectionOf({ ...orderCreated(), event_time: '2023-02-29T10:00:00Z' });

    expect(rejection.code).toBe('CONTRACT_VIOLATION');
    expect(rejection.message).toMatch(/\/event_time must match format "date-time"/);
  });

  test('rejects a negative inventory quantity', () => {
    const rejection = rejectionOf(movement('inventory.received', -3), inventory);

    expect(rejection.code).toBe('CONTRACT_VIOLATION');
    expect(rejection.message).toMatch(/\/quantity must be >= 1/);
  });

  test.each([
    [orders, movement('inventory.received', 1), /does not belong on the orders stream/],
    [inventory, orderCreated(), /does not belong on the inventory stream/],
    [clickstream, productMetadata(), /does not belong on the clickstream stream/],
  ])('rejects a valid event on the wrong stream as WRONG_STREAM', (settings, payload, reason) => {
    const rejection = rejectionOf(payload, settings);

    expect(rejection.code).toBe('WRONG_STREAM');
    expect(rejection.message).toMatch(reason);
  });

  test('rejects a value that cannot be normalized as INVALID_VALUE', () => {
    // The contract's date-time format already refuses 2023-02-29; a leap second passes it but has no UTC instant.
    const badDate = rejectionOf({ ...orderCreated(), event_time: '2024-12-31T23:59:60Z' });
    const badCurrency = rejectionOf(orderCreated({ currency: 'ZZZ' }));
    const tooPrecise = rejectionOf(
      orderCreated({
        currency: 'JPY',
        lines: [{ line_number: 1, sku: 'SKU-001', product_id: 1, quantity: 1, unit_price: '10.5' }],
      }),
    );

    expect([badDate.code, badCurrency.code, tooPrecise.code]).toEqual([
      'INVALID_VALUE',
      'INVALID_VALUE',
      'INVALID_VALUE',
    ]);
    expect(badDate.message).toMatch(
      /^\/event_time: '2024-12-31T23:59:60Z' is not a real instant: leap seconds/,
    );
    expect(badCurrency.message).toMatch(/^\/currency: currency 'ZZZ' is not supported/);
    expect(tooPrecise.message).toMatch(
      /^\/lines\/0\/unit_price: '10.5' has more decimals than JPY's 0 minor digit/,
    );
  });
});
