import * as fs from 'node:fs';
import * as path from 'node:path';
import { CONTRACTS, ContractName, EVENT_CONTRACTS, EventContractName } from '../../contracts/registry';
import { checkContract, checkEvent } from '../../contracts/validate';
import { flattenContract, loadSchema, SCHEMA_DIR } from '../../contracts/flatten';
import { STREAMS } from '../../lib/streams/stream-definitions';
import { SCHEMA_FILES } from '../../contracts/schema-files';
import { movement, orderCreated } from '../fixtures/events';

const SEED_DIR = path.join(__dirname, '..', '..', 'contracts', 'examples', 'seed');
const seed = (file: string): unknown => JSON.parse(fs.readFileSync(path.join(SEED_DIR, file), 'utf8'));

/** A valid example of every event contract; the invalid cases below are variations of these. */
const VALID_EVENTS: Record<EventContractName, object> = {
  'order-event': orderCreated(),
  'inventory-movement': movement('inventory.adjusted', 3, { product_id: 987, reason: 'damaged in storage' }),
  'clickstream-event': {
    event_id: '6f1c2b7e-0000-4000-8000-000000000003',
    event_type: 'clickstream.interaction',
    event_time: '2024-09-18T14:15:01Z',
    schema_version: 1,
    ...(seed('customer_interactions.json') as object),
  },
  'review-event': {
    event_id: '6f1c2b7e-0000-4000-8000-000000000004',
    event_type: 'review.submitted',
    event_time: '2024-09-15T12:00:01Z',
    schema_version: 1,
    ...(seed('product_reviews.json') as object),
  },
  'product-metadata-event': {
    event_id: '6f1c2b7e-0000-4000-8000-000000000005',
    event_type: 'product.metadata_updated',
    event_time: '2024-09-01T00:00:00Z',
    schema_version: 1,
    ...(seed('product_metadata.json') as object),
  },
  'application-log-event': {
    event_id: '6f1c2b7e-0000-4000-8000-000000000006',
    event_type: 'app.log',
    event_time: '2024-09-18T12:45:00.250Z',
    schema_version: 1,
    ...(seed('application_logs.json') as object),
  },
};

describe('the original design documents', () => {
  test.each([
    ['customer-interaction', 'customer_interactions.json'],
    ['product-metadata', 'product_metadata.json'],
    ['product-review', 'product_reviews.json'],
    ['session', 'session_data.json'],
    ['application-log', 'application_logs.json'],
  ] as [ContractName, string][])('%s accepts %s', (contract, file) => {
    expect(checkContract(contract, seed(file))).toEqual({ ok: true });
  });

  test('a document with an unknown field is refused, naming the field', () => {
    const doc = { ...(seed('application_logs.json') as object), severity: 'high' };
    expect(checkContract('application-log', doc)).toEqual({
      ok: false,
      message: "(root) has unknown field 'severity'",
    });
  });
});

describe('valid events', () => {
  test.each(Object.entries(VALID_EVENTS))('%s example passes', (contract, event) => {
    expect(checkEvent(event)).toEqual({ ok: true, contract });
  });

  test.each(Object.entries(EVENT_CONTRACTS).flatMap(([c, types]) => types.map((t) => [c, t])))(
    '%s accepts event type %s',
    (contract, eventType) => {
      const base = VALID_EVENTS[contract as EventContractName];
      const extras: Record<string, Record<string, unknown>> = {
        'order.paid': { payment: { method: 'card', amount: '114.80' } },
        'order.shipped': { shipment: { warehouse_id: 'WH-DUB-1', carrier: 'DHL' } },
        'order.returned': { returned_lines: [{ line_number: 1, quantity: 1 }], reason: 'too small' },
      };
      expect(checkEvent({ ...base, event_type: eventType, ...(extras[eventType] ?? {}) })).toEqual({
        ok: true,
        contract,
      });
    },
  );
});

