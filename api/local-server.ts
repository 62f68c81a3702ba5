/**
 * The API's local twin: the same handler as the Lambda (lambdas/api/api-handler.ts, built by
 * createApiHandler) served over HTTP on localhost, against the twin's local warehouse (DuckDB running
 * the same named queries) and the twin's DynamoDB tables. Each HTTP request becomes an API Gateway
 * proxy event (REST API, payload 1.0). It stands in for API Gateway's IAM authorization by verifying
 * the request's AWS Signature Version 4 (service `execute-api`) against one local credential: a
 * missing, malformed, expired or wrong signature is answered 403 `unauthenticated`, as API Gateway does.
 *
 *   const api = await startLocalApi({ warehouse, documents: twin.documents, tables: twin.tables });
 *   const res = await fetch(`${api.url}/v1/freshness`, { headers: await signedHeaders(`${api.url}/v1/freshness`) });
 *   await api.close();
 *
 * CLI: `npx tsx api/local-server.ts --help`.
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { IncomingMessage, ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiLogger, createApiHandler } from '../lambdas/api/api-handler';
import { PageTokens } from '../lambdas/api/page-token';
import { ApiProblem, PROBLEM_CONTENT_TYPE, problemBody } from '../lambdas/api/problems';
import type { WarehouseQueries } from '../lambdas/api/warehouse';
import type { LocalWarehouse } from '../twin/warehouse/local-warehouse';
import { LocalWarehouseQueries } from './local-warehouse-queries';

/** An AWS credential (no session token: the local server accepts one long-term key). */
export interface LocalCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/** The one credential the local server accepts unless told otherwise (local use only). */
export const DEFAULT_LOCAL_CREDENTIALS: LocalCredentials = {
  accessKeyId: 'AKIALOCALTWINAPI0001',
  secretAccessKey: 'local-twin-api-secret-not-an-aws-key',
};
export const DEFAULT_LOCAL_REGION = 'eu-west-1';
/**
 * The one usage-plan key the local server accepts unless told otherwise. On AWS every operation
 * requires the `x-api-key` of a usage plan (it picks the caller's throttling and quota; IAM is the
 * authentication), so the twin asks for one too.
 */
export const DEFAULT_LOCAL_API_KEY = 'local-twin-api-key-0000000000000001';
export const DEFAULT_LOCAL_PORT = 8787;
const SERVICE = 'execute-api';
/** How far a request's x-amz-date may be from the server's clock. */
const MAX_SKEW_MS = 5 * 60_000;

/**
 * A SigV4 signer for execute-api. `applyChecksum: false` when verifying: the canonical request must
 * hold exactly the headers the client signed (the signer would otherwise add x-amz-content-sha256).
 */
function signer(credentials: LocalCredentials, region: string, applyChecksum = true): SignatureV4 {
  return new SignatureV4({
    credentials,
    region,
    service: SERVICE,
    sha256: Hash.bind(null, 'sha256'),
    uriEscapePath: true,
    applyChecksum,
  });
}

/** A request as the signer sees it: the raw (percent-encoded) path and the decoded query. */
interface SignableRequest {
  readonly method: string;
  readonly host: string;
  readonly path: string;
  readonly query: Record<string, string | string[]>;
  readonly headers: Record<string, string>;
  readonly body?: string;
}

function queryOf(search: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of new URLSearchParams(search)) {
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

/**
 * Headers that sign a request to `url` with SigV4 (service execute-api), as an AWS SDK client does
 * (`host`, `x-amz-date` and `authorization`), plus the usage-plan key `x-api-key` (unsigned, as
 * API Gateway wants it; `apiKey: null` leaves it out). For tests, the demo and scripts.
 */
export async function signedHeaders(
  url: string,
  options: {
    readonly method?: string;
    readonly credentials?: LocalCredentials;
    readonly region?: string;
    readonly headers?: Record<string, string>;
    readonly signingDate?: Date;
    readonly apiKey?: string | null;
  } = {},
): Promise<Record<string, string>> {
  const u = new URL(url);
  const signed = await signer(
    options.credentials ?? DEFAULT_LOCAL_CREDENTIALS,
    options.region ?? DEFAULT_LOCAL_REGION,
  ).sign(
    {
      method: options.method ?? 'GET',
      protocol: u.protocol,
      hostname: u.hostname,
      port: u.port ? Number(u.port) : undefined,
      path: u.pathname,
      query: queryOf(u.search),
      headers: { host: u.host, ...options.headers },
    },
    options.signingDate ? { signingDate: options.signingDate } : {},
  );
  const apiKey = options.apiKey === undefined ? DEFAULT_LOCAL_API_KEY : options.apiKey;
  return {
    ...(signed.headers as Record<string, string>),
    ...(apiKey === null ? {} : { 'x-api-key': apiKey }),
  };
}

const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=([^/\s]+)\/(\d{8})\/([^/\s]+)\/([^/\s]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;-]+),\s*Signature=([0-9a-f]{64})$/;

