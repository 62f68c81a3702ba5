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
 * Workers (`workers: N`, N > 1; CLI `--workers N`): by default the server, the signature check, the
 * handler and its DynamoDB client all run on this process's one event loop, which one core bounds.
 * On AWS each concurrent request gets its own Lambda execution environment; the stand-in here is N
 * worker processes (api/local-server-worker.ts, forked with tsx's loader, as bench/curation-input.ts
 * runs its .ts workers), each running the same request path ({@link createRequestListener}: SigV4,
 * api key, createApiHandler) with its own DynamoDB document client built from plain settings (the
 * endpoint, region and credentials of `documents`' client, or `dynamo`) and the same page-token key,
 * so a token issued by one worker is valid on another. This process keeps the listening socket and
 * hands each accepted connection to the next worker in turn (round robin, as node:cluster does by
 * default, but without cluster's process-wide state: two servers in one process stay apart), and it
 * keeps the warehouse: the workers' warehouse calls come back to it over IPC (api/warehouse-ipc.ts),
 * so every endpoint answers the same whatever the number of workers. `close()` disconnects the
 * workers and waits for them to exit. A worker that dies is taken out of the rotation (and logged).
 *
 * CLI: `npx tsx api/local-server.ts --help`.
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { type ChildProcess, fork } from 'node:child_process';
import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { IncomingMessage, ServerResponse, createServer } from 'node:http';
import {
  type AddressInfo,
  type Server as NetServer,
  type Socket,
  createServer as createNetServer,
} from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ApiHandler, ApiLogger, createApiHandler } from '../lambdas/api/api-handler';
import { PageTokens } from '../lambdas/api/page-token';
import { ApiProblem, PROBLEM_CONTENT_TYPE, problemBody } from '../lambdas/api/problems';
import type { WarehouseQueries } from '../lambdas/api/warehouse';
import type { LocalWarehouse } from '../twin/warehouse/local-warehouse';
import { LocalWarehouseQueries } from './local-warehouse-queries';
import { answerWarehouseRequest, isWarehouseRequest } from './warehouse-ipc';

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

/** Where the workers' DynamoDB clients connect (plain settings: they cross to the worker processes). */
export interface LocalDynamoConfig {
  /** e.g. `http://127.0.0.1:4567` (the twin's dynalite). */
  readonly endpoint: string;
  readonly region: string;
  readonly credentials: {
    readonly accessKeyId: string;
    readonly secretAccessKey: string;
    readonly sessionToken?: string;
  };
  /** Default 3 (as the twin's client). */
  readonly maxAttempts?: number;
  /** The document client's marshall/unmarshall options (booleans), as `documents` has them. */
  readonly translateConfig?: {
    readonly marshallOptions?: Readonly<Record<string, boolean>>;
    readonly unmarshallOptions?: Readonly<Record<string, boolean>>;
  };
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
  /** With workers, their log lines reach it over IPC, each with `worker` (its index) added. */
  readonly logger?: ApiLogger;
  /**
   * Processes that serve the requests (default 1: this one, on its event loop). N > 1: N worker
   * processes, each with its own DynamoDB client, the warehouse staying here (see the file header).
   */
  readonly workers?: number;
  /**
   * The workers' DynamoDB settings (default: read from the config of `documents`' client, which the
   * twin's document client has). Unused with one worker.
   */
  readonly dynamo?: LocalDynamoConfig;
}

export interface LocalApi {
  /** `http://host:port`, no trailing slash. */
  readonly url: string;
  readonly credentials: LocalCredentials;
  readonly region: string;
  /** Processes serving requests (1: this one; N > 1: worker processes). */
  readonly workers: number;
  close(): Promise<void>;
}

function isWarehouseQueries(w: LocalWarehouse | WarehouseQueries): w is WarehouseQueries {
  return typeof (w as WarehouseQueries).poll === 'function';
}

async function readBody(req: IncomingMessage): Promise<string> {
  // A request with neither Content-Length nor Transfer-Encoding has no body (RFC 9112 §6.3): no need
  // to iterate the stream (an async iterator and its listeners per GET).
  const length = req.headers['content-length'];
  if (req.headers['transfer-encoding'] === undefined && (length === undefined || length === '0')) return '';
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 1_000_000) throw new Error('request body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** What the request path checks before the handler runs. */
export interface RequestCheck {
  readonly credentials: LocalCredentials;
  readonly region: string;
  /** The usage-plan key requests must carry. */
  readonly apiKey: string;
}

/**
 * The request path of the local API, the same in this process (one worker) and in each worker
 * process: the HTTP request becomes a proxy event, its SigV4 signature and `x-api-key` are checked
 * (403 otherwise), and the handler answers it. Exported for api/local-server-worker.ts.
 */
export function createRequestListener(
  check: RequestCheck,
  handler: ApiHandler,
  logger?: ApiLogger,
): (req: IncomingMessage, res: ServerResponse) => void {
  const { credentials, region, apiKey } = check;

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = req.url ?? '/';
    const q = raw.indexOf('?');
    const path = q < 0 ? raw : raw.slice(0, q);
    const search = q < 0 ? '' : raw.slice(q + 1);
    const headers: Record<string, string> = {};
    const multiValueHeaders: Record<string, string[]> = {};
    for (const [k, v] of Object.entries(req.headers))
      if (v !== undefined) {
        const name = k.toLowerCase();
        headers[name] = Array.isArray(v) ? v.join(',') : v;
        multiValueHeaders[name] = [headers[name]];
      }
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
      (headers['x-api-key'] === apiKey
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
      multiValueHeaders,
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

  return (req, res) => {
    serve(req, res).catch((e: unknown) => {
      logger?.error('local server failure', { error: String(e) });
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
  };
}

// ---- workers ---------------------------------------------------------------------------------------

/** What a worker process is given (plain data: it crosses the IPC channel). */
export interface LocalApiWorkerConfig {
  readonly check: RequestCheck;
  readonly tables: { readonly orders: string; readonly stock: string };
  readonly pageTokenKey: string | Uint8Array;
  readonly dynamo: LocalDynamoConfig;
  /** Forward the handler's log lines to the primary. */
  readonly log: boolean;
}

/** Primary → worker (besides warehouse replies). A `connection` message carries the socket handle. */
export type PrimaryMessage =
  { readonly kind: 'init'; readonly config: LocalApiWorkerConfig } | { readonly kind: 'connection' };

/** Worker → primary (besides warehouse calls). */
export type WorkerMessage =
  | { readonly kind: 'ready' }
  | {
      readonly kind: 'log';
      readonly level: 'info' | 'error';
      readonly message: string;
      readonly extra?: Record<string, unknown>;
    };

const WORKER_FILE = join(__dirname, 'local-server-worker.ts');

/** The DynamoDB settings of a document client's config (the AWS SDK v3 resolved config), if it has one. */
async function dynamoConfigOf(
  documents: Pick<DynamoDBDocumentClient, 'send'>,
): Promise<LocalDynamoConfig | undefined> {
  const config = (documents as Partial<Pick<DynamoDBDocumentClient, 'config'>>).config;
  if (!config?.endpoint) return undefined;
  const endpoint = await config.endpoint();
  const credentials = await config.credentials();
  const booleans = (o: object | undefined): Record<string, boolean> | undefined =>
    o &&
    Object.fromEntries(Object.entries(o).filter((e): e is [string, boolean] => typeof e[1] === 'boolean'));
  return {
    endpoint: `${endpoint.protocol}//${endpoint.hostname}${endpoint.port ? `:${endpoint.port}` : ''}${endpoint.path}`,
    region: await config.region(),
    credentials: {
      accessKeyId: credentials.accessKeyId,
      secretAccessKey: credentials.secretAccessKey,
      ...(credentials.sessionToken ? { sessionToken: credentials.sessionToken } : {}),
    },
    maxAttempts: await config.maxAttempts(),
    translateConfig: {
      marshallOptions: booleans(config.translateConfig?.marshallOptions),
      unmarshallOptions: booleans(config.translateConfig?.unmarshallOptions),
    },
  };
}

/** Listens on `options.host` (default 127.0.0.1) and `options.port` (default: a free one); resolves with the URL. */
async function listen(server: NetServer, options: Pick<LocalApiOptions, 'host' | 'port'>): Promise<string> {
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return `http://${host}:${port}`;
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Forks `count` workers, waits until each is ready, and hands them the connections of one listening socket. */
async function startWorkers(
  options: LocalApiOptions,
  count: number,
  warehouse: WarehouseQueries,
  config: LocalApiWorkerConfig,
): Promise<LocalApi> {
  const tsx = pathToFileURL(require.resolve('tsx')).href;
  const children: ChildProcess[] = [];
  const live: ChildProcess[] = [];
  let closing = false;
  let turn = 0;
  const listener = createNetServer({ pauseOnConnect: true }, (socket: Socket) => {
    if (live.length === 0) {
      socket.destroy();
      return;
    }
    const child = live[turn++ % live.length];
    child.send({ kind: 'connection' } satisfies PrimaryMessage, socket, (e) => {
      if (e) socket.destroy();
    });
  });
  const stopChildren = async (): Promise<void> => {
    closing = true;
    await Promise.all(
      children.map(async (child) => {
        if (child.connected) child.disconnect();
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited(child);
        clearTimeout(timer);
      }),
    );
  };
  try {
    await Promise.all(
      Array.from({ length: count }, (_, index) => {
        const child = fork(WORKER_FILE, [String(index)], {
          execArgv: ['--import', tsx],
          serialization: 'advanced',
          stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
          // The AWS SDK's notice about Node.js versions was shown by this process already.
          env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...process.env },
        });
        children.push(child);
        child.on('message', (m: unknown) => {
          if (isWarehouseRequest(m)) {
            void answerWarehouseRequest(warehouse, m, (reply) => {
              // A worker gone meanwhile gets nothing (the callback takes the channel's error).
              if (child.connected) child.send(reply, () => undefined);
            });
          } else if ((m as WorkerMessage).kind === 'log') {
            const { level, message, extra } = m as Extract<WorkerMessage, { kind: 'log' }>;
            // Which worker answered, beside what the handler logged.
            options.logger?.[level](message, { ...extra, worker: index });
          }
        });
        child.on('error', (e) =>
          options.logger?.error('local API worker error', { worker: index, error: String(e) }),
        );
        child.on('exit', (code, signal) => {
          const i = live.indexOf(child);
          if (i >= 0) live.splice(i, 1);
          if (!closing) options.logger?.error('local API worker exited', { worker: index, code, signal });
        });
        return new Promise<void>((resolve, reject) => {
          const onMessage = (m: unknown): void => {
            if ((m as WorkerMessage).kind !== 'ready') return;
            child.off('message', onMessage);
            child.off('exit', onExit);
            live.push(child);
            resolve();
          };
          const onExit = (code: number | null): void =>
            reject(new Error(`local API worker ${index} exited during start (${String(code)})`));
          child.on('message', onMessage);
          child.once('exit', onExit);
          child.once('error', reject);
          child.send({ kind: 'init', config } satisfies PrimaryMessage);
        });
      }),
    );
    const url = await listen(listener, options);
    return {
      url,
      credentials: config.check.credentials,
      region: config.check.region,
      workers: count,
      close: async () => {
        const closed = new Promise<void>((resolve) => listener.close(() => resolve()));
        await stopChildren();
        await closed;
      },
    };
  } catch (e) {
    await stopChildren();
    if (listener.listening) listener.close();
    throw e;
  }
}

/** Starts the local API; resolves once it listens (and, with workers, once each worker is ready). */
export async function startLocalApi(options: LocalApiOptions): Promise<LocalApi> {
  const credentials = options.credentials ?? DEFAULT_LOCAL_CREDENTIALS;
  const region = options.region ?? DEFAULT_LOCAL_REGION;
  const check: RequestCheck = { credentials, region, apiKey: options.apiKey ?? DEFAULT_LOCAL_API_KEY };
  const workers = options.workers ?? 1;
  if (!Number.isInteger(workers) || workers < 1)
    throw new Error(`startLocalApi: workers must be a whole number of at least 1, got ${workers}`);
  const warehouse = isWarehouseQueries(options.warehouse)
    ? options.warehouse
    : await LocalWarehouseQueries.create(options.warehouse, {
        waitSeconds: options.waitSeconds,
        delayMs: options.delayMs,
      });
  const pageTokenKey = options.pageTokenKey ?? randomBytes(32);

  if (workers > 1) {
    const dynamo = options.dynamo ?? (await dynamoConfigOf(options.documents));
    if (!dynamo)
      throw new Error(
        'startLocalApi: workers > 1 needs the DynamoDB settings: pass `dynamo`, or a document client that has its config',
      );
    return startWorkers(options, workers, warehouse, {
      check,
      tables: { orders: options.tables.orders, stock: options.tables.stock },
      pageTokenKey,
      dynamo,
      log: options.logger !== undefined,
    });
  }

  const handler = createApiHandler(
    {
      warehouse,
      documents: options.documents,
      tables: { orders: options.tables.orders, stock: options.tables.stock },
      pageTokens: new PageTokens(pageTokenKey),
    },
    { logger: options.logger },
  );
  const server = createServer(createRequestListener(check, handler, options.logger));
  const url = await listen(server, options);
  return {
    url,
    credentials,
    region,
    workers: 1,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((e) => (e ? reject(e) : resolve()));
      }),
  };
}

// ---- CLI -------------------------------------------------------------------------------------------

const HELP = `Serves the API (api/openapi.yaml) on localhost against the local twin.

  npx tsx api/local-server.ts [--warehouse PATH] [--port N] [--wait-seconds N] [--workers N]
                              [--access-key-id ID] [--secret-access-key KEY] [--region R]

  --warehouse PATH        the local warehouse (a DuckDB file, e.g. the demo's .twin/demo/warehouse.duckdb;
                          default: that one). It must have been built (make demo).
  --port N                default ${DEFAULT_LOCAL_PORT}
  --wait-seconds N        QUERY_WAIT_SECONDS: a slower query is answered 202 (default 20)
  --workers N             processes serving requests (default 1: this one). N > 1: N worker processes,
                          each with its own DynamoDB client; warehouse queries still run here (over IPC)
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
    workers: arg('--workers') ? Number(arg('--workers')) : undefined,
    region: arg('--region') ?? DEFAULT_LOCAL_REGION,
    credentials: {
      accessKeyId: arg('--access-key-id') ?? DEFAULT_LOCAL_CREDENTIALS.accessKeyId,
      secretAccessKey: arg('--secret-access-key') ?? DEFAULT_LOCAL_CREDENTIALS.secretAccessKey,
    },
    logger: { info: () => undefined, error: (m, x) => console.error(m, x ?? '') },
  });
  console.log(
    `API listening on ${api.url}${api.workers > 1 ? ` (${api.workers} worker processes)` : ''} (Ctrl-C to stop)`,
  );
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