describe('invalid events', () => {
  const order = VALID_EVENTS['order-event'];
  const movement = VALID_EVENTS['inventory-movement'];
  const cases: [string, unknown, string, RegExp][] = [
    ['not an object', [1, 2], 'NOT_AN_OBJECT', /JSON object, got an array/],
    ['no event_type', { ...order, event_type: undefined }, 'MISSING_ENVELOPE', /event_type/],
    [
      'unknown event type',
      { ...order, event_type: 'order.teleported' },
      'UNKNOWN_EVENT_TYPE',
      /order\.teleported/,
    ],
    [
      'future schema_version',
      { ...order, schema_version: 2 },
      'UNSUPPORTED_SCHEMA_VERSION',
      /schema_version 2/,
    ],
    [
      'schema_version as a string',
      { ...order, schema_version: '1' },
      'CONTRACT_VIOLATION',
      /schema_version must be integer/,
    ],
    [
      'missing event_id',
      { ...order, event_id: undefined },
      'CONTRACT_VIOLATION',
      /missing required field 'event_id'/,
    ],
    ['wrong type', { ...order, customer_id: 'abc' }, 'CONTRACT_VIOLATION', /customer_id must be integer/],
    [
      'created without lines',
      { ...order, lines: undefined },
      'CONTRACT_VIOLATION',
      /missing required field 'lines'/,
    ],
    [
      'negative price',
      { ...order, lines: [{ line_number: 1, sku: 'SKU-001', product_id: 1, quantity: 1, unit_price: -1 }] },
      'CONTRACT_VIOLATION',
      /lines\/0\/unit_price/,
    ],
    ['negative quantity', { ...movement, quantity: -5 }, 'CONTRACT_VIOLATION', /quantity must be >= 1/],
    [
      'adjustment without direction',
      { ...movement, direction: undefined },
      'CONTRACT_VIOLATION',
      /direction/,
    ],
    [
      'bad timestamp',
      { ...movement, event_time: '18/09/2024 14:15' },
      'CONTRACT_VIOLATION',
      /event_time must match format/,
    ],
    [
      'lower-case currency',
      { ...order, currency: 'eur' },
      'CONTRACT_VIOLATION',
      /currency must match pattern/,
    ],
    [
      'unknown top-level field',
      { ...movement, colour: 'red' },
      'CONTRACT_VIOLATION',
      /unknown field 'colour'/,
    ],
    [
      'review rating out of range',
      { ...VALID_EVENTS['review-event'], rating: 6 },
      'CONTRACT_VIOLATION',
      /rating must be <= 5/,
    ],
  ];
  test.each(cases)('%s is refused with %s', (_name, event, code, message) => {
    const result = checkEvent(JSON.parse(JSON.stringify(event)));
    expect(result).toMatchObject({ ok: false, code });
    expect(result.ok ? '' : result.message).toMatch(message);
  });
});

describe('the registry and the schema folder agree', () => {
  test('every schema file is imported by contracts/schema-files.ts', () => {
    const files = fs.readdirSync(SCHEMA_DIR).filter((f) => f.endsWith('.schema.json'));
    expect(Object.keys(SCHEMA_FILES).sort()).toEqual(files.sort());
  });

  test('every schema file is registered, and every registered contract has a file', () => {
    const files = fs.readdirSync(SCHEMA_DIR).filter((f) => f !== 'common.schema.json');
    expect(files.sort()).toEqual(Object.values(CONTRACTS).sort());
  });

  test.each(Object.entries(EVENT_CONTRACTS))(
    '%s: event types in the schema equal the registry',
    (name, types) => {
      const flat = flattenContract(name as ContractName) as {
        properties: { event_type: { enum: string[] } };
      };
      expect(flat.properties.event_type.enum).toEqual([...types]);
    },
  );

  test.each(Object.keys(EVENT_CONTRACTS))('%s carries the event envelope', (name) => {
    const flat = flattenContract(name as ContractName) as { required: string[] };
    expect(flat.required).toEqual(
      expect.arrayContaining(['event_id', 'event_type', 'event_time', 'schema_version']),
    );
  });

  test('every event contract is accepted on exactly one stream', () => {
    const accepted = Object.values(STREAMS).flatMap((s) => s.contracts);
    expect([...accepted].sort()).toEqual(Object.keys(EVENT_CONTRACTS).sort());
  });

  test('every schema declares draft 2020-12 and an $id equal to its file name', () => {
    for (const [name, file] of Object.entries(CONTRACTS)) {
      const schema = loadSchema(name as ContractName);
      expect({ file, $schema: schema.$schema, $id: schema.$id }).toEqual({
        file,
        $schema: 'https://json-schema.org/draft/2020-12/schema',
        $id: file,
      });
    }
  });
});
