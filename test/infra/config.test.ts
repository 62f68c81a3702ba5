import { EnvironmentConfig } from '../../lib/config/environment-config';
import { ENVIRONMENTS, loadEnvironmentConfig } from '../../lib/config/environments';
import { validateEnvironmentConfig } from '../../lib/config/validate-config';

type Patch = { [key: string]: unknown };

/** A copy of a config with some settings changed (nested objects merge). */
function withChanges(base: EnvironmentConfig, patch: Patch): EnvironmentConfig {
  const merge = (a: unknown, b: unknown): unknown => {
    if (b !== null && typeof b === 'object' && !Array.isArray(b) && a !== null && typeof a === 'object') {
      const out: Record<string, unknown> = { ...(a as Record<string, unknown>) };
      for (const [k, v] of Object.entries(b)) out[k] = merge(out[k], v);
      return out;
    }
    return b;
  };
  return merge(base, patch) as EnvironmentConfig;
}

const dev = ENVIRONMENTS.dev;
const prod = ENVIRONMENTS.prod;

describe('loadEnvironmentConfig', () => {
  test('defaults to dev', () => {
    expect(loadEnvironmentConfig(undefined).name).toBe('dev');
  });

  test.each(['dev', 'staging', 'prod'])('loads and validates %s', (name) => {
    expect(loadEnvironmentConfig(name)).toBe(ENVIRONMENTS[name as keyof typeof ENVIRONMENTS]);
  });

  test('names an unknown environment and the choices', () => {
    expect(() => loadEnvironmentConfig('qa')).toThrow(/Unknown environment 'qa'.*dev, staging, prod/);
  });

  test('does not accept inherited object keys as environment names', () => {
    expect(() => loadEnvironmentConfig('toString')).toThrow(/Unknown environment 'toString'/);
  });
});

