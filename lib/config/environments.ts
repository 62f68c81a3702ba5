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
  maxBatchingWindowSeconds: 1,
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
