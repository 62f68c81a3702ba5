/**
 * Helpers of the API tests: the local API started on the twin with data (generated curated zone in
 * the local warehouse, live orders and stock in the twin's tables), SigV4-signed calls to it (as an
 * AWS SDK client signs them), and a check of every answer against the contract (api/openapi.yaml)
 * with openapi-backend's response validation.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import addFormats from 'ajv-formats';
import OpenAPIBackend, { ValidationContext, type Document } from 'openapi-backend';
import { OPENAPI_DOCUMENT } from '../../api/generated/openapi-document';
import { LocalApi, LocalCredentials, signedHeaders, startLocalApi } from '../../api/local-server';
import { LocalTwin, startLocalTwin } from '../../twin/local-twin';
import { LocalWarehouse } from '../../twin/warehouse/local-warehouse';
import { CuratedFixture, DEFAULT_FIXTURE_OPTIONS, buildCuratedFixture } from '../warehouse/curated-fixture';
import { movement, newOrderId, orderCreated, orderEvent } from '../integration/fixtures';

export interface Answer {
  readonly status: number;
  readonly contentType: string;
  readonly headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly body: any;
}

export interface CallOptions {
  /** false: no signature at all. */
  readonly sign?: boolean;
  readonly credentials?: LocalCredentials;
  readonly region?: string;
  readonly signingDate?: Date;
  /** The usage-plan key sent in x-api-key (default the local one; null: none). */
  readonly apiKey?: string | null;
  /** Headers changed after signing (a tampered request). */
  readonly afterSigning?: (headers: Record<string, string>) => Record<string, string>;
  readonly method?: string;
}

/** Calls the API at `base` + `path` (path and query as they go on the wire). */
export async function call(base: string, path: string, options: CallOptions = {}): Promise<Answer> {
  const url = `${base}${path}`;
  let headers: Record<string, string> = {};
  if (options.sign !== false) {
    headers = await signedHeaders(url, {
      method: options.method,
      credentials: options.credentials,
      region: options.region,
      signingDate: options.signingDate,
      apiKey: options.apiKey,
    });
    delete headers.host; // fetch sets it (the same value)
  }
  if (options.afterSigning) headers = options.afterSigning(headers);
  const res = await fetch(url, { method: options.method ?? 'GET', headers });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: kept as text (the assertions then fail with the text)
  }
  return {
    status: res.status,
    contentType: res.headers.get('content-type') ?? '',
    headers: res.headers,
    body,
  };
}

let contract: OpenAPIBackend | undefined;

/** The contract, loaded strictly (an invalid document throws). */
export async function loadContract(): Promise<OpenAPIBackend> {
  if (!contract) {
    const api = new OpenAPIBackend({
      definition: structuredClone(OPENAPI_DOCUMENT) as unknown as Document,
      strict: true,
      validate: true,
      ajvOpts: { strict: false, allErrors: true },
      customizeAjv: (ajv) => {
        addFormats(ajv, ['date', 'date-time']);
        return ajv;
      },
    });
    await api.init();
    contract = api;
  }
  return contract;
}

/** Throws unless the answer is one the document declares for the operation (status, media type, body, headers). */
export async function expectConforms(operationId: string, a: Answer): Promise<void> {
  const api = await loadContract();
  const operation = api.getOperation(operationId);
  if (!operation) throw new Error(`no operation ${operationId}`);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const declared = (operation.responses as any)[String(a.status)];
  if (!declared)
    throw new Error(`${operationId}: status ${a.status} is not documented (${JSON.stringify(a.body)})`);
  const mediaTypes = Object.keys(declared.content ?? {});
  const mediaType = a.contentType.split(';')[0].trim();
  if (!mediaTypes.includes(mediaType))
    throw new Error(
      `${operationId} ${a.status}: content-type ${mediaType}, documented ${mediaTypes.join(', ')}`,
    );
  const schema = declared.content[mediaType].schema;
  const ajv = api.validator.getAjv(ValidationContext.Response);
  const validate = ajv.compile(schema);
  if (!validate(a.body))
    throw new Error(
      `${operationId} ${a.status}: body does not conform: ${JSON.stringify(validate.errors)}\n${JSON.stringify(a.body).slice(0, 500)}`,
    );
  for (const name of Object.keys(declared.headers ?? {}))
    if (a.headers.get(name) === null)
      throw new Error(`${operationId} ${a.status}: header ${name} is missing`);
}

export const PROBLEMS = 'https://docs.ecommerce-data-platform.example/problems/';

