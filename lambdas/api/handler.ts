/**
 * The API's Lambda on AWS (API Gateway REST API, IAM authorization, proxy integration): the handler
 * of ./api-handler.ts with the Data API warehouse, the container's DynamoDB document client, the page
 * token key from Secrets Manager, and Powertools Logger and Metrics. Built on the first invocation
 * (never at import) and reused by the container.
 *
 * Environment (the stack sets exactly these): WORKGROUP_NAME, DATABASE (Redshift Serverless, signed
 * in with the function's IAM role), ORDERS_TABLE, STOCK_TABLE, PAGE_TOKEN_SECRET_ARN (a secret whose
 * SecretString is the HMAC key, at least 32 characters, or a JSON object with a `key` field; read once
 * per cold start), QUERY_WAIT_SECONDS (default 20: how long a request waits for the warehouse before
 * answering 202), POWERTOOLS_SERVICE_NAME, POWERTOOLS_METRICS_NAMESPACE.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, Metrics } from '@aws-lambda-powertools/metrics';
import { RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { sharedDocumentClient } from '../shared/clients';
import { ApiHandler, createApiHandler } from './api-handler';
import { DataApiWarehouse } from './data-api-warehouse';
import { PageTokens } from './page-token';

export const DEFAULT_QUERY_WAIT_SECONDS = 20;

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (!value) throw new Error(`api: environment variable ${name} is not set (the stack sets it)`);
  return value;
}

/** QUERY_WAIT_SECONDS: a number of seconds from 1 to 28 (API Gateway gives up at 29). */
export function queryWaitSeconds(env: NodeJS.ProcessEnv): number {
  const raw = env.QUERY_WAIT_SECONDS;
  if (raw === undefined || raw === '') return DEFAULT_QUERY_WAIT_SECONDS;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 1 || n > 28)
    throw new Error(`api: QUERY_WAIT_SECONDS must be between 1 and 28 seconds (got '${raw}')`);
  return n;
}

/** The HMAC key a page token secret holds: its SecretString, or the `key` field of a JSON SecretString. */
export function pageTokenKeyOf(secretString: string | undefined): string {
  if (!secretString) throw new Error('api: the page token secret has no SecretString');
  let key = secretString;
  try {
    const parsed = JSON.parse(secretString) as unknown;
    if (
      typeof parsed === 'object' &&
      parsed !== null &&
      typeof (parsed as { key?: unknown }).key === 'string'
    )
      key = (parsed as { key: string }).key;
  } catch {
    // not JSON: the string is the key
  }
  if (key.length < 32) throw new Error('api: the page token key must be at least 32 characters');
  return key;
}

async function build(env: NodeJS.ProcessEnv): Promise<ApiHandler> {
  const logger = new Logger({ serviceName: env.POWERTOOLS_SERVICE_NAME ?? 'api' });
  const metrics = new Metrics({ serviceName: env.POWERTOOLS_SERVICE_NAME ?? 'api' });
  const secret = await new SecretsManagerClient({}).send(
    new GetSecretValueCommand({ SecretId: required(env, 'PAGE_TOKEN_SECRET_ARN') }),
  );
  const warehouse = new DataApiWarehouse({
    client: new RedshiftDataClient({}),
    workgroupName: required(env, 'WORKGROUP_NAME'),
    database: required(env, 'DATABASE'),
    waitSeconds: queryWaitSeconds(env),
  });
  const inner = createApiHandler(
    {
      warehouse,
      documents: sharedDocumentClient(),
      tables: { orders: required(env, 'ORDERS_TABLE'), stock: required(env, 'STOCK_TABLE') },
      pageTokens: new PageTokens(pageTokenKeyOf(secret.SecretString)),
    },
    {
      logger: {
        info: (message, extra) => logger.info(message, extra ?? {}),
        error: (message, extra) => logger.error(message, extra ?? {}),
      },
      onResponse: (operationId, status, ms) => {
        metrics.addDimensions({ operation: operationId, status_class: `${Math.floor(status / 100)}xx` });
        metrics.addMetric('requests', MetricUnit.Count, 1);
        metrics.addMetric('latency', MetricUnit.Milliseconds, ms);
        metrics.publishStoredMetrics();
      },
    },
  );
  return inner;
}

let built: Promise<ApiHandler> | undefined;

/** The Lambda entry point. A failed cold start (configuration, secret) is retried by the next invocation. */
export async function handler(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  built ??= build(process.env).catch((e) => {
    built = undefined;
    throw e;
  });
  return (await built)(event);
}
