/**
 * Synth-time validation of an environment config. Every rule names the setting and the bad value,
 * so `cdk synth -c env=prod` fails with a message that says what to change.
 */
import {
  ApiAuthorizer,
  EnvironmentConfig,
  GlueWorkerType,
  LogLevel,
  UsageLimitBreachAction,
  UsageLimitPeriod,
} from './environment-config';

/** The retention periods, in days, that CloudWatch Logs accepts. */
export const LOG_RETENTION_DAYS: readonly number[] = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];

const LOG_LEVELS: readonly LogLevel[] = ['DEBUG', 'INFO', 'WARN', 'ERROR'];

/** The worker types of a Glue 5.0 Spark job. */
export const GLUE_WORKER_TYPES: readonly GlueWorkerType[] = ['G.1X', 'G.2X', 'G.4X', 'G.8X'];

/** An EventBridge cron expression: `cron(minutes hours day-of-month month day-of-week year)`. */
export const GLUE_CRON = /^cron\((\S+ ){5}\S+\)$/;

/** What Redshift Serverless may do when a usage limit is reached. */
export const USAGE_LIMIT_BREACH_ACTIONS: readonly UsageLimitBreachAction[] = [
  'log',
  'emit-metric',
  'deactivate',
];

/** The periods of a Redshift Serverless usage limit, shortest first. */
export const USAGE_LIMIT_PERIODS: readonly UsageLimitPeriod[] = ['daily', 'weekly', 'monthly'];

/** Hours in each usage-limit period, at most (a month of 31 days). */
const PERIOD_HOURS: Record<UsageLimitPeriod, number> = { daily: 24, weekly: 168, monthly: 744 };

function fail(env: string, message: string): never {
  throw new Error(`Invalid config for environment '${env}': ${message}`);
}

function requireRange(
  env: string,
  path: string,
  value: number,
  min: number,
  max: number,
  integer = true,
): void {
  if (!Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
    fail(env, `${path} is ${value}, expected ${integer ? 'an integer' : 'a number'} from ${min} to ${max}`);
  }
}