/** Why a request's signature is not accepted, or undefined when it is. */
export async function signatureProblem(
  req: SignableRequest,
  credentials: LocalCredentials,
  region: string,
  now: number = Date.now(),
): Promise<string | undefined> {
  const authorization = req.headers.authorization;
  if (!authorization)
    return 'The request is not signed: sign it with AWS Signature Version 4 (service execute-api).';
  const m = AUTHORIZATION.exec(authorization);
  if (!m) return 'The Authorization header is not an AWS Signature Version 4 (AWS4-HMAC-SHA256) header.';
  const [, accessKeyId, day, scopeRegion, service, signedList, signature] = m;
  if (accessKeyId !== credentials.accessKeyId) return 'The access key id is not known.';
  if (service !== SERVICE) return `The credential scope names service '${service}', not '${SERVICE}'.`;
  if (scopeRegion !== region) return `The credential scope names region '${scopeRegion}', not '${region}'.`;
  const amzDate = req.headers['x-amz-date'];
  const d = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate ?? '');
  if (!d) return 'The request has no valid x-amz-date header.';
  if (`${d[1]}${d[2]}${d[3]}` !== day) return 'The credential scope date is not the date of x-amz-date.';
  const signingDate = new Date(Date.UTC(+d[1], +d[2] - 1, +d[3], +d[4], +d[5], +d[6]));
  if (Math.abs(now - signingDate.getTime()) > MAX_SKEW_MS)
    return 'The signature has expired or is dated in the future (more than 5 minutes from the server clock).';
  const names = signedList.split(';');
  if (!names.includes('host') || !names.includes('x-amz-date'))
    return 'The signature must cover the host and x-amz-date headers.';
  const headers: Record<string, string> = {};
  for (const n of names) {
    if (req.headers[n] === undefined) return `The signed header '${n}' is missing.`;
    headers[n] = req.headers[n];
  }
  const resigned = await signer(credentials, region, false).sign(
    {
      method: req.method,
      protocol: 'http:',
      hostname: req.host,
      path: req.path,
      query: req.query,
      headers,
      body: req.body,
    },
    { signingDate, signableHeaders: new Set(names) },
  );
  const expected = AUTHORIZATION.exec(String(resigned.headers.authorization ?? ''));
  if (!expected || expected[5] !== signedList) return 'The signature does not match the request.';
  const a = Buffer.from(signature, 'hex');
  const b = Buffer.from(expected[6], 'hex');
  if (a.length !== b.length || !timingSafeEqual(a, b)) return 'The signature does not match the request.';
  return undefined;
}

export interface LocalApiOptions {
  /** The twin's warehouse (its named queries are translated once), or ready WarehouseQueries. */
  readonly warehouse: LocalWarehouse | WarehouseQueries;
  /** A document client on the twin's DynamoDB emulator. */
  readonly documents: Pick<DynamoDBDocumentClient, 'send'>;
  /** Physical table names (the twin's `tables`): `orders` and `stock` are read. */
  readonly tables: { readonly orders: string; readonly stock: string };
  /** Default: a free port (0). */
  readonly port?: number;
  readonly host?: string;
  readonly credentials?: LocalCredentials;
  readonly region?: string;
  /** The page token HMAC key (default: random per start). */
  readonly pageTokenKey?: string;
  /** The usage-plan key requests must carry in `x-api-key` (default {@link DEFAULT_LOCAL_API_KEY}). */
  readonly apiKey?: string;
  /** As QUERY_WAIT_SECONDS (default 20). */
  readonly waitSeconds?: number;
  /** Extra delay of every warehouse query (ms), to exercise 202 (default 0). */
  readonly delayMs?: number;
  readonly logger?: ApiLogger;
}

