/**
 * The demo's API step: the REST API's handler served on localhost (api/local-server.ts) over the
 * demo's warehouse and live tables, a few signed calls as a client would make them (an order's
 * status, a SKU's stock, the sales trend, the freshness), and ready-to-run curl lines.
 */
import {
  DEFAULT_LOCAL_API_KEY,
  DEFAULT_LOCAL_CREDENTIALS,
  DEFAULT_LOCAL_REGION,
  signedHeaders,
  startLocalApi,
} from '../api/local-server';
import type { LocalTwin } from '../twin/local-twin';
import type { LocalWarehouse } from '../twin/warehouse/local-warehouse';

/** One call of the step and what it answered. */
export interface ApiCall {
  readonly path: string;
  readonly status: number;
  /** A one-line digest of the answer. */
  readonly summary: string;
}

/** The result of the step, as the demo's summary records it. */
export interface ApiStepResult {
  readonly calls: readonly ApiCall[];
  readonly problems: readonly string[];
}

function digest(body: unknown): string {
  const text = JSON.stringify(body);
  return text.length > 110 ? `${text.slice(0, 107)}...` : text;
}

/** A curl line for a path (query parameters already in alphabetical order, as curl 7 signs them). */
export function curlLine(baseUrl: string, path: string): string {
  const c = DEFAULT_LOCAL_CREDENTIALS;
  return (
    `curl -s --aws-sigv4 "aws:amz:${DEFAULT_LOCAL_REGION}:execute-api" --user ${c.accessKeyId}:${c.secretAccessKey} ` +
    `-H "x-api-key: ${DEFAULT_LOCAL_API_KEY}" "${baseUrl}${path}"`
  );
}

/**
 * Starts the API over the demo's warehouse and tables, makes the calls, prints them with their
 * curl lines, and stops it. `orderId` and `sku` pick what the point lookups ask for.
 */
export async function runApiStep(o: {
  readonly twin: LocalTwin;
  readonly warehouse: LocalWarehouse;
  readonly orderId?: string;
  readonly sku?: string;
  readonly day?: string;
}): Promise<ApiStepResult> {
  const api = await startLocalApi({
    warehouse: o.warehouse,
    documents: o.twin.documents,
    tables: o.twin.tables,
  });
  const problems: string[] = [];
  const calls: ApiCall[] = [];
  try {
    const paths = [
      ...(o.orderId ? [`/v1/orders/${encodeURIComponent(o.orderId)}`] : []),
      ...(o.sku ? [`/v1/stock/${encodeURIComponent(o.sku)}`] : []),
      ...(o.day ? [`/v1/sales/trend?from=${o.day}&grain=day&to=${o.day}`] : []),
      '/v1/freshness',
      '/v1/sales/trend?from=2000-01-01&grain=day&to=1999-12-31',
    ];
    console.log(
      `  the REST API's handler on ${api.url} (api/local-server.ts: SigV4 and x-api-key checked as API Gateway does)`,
    );
    for (const path of paths) {
      const url = `${api.url}${path}`;
      const headers = await signedHeaders(url);
      delete headers.host;
      const res = await fetch(url, { headers });
      const body: unknown = await res.json();
      calls.push({ path, status: res.status, summary: digest(body) });
      console.log(`  GET ${path} → ${res.status}\n      ${digest(body)}`);
      const expectBad = path.includes('1999-12-31');
      if (expectBad ? res.status !== 400 : res.status !== 200)
        problems.push(`API: GET ${path} answered ${res.status}`);
    }
    const unsigned = await fetch(`${api.url}/v1/freshness`);
    calls.push({
      path: '/v1/freshness (unsigned)',
      status: unsigned.status,
      summary: digest(await unsigned.json()),
    });
    console.log(
      `  GET /v1/freshness without a signature → ${unsigned.status} (problem+json, unauthenticated)`,
    );
    if (unsigned.status !== 403) problems.push(`API: an unsigned call answered ${unsigned.status}, not 403`);
    console.log(
      '  To try it yourself: make api (runs the demo, then keeps the API serving on port 8787), then for example',
    );
    console.log(`    ${curlLine('http://127.0.0.1:8787', '/v1/freshness')}`);
    console.log(`    ${curlLine('http://127.0.0.1:8787', '/v1/customers/segments')}`);
    if (o.day)
      console.log(
        `    ${curlLine('http://127.0.0.1:8787', `/v1/sales/trend?from=${o.day}&grain=day&to=${o.day}`)}`,
      );
  } finally {
    await api.close();
  }
  return { calls, problems };
}