describe('validateEnvironmentConfig', () => {
  // One row per rule: the change, and the message that must name the setting and the bad value.
  const rules: [string, EnvironmentConfig, RegExp][] = [
    ['prefix', withChanges(dev, { prefix: 'Ecom_Dev' }), /prefix 'Ecom_Dev' must match/],
    ['account', withChanges(dev, { account: '1234' }), /account '1234' must be 12 digits/],
    ['region', withChanges(dev, { region: 'europe' }), /region 'europe' is not an AWS region name/],
    [
      'salesRecordsPerMonth',
      withChanges(dev, { volumes: { salesRecordsPerMonth: 0 } }),
      /volumes\.salesRecordsPerMonth is 0/,
    ],
    [
      'customers',
      withChanges(dev, { volumes: { customers: 1.5 } }),
      /volumes\.customers is 1\.5, expected an integer/,
    ],
    ['skus', withChanges(dev, { volumes: { skus: -1 } }), /volumes\.skus is -1/],
    ['warehouses', withChanges(dev, { volumes: { warehouses: 0 } }), /volumes\.warehouses is 0/],
    [
      'linesPerOrder',
      withChanges(dev, { volumes: { linesPerOrder: 0.5 } }),
      /volumes\.linesPerOrder is 0\.5/,
    ],
    [
      'orderEventsPerOrder',
      withChanges(dev, { volumes: { orderEventsPerOrder: 0 } }),
      /volumes\.orderEventsPerOrder is 0/,
    ],
    [
      'skuUpdatesPerMonthRatio',
      withChanges(dev, { volumes: { skuUpdatesPerMonthRatio: -0.1 } }),
      /volumes\.skuUpdatesPerMonthRatio is -0\.1/,
    ],
    [
      'interactionsPerOrder',
      withChanges(dev, { volumes: { interactionsPerOrder: -1 } }),
      /volumes\.interactionsPerOrder is -1/,
    ],
    [
      'movementsPerSalesRecord',
      withChanges(dev, { volumes: { movementsPerSalesRecord: 101 } }),
      /volumes\.movementsPerSalesRecord is 101/,
    ],
    [
      'peakToAverage',
      withChanges(dev, { volumes: { peakToAverage: 0.5 } }),
      /volumes\.peakToAverage is 0\.5/,
    ],
    [
      'averageEventBytes',
      withChanges(dev, { volumes: { averageEventBytes: 10 } }),
      /volumes\.averageEventBytes is 10/,
    ],
    [
      'capacityMode',
      withChanges(dev, { streams: { capacityMode: 'AUTO' } }),
      /streams\.capacityMode is 'AUTO'/,
    ],
    [
      'retentionHours',
      withChanges(dev, { streams: { retentionHours: 12 } }),
      /streams\.retentionHours is 12/,
    ],
    ['minShards', withChanges(dev, { streams: { minShards: 0 } }), /streams\.minShards is 0/],
    ['memoryMiB', withChanges(dev, { transformer: { memoryMiB: 64 } }), /transformer\.memoryMiB is 64/],
    [
      'timeoutSeconds',
      withChanges(dev, { transformer: { timeoutSeconds: 901 } }),
      /transformer\.timeoutSeconds is 901/,
    ],
    ['batchSize', withChanges(dev, { transformer: { batchSize: 0 } }), /transformer\.batchSize is 0/],
    [
      'maxBatchingWindowSeconds',
      withChanges(dev, { transformer: { maxBatchingWindowSeconds: 301 } }),
      /transformer\.maxBatchingWindowSeconds is 301/,
    ],
    [
      'retryAttempts',
      withChanges(dev, { transformer: { retryAttempts: -1 } }),
      /transformer\.retryAttempts is -1/,
    ],
    [
      'maxRecordAgeSeconds',
      withChanges(dev, { transformer: { maxRecordAgeSeconds: 30 } }),
      /transformer\.maxRecordAgeSeconds is 30/,
    ],
    [
      'maxRecordAgeSeconds beyond stream retention',
      withChanges(dev, { transformer: { maxRecordAgeSeconds: 90_000 } }),
      /transformer\.maxRecordAgeSeconds is 90000, longer than streams\.retentionHours \(24 h/,
    ],
    [
      'parallelizationFactor',
      withChanges(dev, { transformer: { parallelizationFactor: 11 } }),
      /transformer\.parallelizationFactor is 11/,
    ],
    [
      'maxRecordBytes',
      withChanges(dev, { transformer: { maxRecordBytes: 100 } }),
      /transformer\.maxRecordBytes is 100/,
    ],
    [
      'logLevel',
      withChanges(dev, { transformer: { logLevel: 'TRACE' } }),
      /transformer\.logLevel is 'TRACE'/,
    ],
    [
      'logDays',
      withChanges(dev, { retention: { logDays: 15 } }),
      /retention\.logDays is 15, expected one of/,
    ],
    [
      'rawToInfrequentAccessDays',
      withChanges(dev, { retention: { rawToInfrequentAccessDays: 10 } }),
      /retention\.rawToInfrequentAccessDays is 10/,
    ],
    [
      'rawToGlacierDays',
      withChanges(dev, { retention: { rawToGlacierDays: 40 } }),
      /retention\.rawToGlacierDays is 40, expected an integer from 60/,
    ],
    [
      'noncurrentVersionDays',
      withChanges(dev, { retention: { noncurrentVersionDays: 0 } }),
      /retention\.noncurrentVersionDays is 0/,
    ],
    ['accessLogDays', withChanges(dev, { retention: { accessLogDays: 0 } }), /retention\.accessLogDays is 0/],
    [
      'deadLetterQueueDays',
      withChanges(dev, { retention: { deadLetterQueueDays: 15 } }),
      /retention\.deadLetterQueueDays is 15/,
    ],
    [
      'interactionsTtlDays',
      withChanges(dev, { retention: { interactionsTtlDays: 0 } }),
      /retention\.interactionsTtlDays is 0/,
    ],
    [
      'sessionsTtlDays',
      withChanges(dev, { retention: { sessionsTtlDays: 0 } }),
      /retention\.sessionsTtlDays is 0/,
    ],
    [
      'applicationLogsTtlDays',
      withChanges(dev, { retention: { applicationLogsTtlDays: 0 } }),
      /retention\.applicationLogsTtlDays is 0/,
    ],
    [
      'stockLedgerTtlDays',
      withChanges(dev, { retention: { stockLedgerTtlDays: 0 } }),
      /retention\.stockLedgerTtlDays is 0/,
    ],
    [
      'stockLedgerTtlDays shorter than the stream retention',
      withChanges(prod, { retention: { stockLedgerTtlDays: 3 } }),
      /retention\.stockLedgerTtlDays is 3 days, shorter than streams\.retentionHours \(168 h\)/,
    ],
    [
      'iteratorAgeSeconds',
      withChanges(dev, { alarms: { iteratorAgeSeconds: 0 } }),
      /alarms\.iteratorAgeSeconds is 0/,
    ],
    [
      'deadLetterMessages',
      withChanges(dev, { alarms: { deadLetterMessages: -1 } }),
      /alarms\.deadLetterMessages is -1/,
    ],
    [
      'transformerErrors',
      withChanges(dev, { alarms: { transformerErrors: -1 } }),
      /alarms\.transformerErrors is -1/,
    ],
    [
      'rawDeliveryFreshnessSeconds',
      withChanges(dev, { alarms: { rawDeliveryFreshnessSeconds: 30 } }),
      /alarms\.rawDeliveryFreshnessSeconds is 30/,
    ],
    [
      'rawDeliveryFreshnessSeconds not above the buffer',
      withChanges(dev, { alarms: { rawDeliveryFreshnessSeconds: 300 } }),
      /alarms\.rawDeliveryFreshnessSeconds is 300, not above firehoseBufferSeconds \(300\)/,
    ],
    ['dynamoBillingMode', withChanges(dev, { dynamoBillingMode: 'FREE' }), /dynamoBillingMode is 'FREE'/],
    ['firehoseBufferSeconds', withChanges(dev, { firehoseBufferSeconds: 30 }), /firehoseBufferSeconds is 30/],
    [
      'firehoseBufferMiB',
      withChanges(dev, { firehoseBufferMiB: 32 }),
      /firehoseBufferMiB is 32, expected an integer from 64 to 128/,
    ],
    [
      'glue.workerType',
      withChanges(dev, { glue: { workerType: 'Standard' } }),
      /glue\.workerType is 'Standard'/,
    ],
    [
      'glue.numberOfWorkers',
      withChanges(dev, { glue: { numberOfWorkers: 1 } }),
      /glue\.numberOfWorkers is 1/,
    ],
    ['glue.timeoutMinutes', withChanges(dev, { glue: { timeoutMinutes: 0 } }), /glue\.timeoutMinutes is 0/],
    ['glue.maxRetries', withChanges(dev, { glue: { maxRetries: 11 } }), /glue\.maxRetries is 11/],
    [
      'glue.schedule',
      withChanges(dev, { glue: { schedule: 'rate(1 hour)' } }),
      /glue\.schedule is 'rate\(1 hour\)', expected a cron expression/,
    ],
    ['prod retainData', withChanges(prod, { retainData: false }), /'prod': retainData is false/],
    [
      'prod deletionProtection',
      withChanges(prod, { deletionProtection: false }),
      /'prod': deletionProtection is false/,
    ],
  ];

  test.each(rules)('rejects a bad %s, naming the value', (_rule, config, message) => {
    expect(() => validateEnvironmentConfig(config)).toThrow(message);
  });

  test.each(Object.values(ENVIRONMENTS))('accepts the $name environment', (config) => {
    expect(() => validateEnvironmentConfig(config)).not.toThrow();
  });

  test('names the environment in every message', () => {
    expect(() => validateEnvironmentConfig(withChanges(ENVIRONMENTS.staging, { prefix: 'X' }))).toThrow(
      /^Invalid config for environment 'staging'/,
    );
  });
});