export interface LocalApi {
  /** `http://host:port`, no trailing slash. */
  readonly url: string;
  readonly credentials: LocalCredentials;
  readonly region: string;
  close(): Promise<void>;
}

function isWarehouseQueries(w: LocalWarehouse | WarehouseQueries): w is WarehouseQueries {
  return typeof (w as WarehouseQueries).poll === 'function';
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 1_000_000) throw new Error('request body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Starts the local API; resolves once it listens. */
export async function startLocalApi(options: LocalApiOptions): Promise<LocalApi> {
  const credentials = options.credentials ?? DEFAULT_LOCAL_CREDENTIALS;
  const region = options.region ?? DEFAULT_LOCAL_REGION;
  const warehouse = isWarehouseQueries(options.warehouse)
    ? options.warehouse
    : await LocalWarehouseQueries.create(options.warehouse, {
        waitSeconds: options.waitSeconds,
        delayMs: options.delayMs,
      });
  const handler = createApiHandler(
    {
      warehouse,
      documents: options.documents,
      tables: { orders: options.tables.orders, stock: options.tables.stock },
      pageTokens: new PageTokens(options.pageTokenKey ?? randomBytes(32)),
    },
    { logger: options.logger },
  );

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = req.url ?? '/';
    const q = raw.indexOf('?');
    const path = q < 0 ? raw : raw.slice(0, q);
    const search = q < 0 ? '' : raw.slice(q + 1);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers))
      if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(',') : v;
    const body = await readBody(req);
    const query = queryOf(search);
    const problem = await signatureProblem(
      {
        method: req.method ?? 'GET',
        host: headers.host ?? '',
        path,
        query,
        headers,
        body: body || undefined,
      },
      credentials,
      region,
    );
    const keyProblem =
      problem ??
      (headers['x-api-key'] === (options.apiKey ?? DEFAULT_LOCAL_API_KEY)
        ? undefined
        : 'The x-api-key header is missing or is not the key of a usage plan of this API.');
    if (keyProblem !== undefined) {
      const p = new ApiProblem('unauthenticated', keyProblem);
      res.writeHead(403, { 'Content-Type': PROBLEM_CONTENT_TYPE });
      res.end(JSON.stringify(problemBody(p, path, undefined)));
      return;
    }
    const single: Record<string, string> = {};
    const multi: Record<string, string[]> = {};
    for (const [k, v] of Object.entries(query)) {
      multi[k] = Array.isArray(v) ? v : [v];
      single[k] = multi[k][multi[k].length - 1];
    }
    const hasQuery = Object.keys(single).length > 0;
    const event: APIGatewayProxyEvent = {
      resource: path,
      path,
      httpMethod: req.method ?? 'GET',
      headers,
      multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
      queryStringParameters: hasQuery ? single : null,
      multiValueQueryStringParameters: hasQuery ? multi : null,
      pathParameters: null,
      stageVariables: null,
      body: body || null,
      isBase64Encoded: false,
      requestContext: {
        accountId: '000000000000',
        apiId: 'local',
        authorizer: null,
        protocol: `HTTP/${req.httpVersion}`,
        httpMethod: req.method ?? 'GET',
        path,
        stage: 'local',
        requestId: randomUUID(),
        requestTimeEpoch: Date.now(),
        resourceId: 'local',
        resourcePath: path,
        identity: {
          accessKey: credentials.accessKeyId,
          accountId: '000000000000',
          caller: credentials.accessKeyId,
          userArn: 'arn:aws:iam::000000000000:user/local-api',
          user: credentials.accessKeyId,
          sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
          userAgent: headers['user-agent'] ?? null,
          apiKey: null,
          apiKeyId: null,
          clientCert: null,
          cognitoAuthenticationProvider: null,
          cognitoAuthenticationType: null,
          cognitoIdentityId: null,
          cognitoIdentityPoolId: null,
          principalOrgId: null,
        },
      },
    };
    const result = await handler(event);
    res.writeHead(result.statusCode, result.headers as Record<string, string>);
    res.end(result.body);
  }

  const server = createServer((req, res) => {
    serve(req, res).catch((e: unknown) => {
      options.logger?.error('local server failure', { error: String(e) });
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': PROBLEM_CONTENT_TYPE });
      res.end(
        JSON.stringify(
          problemBody(
            new ApiProblem('internal', 'The local server failed unexpectedly.'),
            req.url,
            undefined,
          ),
        ),
      );
    });
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    credentials,
    region,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((e) => (e ? reject(e) : resolve()));
      }),
  };
}