/** Expects a problem answer of `status` and `kind`, with a useful detail. */
export function expectProblem(a: Answer, status: number, kind: string): void {
  expect({ status: a.status, contentType: a.contentType, type: a.body?.type }).toEqual({
    status,
    contentType: 'application/problem+json',
    type: `${PROBLEMS}${kind}`,
  });
  expect(typeof a.body.detail).toBe('string');
  expect(a.body.detail.length).toBeGreaterThan(10);
  expect(a.body.status).toBe(status);
  expect(JSON.stringify(a.body)).not.toMatch(/at .*\.ts:\d+|stack/i);
}

// ---- the local API on the twin, with data ------------------------------------------------------

export const API_WAREHOUSE = 'WH-API-1';
export const API_OTHER_WAREHOUSE = 'WH-API-2';
/** SKU -> [units received, units written off, reorder point] in API_WAREHOUSE: five below their reorder point, one not. */
export const API_STOCK: Record<string, [number, number, number]> = {
  'SKU-API-0001': [100, 95, 20], // available 5, headroom -15
  'SKU-API-0002': [50, 45, 10], // 5, -5
  'SKU-API-0003': [30, 29, 40], // 1, -39
  'SKU-API-0004': [60, 10, 20], // 50, +30 (not below)
  'SKU-API-0005': [10, 2, 9], // 8, -1
  'SKU-API-0006': [80, 60, 30], // 20, -10
};

export interface ApiOnTwin {
  readonly dir: string;
  readonly fx: CuratedFixture;
  readonly twin: LocalTwin;
  readonly wh: LocalWarehouse;
  readonly api: LocalApi;
  /** The two live orders: one paid, one cancelled. */
  readonly orderIds: { readonly paid: string; readonly cancelled: string };
  /** Stops the API, the twin and the warehouse and removes the data. */
  close(): Promise<void>;
}

/**
 * The local API on its own twin (own emulators) with data: live orders and stock (API_STOCK in
 * API_WAREHOUSE, one more position in API_OTHER_WAREHOUSE) put on the twin's streams and applied by
 * the real transformers, and a generated curated zone of 120 days loaded into a LocalWarehouse
 * through the real migrations and loads.
 */
export async function startApiOnTwin(): Promise<ApiOnTwin> {
  const dir = await mkdtemp(join(tmpdir(), 'api-test-'));
  const orderIds = { paid: newOrderId(), cancelled: newOrderId() };
  let twin: LocalTwin | undefined;
  let wh: LocalWarehouse | undefined;
  let api: LocalApi | undefined;
  const close = async (): Promise<void> => {
    await api?.close();
    await twin?.stop();
    wh?.close();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    twin = await startLocalTwin({ root: join(dir, 'twin') });
    const orders = [
      orderCreated(orderIds.paid, { event_time: '2024-09-18T12:00:00Z' }),
      orderEvent('order.paid', orderIds.paid, '2024-09-18T12:05:00Z'),
      orderCreated(orderIds.cancelled, { event_time: '2024-09-18T13:00:00Z' }),
      orderEvent('order.cancelled', orderIds.cancelled, '2024-09-18T13:30:00Z'),
    ];
    const movements = Object.entries(API_STOCK).flatMap(([sku, [received, shipped, rp]]) => [
      movement('inventory.received', sku, received, {
        warehouse_id: API_WAREHOUSE,
        reorder_point: rp,
        event_time: '2024-09-18T06:00:00Z',
      }),
      // A decrease (a shipment takes reserved stock, so it would not lower what is available).
      movement('inventory.adjusted', sku, shipped, {
        warehouse_id: API_WAREHOUSE,
        event_time: '2024-09-18T07:00:00Z',
      }),
    ]);
    movements.push(
      movement('inventory.received', 'SKU-API-0001', 7, {
        warehouse_id: API_OTHER_WAREHOUSE,
        reorder_point: 5,
        event_time: '2024-09-18T06:00:00Z',
      }),
    );
    await twin.putEvents('orders', orders);
    await twin.putEvents('inventory', movements);
    const [fx] = await Promise.all([
      buildCuratedFixture(join(dir, 'lake'), { ...DEFAULT_FIXTURE_OPTIONS, days: 120 }),
      twin.drain(),
    ]);
    wh = await LocalWarehouse.open();
    await wh.migrate();
    const report = await wh.load({ curatedRoot: fx.root, runId: 'api-test' });
    expect(report.reconciled).toBe(true);
    api = await startLocalApi({ warehouse: wh, documents: twin.documents, tables: twin.tables });
    return { dir, fx, twin, wh, api, orderIds, close };
  } catch (e) {
    await close();
    throw e;
  }
}
