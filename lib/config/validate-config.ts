/**
 * Synth-time validation of an environment config. Every rule names the setting and the bad value,
 * so `cdk synth -c env=prod` fails with a message that says what to change.
 */
import { EnvironmentConfig } from './environment-config';

function requireRange(env: string, path: string, value: number, min: number, max: number, integer = true): void {
  if (!Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
    throw new Error(
      `Invalid config for environment '${env}': ${path} is ${value}, expected ${integer ? 'an integer' : 'a number'} from ${min} to ${max}`,
    );
  }
}

export function validateEnvironmentConfig(c: EnvironmentConfig): void {
  const n = c.name;
  if (!/^[a-z][a-z0-9-]{1,20}$/.test(c.prefix)) {
    throw new Error(`Invalid config for environment '${n}': prefix '${c.prefix}' must match ^[a-z][a-z0-9-]{1,20}$`);
  }
  if (c.account !== undefined && !/^\d{12}$/.test(c.account)) {
    throw new Error(`Invalid config for environment '${n}': account '${c.account}' must be 12 digits`);
  }
  if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(c.region)) {
    throw new Error(`Invalid config for environment '${n}': region '${c.region}' is not an AWS region name`);
  }
  const v = c.volumes;
  requireRange(n, 'volumes.salesRecordsPerMonth', v.salesRecordsPerMonth, 1, 1e10);
  requireRange(n, 'volumes.customers', v.customers, 1, 1e10);
  requireRange(n, 'volumes.skus', v.skus, 1, 1e10);
  requireRange(n, 'volumes.warehouses', v.warehouses, 1, 10_000);
  requireRange(n, 'volumes.interactionsPerOrder', v.interactionsPerOrder, 0, 10_000, false);
  requireRange(n, 'volumes.movementsPerSalesRecord', v.movementsPerSalesRecord, 0, 100, false);
  requireRange(n, 'volumes.peakToAverage', v.peakToAverage, 1, 1000, false);
  requireRange(n, 'volumes.averageEventBytes', v.averageEventBytes, 50, 1_048_576);
  requireRange(n, 'streams.retentionHours', c.streams.retentionHours, 24, 8760);
  requireRange(n, 'streams.minShards', c.streams.minShards, 1, 10_000);
  const t = c.transformer;
  requireRange(n, 'transformer.memoryMiB', t.memoryMiB, 128, 10_240);
  requireRange(n, 'transformer.timeoutSeconds', t.timeoutSeconds, 1, 900);
  requireRange(n, 'transformer.batchSize', t.batchSize, 1, 10_000);
  requireRange(n, 'transformer.maxBatchingWindowSeconds', t.maxBatchingWindowSeconds, 0, 300);
  requireRange(n, 'transformer.retryAttempts', t.retryAttempts, 0, 10_000);
  requireRange(n, 'transformer.maxRecordAgeSeconds', t.maxRecordAgeSeconds, 60, 604_800);
  requireRange(n, 'transformer.parallelizationFactor', t.parallelizationFactor, 1, 10);
  requireRange(n, 'transformer.maxRecordBytes', t.maxRecordBytes, 1024, 1_048_576);
  const r = c.retention;
  requireRange(n, 'retention.logDays', r.logDays, 1, 3653);
  requireRange(n, 'retention.rawToInfrequentAccessDays', r.rawToInfrequentAccessDays, 30, 36_500);
  requireRange(n, 'retention.rawToGlacierDays', r.rawToGlacierDays, r.rawToInfrequentAccessDays + 30, 36_500);
  requireRange(n, 'retention.noncurrentVersionDays', r.noncurrentVersionDays, 1, 36_500);
  requireRange(n, 'retention.deadLetterQueueDays', r.deadLetterQueueDays, 1, 14);
  requireRange(n, 'retention.interactionsTtlDays', r.interactionsTtlDays, 1, 36_500);
  requireRange(n, 'retention.sessionsTtlDays', r.sessionsTtlDays, 1, 36_500);
  requireRange(n, 'retention.applicationLogsTtlDays', r.applicationLogsTtlDays, 1, 36_500);
  requireRange(n, 'retention.stockLedgerTtlDays', r.stockLedgerTtlDays, 1, 36_500);
  // A movement must stay in the ledger at least as long as Kinesis can redeliver it.
  if (r.stockLedgerTtlDays * 24 < c.streams.retentionHours) {
    throw new Error(
      `Invalid config for environment '${n}': retention.stockLedgerTtlDays is ${r.stockLedgerTtlDays} days, shorter than streams.retentionHours (${c.streams.retentionHours} h); a redelivered movement would be applied twice`,
    );
  }
  requireRange(n, 'alarms.iteratorAgeSeconds', c.alarms.iteratorAgeSeconds, 1, 604_800);
  requireRange(n, 'alarms.deadLetterMessages', c.alarms.deadLetterMessages, 0, 1e9);
  requireRange(n, 'alarms.transformerErrors', c.alarms.transformerErrors, 0, 1e9);
  requireRange(n, 'firehoseBufferSeconds', c.firehoseBufferSeconds, 60, 900);
  requireRange(n, 'firehoseBufferMiB', c.firehoseBufferMiB, 64, 128);
  if (c.name === 'prod' && !c.retainData) {
    throw new Error(`Invalid config for environment 'prod': retainData is false; prod data must be retained`);
  }
}
