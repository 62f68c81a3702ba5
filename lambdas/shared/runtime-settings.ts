/**
 * The settings a transformer Lambda receives through its environment. The ingestion stack builds the
 * environment with `transformerEnvironment` and the handler reads it with `readTransformerSettings`,
 * so the names live in one place. The local twin passes the same settings object directly.
 */
import { TableId, tableEnvVar } from '../../lib/tables/table-definitions';
import { StreamId } from '../../lib/streams/stream-definitions';

export interface TransformerRuntimeSettings {
  readonly streamId: StreamId;
  /** Physical table names by logical id (only the tables this transformer writes). */
  readonly tables: Partial<Record<TableId, string>>;
  /** Bucket that receives dead-lettered records under the dead-letter prefix (the raw bucket). */
  readonly deadLetterBucket: string;
  readonly maxRecordBytes: number;
  readonly ttlDays: {
    readonly interactions: number;
    readonly sessions: number;
    readonly applicationLogs: number;
    readonly stockLedger: number;
  };
  /**
   * CloudWatch namespace of the transformer metrics (passed to Powertools as
   * POWERTOOLS_METRICS_NAMESPACE).
   * @default - Powertools' own default namespace
   */
  readonly metricsNamespace?: string;
}

const ENV = {
  streamId: 'STREAM_ID',
  deadLetterBucket: 'DEAD_LETTER_BUCKET',
  maxRecordBytes: 'MAX_RECORD_BYTES',
  interactions: 'INTERACTIONS_TTL_DAYS',
  sessions: 'SESSIONS_TTL_DAYS',
  applicationLogs: 'APPLICATION_LOGS_TTL_DAYS',
  stockLedger: 'STOCK_LEDGER_TTL_DAYS',
  metricsNamespace: 'POWERTOOLS_METRICS_NAMESPACE',
} as const;

/** The Lambda environment variables that carry the settings. */
export function transformerEnvironment(s: TransformerRuntimeSettings): Record<string, string> {
  const env: Record<string, string> = {
    [ENV.streamId]: s.streamId,
    [ENV.deadLetterBucket]: s.deadLetterBucket,
    [ENV.maxRecordBytes]: String(s.maxRecordBytes),
    [ENV.interactions]: String(s.ttlDays.interactions),
    [ENV.sessions]: String(s.ttlDays.sessions),
    [ENV.applicationLogs]: String(s.ttlDays.applicationLogs),
    [ENV.stockLedger]: String(s.ttlDays.stockLedger),
  };
  if (s.metricsNamespace) env[ENV.metricsNamespace] = s.metricsNamespace;
  for (const [id, name] of Object.entries(s.tables)) {
    if (name) env[tableEnvVar(id as TableId)] = name;
  }
  return env;
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const v = env[name];
  if (!v)
    throw new Error(
      `Environment variable ${name} is not set; the ingestion stack sets it on every transformer`,
    );
  return v;
}

function positiveInt(env: NodeJS.ProcessEnv, name: string): number {
  const raw = required(env, name);
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0)
    throw new Error(`Environment variable ${name} is '${raw}', expected a positive integer`);
  return n;
}

/** Reads the settings from a Lambda environment (called at handler initialisation, not at import). */
export function readTransformerSettings(
  env: NodeJS.ProcessEnv,
  tableIds: readonly TableId[],
): TransformerRuntimeSettings {
  const streamId = required(env, ENV.streamId);
  if (streamId !== 'orders' && streamId !== 'inventory' && streamId !== 'clickstream') {
    throw new Error(
      `Environment variable ${ENV.streamId} is '${streamId}', expected orders, inventory or clickstream`,
    );
  }
  const tables: Partial<Record<TableId, string>> = {};
  for (const id of tableIds) tables[id] = required(env, tableEnvVar(id));
  return {
    streamId,
    tables,
    deadLetterBucket: required(env, ENV.deadLetterBucket),
    maxRecordBytes: positiveInt(env, ENV.maxRecordBytes),
    ttlDays: {
      interactions: positiveInt(env, ENV.interactions),
      sessions: positiveInt(env, ENV.sessions),
      applicationLogs: positiveInt(env, ENV.applicationLogs),
      stockLedger: positiveInt(env, ENV.stockLedger),
    },
    ...(env[ENV.metricsNamespace] ? { metricsNamespace: env[ENV.metricsNamespace] } : {}),
  };
}

/** Which tables each transformer writes. */
export const TRANSFORMER_TABLES: Record<StreamId, readonly TableId[]> = {
  orders: ['orders', 'product-metadata'],
  inventory: ['stock', 'stock-ledger'],
  clickstream: ['customer-interactions', 'sessions', 'product-reviews', 'application-logs'],
};