// ---- CLI -------------------------------------------------------------------------------------------

const HELP = `Serves the API (api/openapi.yaml) on localhost against the local twin.

  npx tsx api/local-server.ts [--warehouse PATH] [--port N] [--wait-seconds N]
                              [--access-key-id ID] [--secret-access-key KEY] [--region R]

  --warehouse PATH        the local warehouse (a DuckDB file, e.g. the demo's .twin/demo/warehouse.duckdb;
                          default: that one). It must have been built (make demo).
  --port N                default ${DEFAULT_LOCAL_PORT}
  --wait-seconds N        QUERY_WAIT_SECONDS: a slower query is answered 202 (default 20)
  --access-key-id ID      the one credential requests must be signed with (SigV4, service execute-api)
  --secret-access-key KEY   (defaults: ${DEFAULT_LOCAL_CREDENTIALS.accessKeyId} / ${DEFAULT_LOCAL_CREDENTIALS.secretAccessKey})
  --region R              the region of the signature's scope (default ${DEFAULT_LOCAL_REGION})

The live tables (orders, stock) are those of a local twin started for the server (its own DynamoDB
emulator in a temporary folder, empty until events are put on its streams).
Sign requests as for API Gateway, e.g. with curl (curl before 8.x does not sort the query string
when it signs: give the query parameters in alphabetical order):
  curl --aws-sigv4 "aws:amz:${DEFAULT_LOCAL_REGION}:execute-api" --user ID:KEY http://127.0.0.1:${DEFAULT_LOCAL_PORT}/v1/freshness
`;

async function main(argv: readonly string[]): Promise<void> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(HELP);
    return;
  }
  const arg = (name: string): string | undefined => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const { existsSync, mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { LocalWarehouse } = await import('../twin/warehouse/local-warehouse');
  const { startLocalTwin } = await import('../twin/local-twin');
  const warehousePath = arg('--warehouse') ?? '.twin/demo/warehouse.duckdb';
  if (!existsSync(warehousePath)) {
    console.error(
      `No local warehouse at ${warehousePath}: build one with make demo, or pass --warehouse PATH.`,
    );
    process.exit(2);
  }
  const warehouse = await LocalWarehouse.open(warehousePath);
  const twinRoot = mkdtempSync(join(tmpdir(), 'local-api-twin-'));
  const twin = await startLocalTwin({ root: twinRoot });
  const api = await startLocalApi({
    warehouse,
    documents: twin.documents,
    tables: twin.tables,
    port: Number(arg('--port') ?? DEFAULT_LOCAL_PORT),
    waitSeconds: arg('--wait-seconds') ? Number(arg('--wait-seconds')) : undefined,
    region: arg('--region') ?? DEFAULT_LOCAL_REGION,
    credentials: {
      accessKeyId: arg('--access-key-id') ?? DEFAULT_LOCAL_CREDENTIALS.accessKeyId,
      secretAccessKey: arg('--secret-access-key') ?? DEFAULT_LOCAL_CREDENTIALS.secretAccessKey,
    },
    logger: { info: () => undefined, error: (m, x) => console.error(m, x ?? '') },
  });
  console.log(`API listening on ${api.url} (Ctrl-C to stop)`);
  const stop = async (): Promise<void> => {
    await api.close();
    await twin.stop();
    warehouse.close();
    rmSync(twinRoot, { recursive: true, force: true });
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