export function validateEnvironmentConfig(c: EnvironmentConfig): void {
  const n = c.name;
  if (!/^[a-z][a-z0-9-]{1,20}$/.test(c.prefix)) {
    fail(n, `prefix '${c.prefix}' must match ^[a-z][a-z0-9-]{1,20}$`);
  }
  if (c.account !== undefined && !/^\d{12}$/.test(c.account)) {
    fail(n, `account '${c.account}' must be 12 digits`);
  }
  if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(c.region)) {
    fail(n, `region '${c.region}' is not an AWS region name`);
  }
  const v = c.volumes;
  requireRange(n, 'volumes.salesRecordsPerMonth', v.salesRecordsPerMonth, 1, 1e10);
  requireRange(n, 'volumes.customers', v.customers, 1, 1e10);
  requireRange(n, 'volumes.skus', v.skus, 1, 1e10);
  requireRange(n, 'volumes.warehouses', v.warehouses, 1, 10_000);
  requireRange(n, 'volumes.linesPerOrder', v.linesPerOrder, 1, 1000, false);
  requireRange(n, 'volumes.orderEventsPerOrder', v.orderEventsPerOrder, 1, 100, false);
  requireRange(n, 'volumes.skuUpdatesPerMonthRatio', v.skuUpdatesPerMonthRatio, 0, 100, false);
  requireRange(n, 'volumes.interactionsPerOrder', v.interactionsPerOrder, 0, 10_000, false);
  requireRange(n, 'volumes.movementsPerSalesRecord', v.movementsPerSalesRecord, 0, 100, false);
  requireRange(n, 'volumes.peakToAverage', v.peakToAverage, 1, 1000, false);
  requireRange(n, 'volumes.averageEventBytes', v.averageEventBytes, 50, 1_048_576);
  if (c.streams.capacityMode !== 'PROVISIONED' && c.streams.capacityMode !== 'ON_DEMAND') {
    fail(n, `streams.capacityMode is '${String(c.streams.capacityMode)}', expected PROVISIONED or ON_DEMAND`);
  }
  requireRange(n, 'streams.retentionHours', c.streams.retentionHours, 24, 8760);
  requireRange(n, 'streams.minShards', c.streams.minShards, 1, 10_000);
  const t = c.transformer;
  requireRange(n, 'transformer.memoryMiB', t.memoryMiB, 128, 10_240);
  requireRange(n, 'transformer.timeoutSeconds', t.timeoutSeconds, 1, 900);
  requireRange(n, 'transformer.batchSize', t.batchSize, 1, 10_000);
  requireRange(n, 'transformer.maxBatchingWindowSeconds', t.maxBatchingWindowSeconds, 0, 300);
  requireRange(n, 'transformer.retryAttempts', t.retryAttempts, 0, 10_000);
  requireRange(n, 'transformer.maxRecordAgeSeconds', t.maxRecordAgeSeconds, 60, 604_800);
  // A record older than the stream's retention is already gone; a longer cap would never apply.
  if (t.maxRecordAgeSeconds > c.streams.retentionHours * 3600) {
    fail(
      n,
      `transformer.maxRecordAgeSeconds is ${t.maxRecordAgeSeconds}, longer than streams.retentionHours (${c.streams.retentionHours} h = ${c.streams.retentionHours * 3600} s)`,
    );
  }
  requireRange(n, 'transformer.parallelizationFactor', t.parallelizationFactor, 1, 10);
  requireRange(n, 'transformer.maxRecordBytes', t.maxRecordBytes, 1024, 1_048_576);
  if (!LOG_LEVELS.includes(t.logLevel)) {
    fail(n, `transformer.logLevel is '${String(t.logLevel)}', expected one of ${LOG_LEVELS.join(', ')}`);
  }
  const r = c.retention;
  if (!LOG_RETENTION_DAYS.includes(r.logDays)) {
    fail(
      n,
      `retention.logDays is ${r.logDays}, expected one of the values CloudWatch Logs accepts: ${LOG_RETENTION_DAYS.join(', ')}`,
    );
  }
  requireRange(n, 'retention.rawToInfrequentAccessDays', r.rawToInfrequentAccessDays, 30, 36_500);
  requireRange(n, 'retention.rawToGlacierDays', r.rawToGlacierDays, r.rawToInfrequentAccessDays + 30, 36_500);
  requireRange(n, 'retention.noncurrentVersionDays', r.noncurrentVersionDays, 1, 36_500);
  requireRange(n, 'retention.accessLogDays', r.accessLogDays, 1, 36_500);
  requireRange(n, 'retention.deadLetterQueueDays', r.deadLetterQueueDays, 1, 14);
  requireRange(n, 'retention.interactionsTtlDays', r.interactionsTtlDays, 1, 36_500);
  requireRange(n, 'retention.sessionsTtlDays', r.sessionsTtlDays, 1, 36_500);
  requireRange(n, 'retention.applicationLogsTtlDays', r.applicationLogsTtlDays, 1, 36_500);
  requireRange(n, 'retention.stockLedgerTtlDays', r.stockLedgerTtlDays, 1, 36_500);
  // A movement must stay in the ledger at least as long as Kinesis can redeliver it.
  if (r.stockLedgerTtlDays * 24 < c.streams.retentionHours) {
    fail(
      n,
      `retention.stockLedgerTtlDays is ${r.stockLedgerTtlDays} days, shorter than streams.retentionHours (${c.streams.retentionHours} h); a redelivered movement would be applied twice`,
    );
  }
  requireRange(n, 'alarms.iteratorAgeSeconds', c.alarms.iteratorAgeSeconds, 1, 604_800);
  requireRange(n, 'alarms.deadLetterMessages', c.alarms.deadLetterMessages, 0, 1e9);
  requireRange(n, 'alarms.transformerErrors', c.alarms.transformerErrors, 0, 1e9);
  requireRange(n, 'alarms.rawDeliveryFreshnessSeconds', c.alarms.rawDeliveryFreshnessSeconds, 60, 86_400);
  // Fractions of an order a minute make sense for a small shop (0.2: one order in five minutes).
  requireRange(n, 'alarms.minOrdersPerMinute', c.alarms.minOrdersPerMinute, 0, 1e6, false);
  // CloudWatch evaluates at most a day of one-minute periods.
  requireRange(n, 'alarms.ordersLowMinutes', c.alarms.ordersLowMinutes, 1, 1440);
  requireRange(n, 'alarms.rejectionRatePercent', c.alarms.rejectionRatePercent, 0, 100, false);
  requireRange(n, 'alarms.lowStockEvents', c.alarms.lowStockEvents, 0, 1e9);
  if (c.name === 'prod' && c.alarms.minOrdersPerMinute === 0) {
    fail(n, 'alarms.minOrdersPerMinute is 0; prod must alarm when orders stop arriving');
  }
  const g = c.glue;
  if (!GLUE_WORKER_TYPES.includes(g.workerType)) {
    fail(n, `glue.workerType is '${String(g.workerType)}', expected one of ${GLUE_WORKER_TYPES.join(', ')}`);
  }
  requireRange(n, 'glue.numberOfWorkers', g.numberOfWorkers, 2, 299);
  requireRange(n, 'glue.timeoutMinutes', g.timeoutMinutes, 1, 2880);
  requireRange(n, 'glue.maxRetries', g.maxRetries, 0, 10);
  requireRange(n, 'glue.documentExportIntervalHours', g.documentExportIntervalHours, 1, 24 * 35);
  requireRange(n, 'retention.documentSnapshotDays', c.retention.documentSnapshotDays, 1, 3650);
  if (c.retention.documentSnapshotDays * 24 < g.documentExportIntervalHours * 2) {
    fail(
      n,
      `retention.documentSnapshotDays is ${c.retention.documentSnapshotDays}, less than two export intervals (glue.documentExportIntervalHours ${g.documentExportIntervalHours}): a snapshot could expire before the next one is curated`,
    );
  }
  if (!GLUE_CRON.test(g.schedule)) {
    fail(n, `glue.schedule is '${g.schedule}', expected a cron expression such as 'cron(15 * * * ? *)'`);
  }
  const cidr = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(c.network.cidr);
  if (
    cidr === null ||
    cidr.slice(1, 5).some((o) => Number(o) > 255) ||
    Number(cidr[5]) < 16 ||
    Number(cidr[5]) > 24
  ) {
    fail(
      n,
      `network.cidr is '${c.network.cidr}', expected an IPv4 block from /16 to /24 such as '10.40.0.0/16'`,
    );
  }
  requireRange(n, 'network.maxAzs', c.network.maxAzs, 2, 3);
  if (!/^jdbc:postgresql:\/\/[A-Za-z0-9.-]+(:\d{1,5})?\/[A-Za-z0-9_]+$/.test(c.oltp.jdbcUrl)) {
    fail(
      n,
      `oltp.jdbcUrl is '${c.oltp.jdbcUrl}', expected jdbc:postgresql://<host>[:port]/<database> (no credentials: they are in Secrets Manager)`,
    );
  }
  requireRange(n, 'oltp.readPartitions', c.oltp.readPartitions, 1, 64);
  validateWarehouse(c);
  validateApi(c);
  if (c.dynamoBillingMode !== 'PAY_PER_REQUEST' && c.dynamoBillingMode !== 'PROVISIONED') {
    fail(n, `dynamoBillingMode is '${String(c.dynamoBillingMode)}', expected PAY_PER_REQUEST or PROVISIONED`);
  }
  requireRange(n, 'firehoseBufferSeconds', c.firehoseBufferSeconds, 60, 900);
  // Dynamic partitioning needs a buffer of at least 64 MiB.
  requireRange(n, 'firehoseBufferMiB', c.firehoseBufferMiB, 64, 128);
  // Records wait up to the buffer interval before delivery: a lower threshold would alarm on every buffer.
  if (c.alarms.rawDeliveryFreshnessSeconds <= c.firehoseBufferSeconds) {
    fail(
      n,
      `alarms.rawDeliveryFreshnessSeconds is ${c.alarms.rawDeliveryFreshnessSeconds}, not above firehoseBufferSeconds (${c.firehoseBufferSeconds}); the alarm would fire on every buffer`,
    );
  }
  if (c.name === 'prod' && !c.retainData) {
    fail(n, 'retainData is false; prod data must be retained');
  }
  if (c.name === 'prod' && !c.deletionProtection) {
    fail(n, 'deletionProtection is false; prod tables must be protected from deletion');
  }
}

