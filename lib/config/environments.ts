/**
 * The three environments. prod carries the volumes of the brief (5M sales records a month, 10M
 * customers, 25M SKUs); dev and staging scale them down. Choose one with `cdk synth -c env=<name>`.
 */
import {
  EnvironmentConfig,
  EnvironmentName,
  ExpectedVolumes,
  TransformerSettings,
} from './environment-config';
import { validateEnvironmentConfig } from './validate-config';

const PROD_VOLUMES: ExpectedVolumes = {
  salesRecordsPerMonth: 5_000_000,
  customers: 10_000_000,
  skus: 25_000_000,
  warehouses: 12,
  // The generator's order model (generator/volumes.ts) averages 1.8 lines per order.
  linesPerOrder: 1.8,
  orderEventsPerOrder: 4.3,
  skuUpdatesPerMonthRatio: 0.1,
  interactionsPerOrder: 40,
  movementsPerSalesRecord: 3,
  peakToAverage: 10,
  averageEventBytes: 700,
};

const TRANSFORMER: TransformerSettings = {
  memoryMiB: 512,
  timeoutSeconds: 60,
  batchSize: 200,
  // No batching window: a shard's records are handed to the transformer as soon as a poll finds
  // them. With a 1 s window, a quiet shard waited up to a second before each batch, and the live
  // tables could not be fresher than that (issue 5: p99 under 1 s from put to the live tables).
  // Lambda polls each shard about once a second either way, so invocations barely change.
  maxBatchingWindowSeconds: 0,
  retryAttempts: 5,
  maxRecordAgeSeconds: 6 * 3600,
  parallelizationFactor: 1,
  maxRecordBytes: 256 * 1024,
  logLevel: 'INFO',
};