/** The rules of the `warehouse` section (Redshift Serverless). */
function validateWarehouse(c: EnvironmentConfig): void {
  const n = c.name;
  const w = c.warehouse;
  // Redshift folds unquoted identifiers to lowercase and limits them to 127 bytes; a database name
  // must start with a letter. The runners pass these names unquoted.
  if (!/^[a-z][a-z0-9_]{0,62}$/.test(w.databaseName)) {
    fail(
      n,
      `warehouse.databaseName is '${w.databaseName}', expected lowercase letters, digits and underscores, starting with a letter (at most 63)`,
    );
  }
  if (
    !/^[a-z][a-z0-9_]{0,62}$/.test(w.adminUsername) ||
    ['admin', 'rdsadmin', 'rdsdb', 'public'].includes(w.adminUsername)
  ) {
    fail(
      n,
      `warehouse.adminUsername is '${w.adminUsername}', expected lowercase letters, digits and underscores, starting with a letter, and not a reserved name (admin, rdsadmin, rdsdb, public)`,
    );
  }
  for (const [path, rpu] of [
    ['warehouse.baseRpu', w.baseRpu],
    ['warehouse.maxRpu', w.maxRpu],
  ] as const) {
    if (!Number.isInteger(rpu) || rpu < 8 || rpu > 1024 || rpu % 8 !== 0) {
      fail(n, `${path} is ${rpu}, expected a multiple of 8 from 8 to 1024 (Redshift Processing Units)`);
    }
  }
  if (w.maxRpu < w.baseRpu) {
    fail(
      n,
      `warehouse.maxRpu is ${w.maxRpu}, less than warehouse.baseRpu (${w.baseRpu}); the workgroup could not start`,
    );
  }
  const seen = new Set<UsageLimitPeriod>();
  for (const [i, limit] of w.usageLimits.entries()) {
    const path = `warehouse.usageLimits[${i}]`;
    if (!USAGE_LIMIT_PERIODS.includes(limit.period)) {
      fail(
        n,
        `${path}.period is '${String(limit.period)}', expected one of ${USAGE_LIMIT_PERIODS.join(', ')}`,
      );
    }
    if (seen.has(limit.period)) {
      fail(n, `${path}.period '${limit.period}' is listed twice; keep one limit per period`);
    }
    seen.add(limit.period);
    if (!USAGE_LIMIT_BREACH_ACTIONS.includes(limit.breachAction)) {
      fail(
        n,
        `${path}.breachAction is '${String(limit.breachAction)}', expected one of ${USAGE_LIMIT_BREACH_ACTIONS.join(', ')}`,
      );
    }
    // Below the base capacity for one hour, the first query of the period would breach it.
    requireRange(n, `${path}.rpuHours`, limit.rpuHours, w.baseRpu, w.maxRpu * PERIOD_HOURS[limit.period]);
  }
  // A shorter period's limit above a longer one's would never be reached.
  const byPeriod = new Map(w.usageLimits.map((l) => [l.period, l.rpuHours]));
  for (const [shorter, longer] of [
    ['daily', 'weekly'],
    ['daily', 'monthly'],
    ['weekly', 'monthly'],
  ] as const) {
    const a = byPeriod.get(shorter);
    const b = byPeriod.get(longer);
    if (a !== undefined && b !== undefined && a > b) {
      fail(
        n,
        `warehouse.usageLimits: the ${shorter} limit (${a} RPU-hours) is above the ${longer} limit (${b}); it could never be reached`,
      );
    }
  }
  if (c.name === 'dev' && !w.usageLimits.some((l) => l.breachAction === 'deactivate')) {
    fail(
      n,
      'warehouse.usageLimits has no limit with breachAction deactivate; dev must stop spending when a limit is reached',
    );
  }
  if (c.name === 'prod' && w.usageLimits.some((l) => l.breachAction === 'deactivate')) {
    fail(
      n,
      'warehouse.usageLimits deactivates the prod workgroup on a breach; use emit-metric or log (and alarm) in prod',
    );
  }
  const s = w.snapshots;
  if (s.schedule !== undefined && !GLUE_CRON.test(s.schedule)) {
    fail(
      n,
      `warehouse.snapshots.schedule is '${s.schedule}', expected a cron expression such as 'cron(0 1 * * ? *)'`,
    );
  }
  requireRange(n, 'warehouse.snapshots.retentionDays', s.retentionDays, 1, 3653);
  requireRange(n, 'warehouse.snapshots.finalSnapshotRetentionDays', s.finalSnapshotRetentionDays, 1, 3653);
  if (!GLUE_CRON.test(w.loadSchedule)) {
    fail(
      n,
      `warehouse.loadSchedule is '${w.loadSchedule}', expected a cron expression such as 'cron(45 * * * ? *)'`,
    );
  }
  requireRange(n, 'warehouse.loadTimeoutMinutes', w.loadTimeoutMinutes, 5, 1440);
  requireRange(n, 'warehouse.migrationTimeoutMinutes', w.migrationTimeoutMinutes, 5, 120);
  if (c.name === 'prod' && s.schedule === undefined) {
    fail(
      n,
      'warehouse.snapshots.schedule is not set; prod needs scheduled snapshots beyond the 24 hours of recovery points',
    );
  }
}

/** How API Gateway may authenticate the REST API's callers. */
export const API_AUTHORIZERS: readonly ApiAuthorizer[] = ['iam', 'cognito'];

/** API Gateway's integration timeout of a REST API, in seconds (the default and the usual maximum). */
export const API_GATEWAY_INTEGRATION_TIMEOUT_SECONDS = 29;

/**
 * Seconds the API handler needs besides the query wait: the cold start (secret, validators), reading
 * a finished result and answering. Its timeout must be at least the wait plus this margin.
 */
export const API_HANDLER_MARGIN_SECONDS = 3;

/** The ARN of a Cognito user pool. */
const COGNITO_USER_POOL_ARN =
  /^arn:aws[a-z-]*:cognito-idp:[a-z]{2}(-[a-z]+)+-\d:\d{12}:userpool\/[a-z]{2}(-[a-z]+)+-\d_[0-9A-Za-z]+$/;

/** The rules of the `api` section (API Gateway, the WAF, the handler). */
function validateApi(c: EnvironmentConfig): void {
  const n = c.name;
  const a = c.api;
  if (!API_AUTHORIZERS.includes(a.authorizer)) {
    fail(n, `api.authorizer is '${String(a.authorizer)}', expected one of ${API_AUTHORIZERS.join(', ')}`);
  }
  if (a.authorizer === 'cognito') {
    if (a.cognitoUserPoolArn === undefined || !COGNITO_USER_POOL_ARN.test(a.cognitoUserPoolArn)) {
      fail(
        n,
        `api.cognitoUserPoolArn is '${String(a.cognitoUserPoolArn)}', expected the ARN of a Cognito user pool (arn:aws:cognito-idp:<region>:<account>:userpool/<pool id>) with authorizer cognito`,
      );
    }
  } else if (a.cognitoUserPoolArn !== undefined) {
    fail(
      n,
      `api.cognitoUserPoolArn is set, but api.authorizer is '${a.authorizer}'; set it only with cognito`,
    );
  }
  // API Gateway's account-level default is 10,000 requests a second and a burst of 5,000.
  requireRange(n, 'api.throttling.rateLimit', a.throttling.rateLimit, 1, 10_000, false);
  requireRange(n, 'api.throttling.burstLimit', a.throttling.burstLimit, 1, 5_000);
  requireRange(n, 'api.wafRateLimitPer5Minutes', a.wafRateLimitPer5Minutes, 10, 2_000_000_000);
  const names = new Set<string>(['internal']);
  for (const [i, p] of a.partners.entries()) {
    const path = `api.partners[${i}]`;
    if (!/^[a-z][a-z0-9-]{1,39}$/.test(p.name)) {
      fail(n, `${path}.name '${p.name}' must match ^[a-z][a-z0-9-]{1,39}$`);
    }
    if (names.has(p.name)) {
      fail(
        n,
        `${path}.name '${p.name}' is ${p.name === 'internal' ? "reserved for the platform's own callers" : 'listed twice'}`,
      );
    }
    names.add(p.name);
    // A partner cannot be given more than the stage lets every caller together.
    requireRange(n, `${path}.rateLimit`, p.rateLimit, 0.1, a.throttling.rateLimit, false);
    requireRange(n, `${path}.burstLimit`, p.burstLimit, 1, a.throttling.burstLimit);
    requireRange(n, `${path}.quotaPerDay`, p.quotaPerDay, 1, 1e9);
    // The WAF counts per IP over 5 minutes: a partner calling at its plan's rate must never be blocked.
    if (p.rateLimit * 300 > a.wafRateLimitPer5Minutes) {
      fail(
        n,
        `${path}.rateLimit is ${p.rateLimit} a second (${p.rateLimit * 300} in 5 minutes), above api.wafRateLimitPer5Minutes (${a.wafRateLimitPer5Minutes}); the WAF would block the partner within its plan`,
      );
    }
  }
  const maxWait = API_GATEWAY_INTEGRATION_TIMEOUT_SECONDS - 1 - API_HANDLER_MARGIN_SECONDS;
  requireRange(n, 'api.queryWaitSeconds', a.queryWaitSeconds, 1, maxWait);
  requireRange(n, 'api.handler.memoryMiB', a.handler.memoryMiB, 128, 10_240);
  // Above the wait plus the margin, and below the gateway's timeout: past 29 s nobody is waiting.
  requireRange(
    n,
    'api.handler.timeoutSeconds',
    a.handler.timeoutSeconds,
    a.queryWaitSeconds + API_HANDLER_MARGIN_SECONDS,
    API_GATEWAY_INTEGRATION_TIMEOUT_SECONDS - 1,
  );
  if (!LOG_LEVELS.includes(a.handler.logLevel)) {
    fail(
      n,
      `api.handler.logLevel is '${String(a.handler.logLevel)}', expected one of ${LOG_LEVELS.join(', ')}`,
    );
  }
  if (!LOG_RETENTION_DAYS.includes(a.accessLogDays)) {
    fail(
      n,
      `api.accessLogDays is ${a.accessLogDays}, expected one of the values CloudWatch Logs accepts: ${LOG_RETENTION_DAYS.join(', ')}`,
    );
  }
  requireRange(n, 'api.alarms.serverErrorRatePercent', a.alarms.serverErrorRatePercent, 0.1, 100, false);
  requireRange(
    n,
    'api.alarms.p99LatencyMs',
    a.alarms.p99LatencyMs,
    100,
    API_GATEWAY_INTEGRATION_TIMEOUT_SECONDS * 1000,
  );
  requireRange(n, 'api.alarms.wafBlockedRequests', a.alarms.wafBlockedRequests, 0, 1e9);
}