export const ENVIRONMENTS: Record<EnvironmentName, EnvironmentConfig> = {
  dev: {
    name: 'dev',
    prefix: 'ecom-dev',
    region: 'eu-west-1',
    volumes: {
      ...PROD_VOLUMES,
      salesRecordsPerMonth: 50_000,
      customers: 100_000,
      skus: 250_000,
      warehouses: 3,
    },
    streams: { capacityMode: 'PROVISIONED', retentionHours: 24, minShards: 1 },
    transformer: { ...TRANSFORMER, memoryMiB: 256 },
    retention: {
      logDays: 14,
      rawToInfrequentAccessDays: 30,
      rawToGlacierDays: 90,
      documentSnapshotDays: 14,
      noncurrentVersionDays: 7,
      accessLogDays: 30,
      deadLetterQueueDays: 14,
      interactionsTtlDays: 30,
      sessionsTtlDays: 30,
      applicationLogsTtlDays: 7,
      stockLedgerTtlDays: 7,
    },
    alarms: {
      iteratorAgeSeconds: 900,
      deadLetterMessages: 100,
      transformerErrors: 50,
      rawDeliveryFreshnessSeconds: 900,
      // dev has no steady traffic (developers send bursts): an orders floor would fire all night.
      minOrdersPerMinute: 0,
      ordersLowMinutes: 30,
      // Tests send bad records on purpose; only a stream that is mostly rejected is worth a look.
      rejectionRatePercent: 25,
      lowStockEvents: 100,
    },
    glue: {
      workerType: 'G.1X',
      numberOfWorkers: 2,
      timeoutMinutes: 60,
      maxRetries: 0,
      // Once a day: dev data is small and a run costs the same minimum billing as an hourly one.
      documentExportIntervalHours: 24,
      schedule: 'cron(30 2 * * ? *)',
    },
    network: { cidr: '10.40.0.0/16', maxAzs: 2 },
    oltp: { jdbcUrl: 'jdbc:postgresql://shop-db.dev.internal:5432/shop', readPartitions: 2 },
    warehouse: {
      databaseName: 'analytics',
      adminUsername: 'warehouse_admin',
      // The smallest workgroup: dev holds 1% of prod's volumes.
      baseRpu: 8,
      maxRpu: 16,
      // A forgotten query loop must not cost money: stop the workgroup for the rest of the period.
      usageLimits: [
        { period: 'daily', rpuHours: 24, breachAction: 'deactivate' },
        { period: 'monthly', rpuHours: 300, breachAction: 'deactivate' },
      ],
      snapshots: { retentionDays: 1, finalSnapshotRetentionDays: 1 },
      // Daily, after the lake workflow (02:30) has curated the day.
      loadSchedule: 'cron(30 4 * * ? *)',
      loadTimeoutMinutes: 60,
      migrationTimeoutMinutes: 30,
    },
    api: {
      authorizer: 'iam',
      // Developers only: a few requests a second is plenty, and a loop cannot run up the bill.
      throttling: { rateLimit: 10, burstLimit: 20 },
      partners: [],
      // Short on purpose: dev's 8 RPU workgroup pauses when idle, so the 202-and-poll path is
      // exercised every morning instead of only in production.
      queryWaitSeconds: 10,
      handler: { memoryMiB: 256, timeoutSeconds: 15, logLevel: 'DEBUG' },
      // 5 requests a second per IP, half the stage's rate: one client cannot take the whole stage.
      wafRateLimitPer5Minutes: 1_500,
      accessLogDays: 14,
      // dev only pages on a handler that hangs until the gateway's 29 s or fails a quarter of its
      // calls; tests send bad requests on purpose (4XX, never counted here).
      alarms: { serverErrorRatePercent: 25, p99LatencyMs: 28_000, wafBlockedRequests: 0 },
    },
    dynamoBillingMode: 'PAY_PER_REQUEST',
    retainData: false,
    deletionProtection: false,
    firehoseBufferSeconds: 300,
    firehoseBufferMiB: 64,
  },
  staging: {
    name: 'staging',
    prefix: 'ecom-staging',
    region: 'eu-west-1',
    volumes: {
      ...PROD_VOLUMES,
      salesRecordsPerMonth: 500_000,
      customers: 1_000_000,
      skus: 2_500_000,
      warehouses: 6,
    },
    streams: { capacityMode: 'PROVISIONED', retentionHours: 72, minShards: 1 },
    transformer: TRANSFORMER,
    retention: {
      logDays: 30,
      rawToInfrequentAccessDays: 30,
      rawToGlacierDays: 180,
      documentSnapshotDays: 30,
      noncurrentVersionDays: 30,
      accessLogDays: 90,
      deadLetterQueueDays: 14,
      interactionsTtlDays: 90,
      sessionsTtlDays: 90,
      applicationLogsTtlDays: 14,
      stockLedgerTtlDays: 7,
    },
    alarms: {
      iteratorAgeSeconds: 300,
      deadLetterMessages: 10,
      transformerErrors: 10,
      rawDeliveryFreshnessSeconds: 600,
      // A tenth of prod's volumes is about 6 orders a minute on average; staging traffic is a test
      // feed, so the floor only catches a feed or pipeline that has stopped for half an hour (set 0
      // while staging is deliberately idle).
      minOrdersPerMinute: 1,
      ordersLowMinutes: 30,
      // The generator's bad-record share is 2% by default; 5% means something beyond the test feed.
      rejectionRatePercent: 5,
      lowStockEvents: 50,
    },
    glue: {
      workerType: 'G.1X',
      numberOfWorkers: 4,
      timeoutMinutes: 120,
      maxRetries: 1,
      documentExportIntervalHours: 24,
      schedule: 'cron(15 */6 * * ? *)',
    },
    network: { cidr: '10.41.0.0/16', maxAzs: 2 },
    oltp: { jdbcUrl: 'jdbc:postgresql://shop-db.staging.internal:5432/shop', readPartitions: 4 },
    warehouse: {
      databaseName: 'analytics',
      adminUsername: 'warehouse_admin',
      baseRpu: 8,
      maxRpu: 64,
      usageLimits: [
        { period: 'daily', rpuHours: 64, breachAction: 'emit-metric' },
        { period: 'monthly', rpuHours: 1_000, breachAction: 'deactivate' },
      ],
      snapshots: { schedule: 'cron(0 3 * * ? *)', retentionDays: 7, finalSnapshotRetentionDays: 30 },
      loadSchedule: 'cron(0 5 * * ? *)',
      loadTimeoutMinutes: 120,
      migrationTimeoutMinutes: 30,
    },
    api: {
      authorizer: 'iam',
      // A quarter of prod's rate: enough for integration tests and the partners' test calls.
      throttling: { rateLimit: 25, burstLimit: 50 },
      // The same partners as prod, with small quotas, so that they test against their own plan.
      partners: [{ name: 'logistics-partner', rateLimit: 2, burstLimit: 5, quotaPerDay: 10_000 }],
      queryWaitSeconds: 20,
      handler: { memoryMiB: 512, timeoutSeconds: 25, logLevel: 'INFO' },
      // 10 requests a second per IP, 40% of the stage's rate.
      wafRateLimitPer5Minutes: 3_000,
      accessLogDays: 30,
      alarms: { serverErrorRatePercent: 5, p99LatencyMs: 20_000, wafBlockedRequests: 300 },
    },
    dynamoBillingMode: 'PAY_PER_REQUEST',
    retainData: true,
    deletionProtection: false,
    firehoseBufferSeconds: 120,
    firehoseBufferMiB: 64,
  },
  prod: {
    name: 'prod',
    prefix: 'ecom-prod',
    region: 'eu-west-1',
    volumes: PROD_VOLUMES,
    streams: { capacityMode: 'PROVISIONED', retentionHours: 168, minShards: 2 },
    transformer: { ...TRANSFORMER, memoryMiB: 1024, parallelizationFactor: 2 },
    retention: {
      logDays: 90,
      rawToInfrequentAccessDays: 30,
      rawToGlacierDays: 365,
      documentSnapshotDays: 35,
      noncurrentVersionDays: 90,
      accessLogDays: 365,
      deadLetterQueueDays: 14,
      interactionsTtlDays: 400,
      sessionsTtlDays: 400,
      applicationLogsTtlDays: 30,
      stockLedgerTtlDays: 14,
    },
    alarms: {
      iteratorAgeSeconds: 120,
      deadLetterMessages: 0,
      transformerErrors: 5,
      rawDeliveryFreshnessSeconds: 300,
      // 5M order lines a month / 1.8 lines an order ≈ 2.8M orders ≈ 64 a minute on average, and the
      // night trough is a tenth or less of that (≈ 3 to 6 a minute). Below 2 a minute for 10 minutes
      // in a row is a few-in-a-hundred-million chance at the trough (Poisson), but a stopped checkout
      // or a silent stream (missing data counts as low) pages within 10 minutes.
      minOrdersPerMinute: 2,
      ordersLowMinutes: 10,
      // The shop's producers validate before they send: 1% of rejected records is a broken release
      // or a contract change, not noise.
      rejectionRatePercent: 1,
      // ≈ 350 stock movements a minute on average (3 per order line), most of them against stock
      // well above its reorder point: more than 200 SKUs going low in 5 minutes is a stock-out wave
      // or a warehouse feed sending wrong adjustments, not replenishment as usual.
      lowStockEvents: 200,
    },
    glue: {
      // About 3 GB of raw events a day at prod volumes: hourly runs of ~130 MB fit 5 G.2X workers well.
      workerType: 'G.2X',
      numberOfWorkers: 5,
      timeoutMinutes: 45,
      maxRetries: 1,
      documentExportIntervalHours: 168,
      schedule: 'cron(15 * * * ? *)',
    },
    network: { cidr: '10.42.0.0/16', maxAzs: 3 },
    oltp: { jdbcUrl: 'jdbc:postgresql://shop-db.prod.internal:5432/shop', readPartitions: 16 },
    warehouse: {
      databaseName: 'analytics',
      adminUsername: 'warehouse_admin',
      // 32 RPU (256 GB of memory) as the base: the type 2 dimensions reach 10M customers and 25M
      // SKUs (plus their versions), and the hourly loads merge into them while the dashboards query
      // the ~60M order lines a year; at 8 RPU those joins spill to disk. Billing is per second
      // of use, so a larger base costs only while queries run; docs/COSTS.md has the arithmetic.
      baseRpu: 32,
      maxRpu: 128,
      // Prod never stops on a limit (the shop's reporting depends on it): a day above twice the
      // expected ~230 RPU-hours emits the metric an alarm watches; the month is logged for review.
      usageLimits: [
        { period: 'daily', rpuHours: 480, breachAction: 'emit-metric' },
        { period: 'monthly', rpuHours: 10_000, breachAction: 'log' },
      ],
      snapshots: { schedule: 'cron(0 1 * * ? *)', retentionDays: 35, finalSnapshotRetentionDays: 365 },
      // Hourly, 30 minutes after the lake workflow starts (cron(15 * * * ? *)).
      loadSchedule: 'cron(45 * * * ? *)',
      // Below an hour, so that two scheduled runs never overlap.
      loadTimeoutMinutes: 50,
      migrationTimeoutMinutes: 60,
    },
    api: {
      authorizer: 'iam',
      // Dashboards, operations tools and partners together. Most calls are DynamoDB lookups (a few
      // ms); the analytics calls are bounded by the Data API's ExecuteStatement quota (about 30 a
      // second per account, shared with the loads) long before 50 a second.
      throttling: { rateLimit: 50, burstLimit: 100 },
      // Example partner (replace with the real ones): a logistics partner polling stock and orders.
      partners: [{ name: 'logistics-partner', rateLimit: 5, burstLimit: 10, quotaPerDay: 100_000 }],
      // 20 s, with the handler's 5 s margin under API Gateway's 29 s: most analytics queries of the
      // 32 RPU workgroup answer in a few seconds; a longer one answers 202 and is polled.
      queryWaitSeconds: 20,
      // More memory is more CPU: faster cold starts (the contract's validators) and JSON of 500-row pages.
      handler: { memoryMiB: 1024, timeoutSeconds: 25, logLevel: 'INFO' },
      // 20 requests a second per IP, 40% of the stage's rate and 4 times the partner's plan.
      wafRateLimitPer5Minutes: 6_000,
      // Who read what: kept a year, like the lake's access logs.
      accessLogDays: 365,
      // 1% of 5XX is a broken release or a failing store; p99 above 15 s for 15 minutes means more
      // than one call in a hundred runs into the wait (the warehouse is saturated or resuming);
      // 1,000 blocked requests in 5 minutes is an attack or a partner's runaway client.
      alarms: { serverErrorRatePercent: 1, p99LatencyMs: 15_000, wafBlockedRequests: 1_000 },
    },
    dynamoBillingMode: 'PAY_PER_REQUEST',
    retainData: true,
    deletionProtection: true,
    firehoseBufferSeconds: 60,
    firehoseBufferMiB: 128,
  },
};

/**
 * The validated configuration of a named environment. Throws with the offending name or value when
 * the name is unknown or a setting is out of range.
 */
export function loadEnvironmentConfig(name: string | undefined): EnvironmentConfig {
  const envName = name ?? 'dev';
  if (!Object.prototype.hasOwnProperty.call(ENVIRONMENTS, envName)) {
    throw new Error(
      `Unknown environment '${envName}' (from -c env=${envName}); choose one of: ${Object.keys(ENVIRONMENTS).join(', ')}`,
    );
  }
  const config = ENVIRONMENTS[envName as EnvironmentName];
  validateEnvironmentConfig(config);
  return config;
}
