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
const staging = ENVIRONMENTS.staging;

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
    [
      'minOrdersPerMinute',
      withChanges(dev, { alarms: { minOrdersPerMinute: -1 } }),
      /alarms\.minOrdersPerMinute is -1, expected a number from 0/,
    ],
    [
      'minOrdersPerMinute of 0 in prod',
      withChanges(prod, { alarms: { minOrdersPerMinute: 0 } }),
      /alarms\.minOrdersPerMinute is 0; prod must alarm when orders stop arriving/,
    ],
    [
      'ordersLowMinutes',
      withChanges(dev, { alarms: { ordersLowMinutes: 1441 } }),
      /alarms\.ordersLowMinutes is 1441, expected an integer from 1 to 1440/,
    ],
    [
      'ordersLowMinutes of a fraction',
      withChanges(dev, { alarms: { ordersLowMinutes: 2.5 } }),
      /alarms\.ordersLowMinutes is 2\.5/,
    ],
    [
      'rejectionRatePercent',
      withChanges(dev, { alarms: { rejectionRatePercent: 101 } }),
      /alarms\.rejectionRatePercent is 101, expected a number from 0 to 100/,
    ],
    ['lowStockEvents', withChanges(dev, { alarms: { lowStockEvents: -5 } }), /alarms\.lowStockEvents is -5/],
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
    [
      'warehouse.baseRpu not a multiple of 8',
      withChanges(dev, { warehouse: { baseRpu: 12 } }),
      /warehouse\.baseRpu is 12, expected a multiple of 8 from 8 to 1024/,
    ],
    [
      'warehouse.baseRpu below 8',
      withChanges(dev, { warehouse: { baseRpu: 0 } }),
      /warehouse\.baseRpu is 0, expected a multiple of 8/,
    ],
    [
      'warehouse.maxRpu above 1024',
      withChanges(dev, { warehouse: { maxRpu: 1032 } }),
      /warehouse\.maxRpu is 1032, expected a multiple of 8 from 8 to 1024/,
    ],
    [
      'warehouse.maxRpu below baseRpu',
      withChanges(prod, { warehouse: { maxRpu: 16 } }),
      /warehouse\.maxRpu is 16, less than warehouse\.baseRpu \(32\)/,
    ],
    [
      'warehouse.databaseName',
      withChanges(dev, { warehouse: { databaseName: 'Analytics-DB' } }),
      /warehouse\.databaseName is 'Analytics-DB', expected lowercase letters/,
    ],
    [
      'warehouse.adminUsername reserved',
      withChanges(dev, { warehouse: { adminUsername: 'admin' } }),
      /warehouse\.adminUsername is 'admin'.*reserved/,
    ],
    [
      'warehouse.usageLimits period',
      withChanges(dev, {
        warehouse: { usageLimits: [{ period: 'hourly', rpuHours: 10, breachAction: 'deactivate' }] },
      }),
      /warehouse\.usageLimits\[0\]\.period is 'hourly', expected one of daily, weekly, monthly/,
    ],
    [
      'warehouse.usageLimits duplicate period',
      withChanges(dev, {
        warehouse: {
          usageLimits: [
            { period: 'daily', rpuHours: 10, breachAction: 'deactivate' },
            { period: 'daily', rpuHours: 20, breachAction: 'deactivate' },
          ],
        },
      }),
      /warehouse\.usageLimits\[1\]\.period 'daily' is listed twice/,
    ],
    [
      'warehouse.usageLimits breach action',
      withChanges(dev, {
        warehouse: { usageLimits: [{ period: 'daily', rpuHours: 10, breachAction: 'stop' }] },
      }),
      /warehouse\.usageLimits\[0\]\.breachAction is 'stop', expected one of log, emit-metric, deactivate/,
    ],
    [
      'warehouse.usageLimits amount below the base capacity',
      withChanges(dev, {
        warehouse: { usageLimits: [{ period: 'daily', rpuHours: 4, breachAction: 'deactivate' }] },
      }),
      /warehouse\.usageLimits\[0\]\.rpuHours is 4, expected an integer from 8 to 384/,
    ],
    [
      'warehouse.usageLimits daily above monthly',
      withChanges(dev, {
        warehouse: {
          usageLimits: [
            { period: 'daily', rpuHours: 300, breachAction: 'deactivate' },
            { period: 'monthly', rpuHours: 200, breachAction: 'deactivate' },
          ],
        },
      }),
      /the daily limit \(300 RPU-hours\) is above the monthly limit \(200\)/,
    ],
    [
      'dev without a deactivating limit',
      withChanges(dev, {
        warehouse: { usageLimits: [{ period: 'daily', rpuHours: 24, breachAction: 'log' }] },
      }),
      /'dev': warehouse\.usageLimits has no limit with breachAction deactivate/,
    ],
    [
      'prod with a deactivating limit',
      withChanges(prod, {
        warehouse: { usageLimits: [{ period: 'monthly', rpuHours: 10_000, breachAction: 'deactivate' }] },
      }),
      /'prod': warehouse\.usageLimits deactivates the prod workgroup/,
    ],
    [
      'warehouse.loadSchedule',
      withChanges(dev, { warehouse: { loadSchedule: 'rate(1 day)' } }),
      /warehouse\.loadSchedule is 'rate\(1 day\)', expected a cron expression/,
    ],
    [
      'warehouse.snapshots.schedule',
      withChanges(staging, { warehouse: { snapshots: { schedule: 'daily' } } }),
      /warehouse\.snapshots\.schedule is 'daily', expected a cron expression/,
    ],
    [
      'warehouse.snapshots.retentionDays',
      withChanges(staging, { warehouse: { snapshots: { retentionDays: 0 } } }),
      /warehouse\.snapshots\.retentionDays is 0/,
    ],
    [
      'prod without scheduled snapshots',
      withChanges(prod, { warehouse: { snapshots: { schedule: undefined } } }),
      /'prod': warehouse\.snapshots\.schedule is not set/,
    ],
    [
      'warehouse.migrationTimeoutMinutes',
      withChanges(dev, { warehouse: { migrationTimeoutMinutes: 121 } }),
      /warehouse\.migrationTimeoutMinutes is 121, expected an integer from 5 to 120/,
    ],
    [
      'warehouse.loadTimeoutMinutes',
      withChanges(dev, { warehouse: { loadTimeoutMinutes: 2 } }),
      /warehouse\.loadTimeoutMinutes is 2/,
    ],
    [
      'api.authorizer',
      withChanges(dev, { api: { authorizer: 'oauth' } }),
      /api\.authorizer is 'oauth', expected one of iam, cognito/,
    ],
    [
      'api.cognitoUserPoolArn missing with cognito',
      withChanges(dev, { api: { authorizer: 'cognito' } }),
      /api\.cognitoUserPoolArn is 'undefined', expected the ARN of a Cognito user pool/,
    ],
    [
      'api.cognitoUserPoolArn not a user pool',
      withChanges(dev, {
        api: { authorizer: 'cognito', cognitoUserPoolArn: 'arn:aws:iam::123456789012:role/x' },
      }),
      /api\.cognitoUserPoolArn is 'arn:aws:iam::123456789012:role\/x'/,
    ],
    [
      'api.cognitoUserPoolArn with iam',
      withChanges(dev, {
        api: { cognitoUserPoolArn: 'arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_Abc123' },
      }),
      /api\.cognitoUserPoolArn is set, but api\.authorizer is 'iam'/,
    ],
    [
      'api.throttling.rateLimit',
      withChanges(dev, { api: { throttling: { rateLimit: 0 } } }),
      /api\.throttling\.rateLimit is 0, expected a number from 1 to 10000/,
    ],
    [
      'api.throttling.burstLimit',
      withChanges(dev, { api: { throttling: { burstLimit: 6000 } } }),
      /api\.throttling\.burstLimit is 6000, expected an integer from 1 to 5000/,
    ],
    [
      'api.partners name',
      withChanges(dev, {
        api: {
          partners: [
            { ...{ name: 'acme', rateLimit: 2, burstLimit: 5, quotaPerDay: 1000 }, name: 'Acme_Corp' },
          ],
        },
      }),
      /api\.partners\[0\]\.name 'Acme_Corp' must match/,
    ],
    [
      'api.partners named internal',
      withChanges(dev, {
        api: {
          partners: [
            { ...{ name: 'acme', rateLimit: 2, burstLimit: 5, quotaPerDay: 1000 }, name: 'internal' },
          ],
        },
      }),
      /api\.partners\[0\]\.name 'internal' is reserved for the platform's own callers/,
    ],
    [
      'api.partners listed twice',
      withChanges(dev, {
        api: {
          partners: [
            { name: 'acme', rateLimit: 2, burstLimit: 5, quotaPerDay: 1000 },
            { name: 'acme', rateLimit: 2, burstLimit: 5, quotaPerDay: 1000 },
          ],
        },
      }),
      /api\.partners\[1\]\.name 'acme' is listed twice/,
    ],
    [
      'api.partners rate above the stage',
      withChanges(dev, {
        api: {
          partners: [{ ...{ name: 'acme', rateLimit: 2, burstLimit: 5, quotaPerDay: 1000 }, rateLimit: 11 }],
        },
      }),
      /api\.partners\[0\]\.rateLimit is 11, expected a number from 0\.1 to 10/,
    ],
    [
      'api.partners burst above the stage',
      withChanges(dev, {
        api: {
          partners: [{ ...{ name: 'acme', rateLimit: 2, burstLimit: 5, quotaPerDay: 1000 }, burstLimit: 21 }],
        },
      }),
      /api\.partners\[0\]\.burstLimit is 21, expected an integer from 1 to 20/,
    ],
    [
      'api.partners quota',
      withChanges(dev, {
        api: {
          partners: [{ ...{ name: 'acme', rateLimit: 2, burstLimit: 5, quotaPerDay: 1000 }, quotaPerDay: 0 }],
        },
      }),
      /api\.partners\[0\]\.quotaPerDay is 0/,
    ],
    [
      'api.partners rate the WAF would block',
      withChanges(dev, {
        api: {
          wafRateLimitPer5Minutes: 1000,
          partners: [{ ...{ name: 'acme', rateLimit: 2, burstLimit: 5, quotaPerDay: 1000 }, rateLimit: 5 }],
        },
      }),
      /api\.partners\[0\]\.rateLimit is 5 a second \(1500 in 5 minutes\), above api\.wafRateLimitPer5Minutes \(1000\)/,
    ],
    [
      'api.queryWaitSeconds',
      withChanges(prod, { api: { queryWaitSeconds: 26 } }),
      /api\.queryWaitSeconds is 26, expected an integer from 1 to 25/,
    ],
    [
      'api.handler.timeoutSeconds without the margin over the wait',
      withChanges(prod, { api: { handler: { timeoutSeconds: 22 } } }),
      /api\.handler\.timeoutSeconds is 22, expected an integer from 23 to 28/,
    ],
    [
      'api.handler.timeoutSeconds beyond the gateway',
      withChanges(prod, { api: { handler: { timeoutSeconds: 29 } } }),
      /api\.handler\.timeoutSeconds is 29, expected an integer from 23 to 28/,
    ],
    [
      'api.handler.memoryMiB',
      withChanges(dev, { api: { handler: { memoryMiB: 64 } } }),
      /api\.handler\.memoryMiB is 64/,
    ],
    [
      'api.handler.logLevel',
      withChanges(dev, { api: { handler: { logLevel: 'TRACE' } } }),
      /api\.handler\.logLevel is 'TRACE'/,
    ],
    [
      'api.accessLogDays',
      withChanges(dev, { api: { accessLogDays: 15 } }),
      /api\.accessLogDays is 15, expected one of/,
    ],
    [
      'api.wafRateLimitPer5Minutes',
      withChanges(dev, { api: { wafRateLimitPer5Minutes: 5 } }),
      /api\.wafRateLimitPer5Minutes is 5, expected an integer from 10/,
    ],
    [
      'api.alarms.serverErrorRatePercent',
      withChanges(dev, { api: { alarms: { serverErrorRatePercent: 0 } } }),
      /api\.alarms\.serverErrorRatePercent is 0, expected a number from 0\.1 to 100/,
    ],
    [
      'api.alarms.p99LatencyMs',
      withChanges(dev, { api: { alarms: { p99LatencyMs: 30_000 } } }),
      /api\.alarms\.p99LatencyMs is 30000, expected an integer from 100 to 29000/,
    ],
    [
      'api.alarms.wafBlockedRequests',
      withChanges(dev, { api: { alarms: { wafBlockedRequests: -1 } } }),
      /api\.alarms\.wafBlockedRequests is -1/,
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

describe('the warehouse settings of the environments', () => {
  test('size the base capacity from the volumes: 8 RPU in dev and staging, 32 in prod', () => {
    expect([dev, staging, prod].map((c) => c.warehouse.baseRpu)).toEqual([8, 8, 32]);
  });

  test('stop dev on a limit, never prod', () => {
    expect(dev.warehouse.usageLimits.map((l) => l.breachAction)).toContain('deactivate');
    expect(prod.warehouse.usageLimits.map((l) => l.breachAction)).not.toContain('deactivate');
  });

  test('load daily in dev and staging, hourly in prod', () => {
    expect(dev.warehouse.loadSchedule).toMatch(/^cron\(\d+ \d+ \* \* \? \*\)$/);
    expect(staging.warehouse.loadSchedule).toMatch(/^cron\(\d+ \d+ \* \* \? \*\)$/);
    expect(prod.warehouse.loadSchedule).toMatch(/^cron\(\d+ \* \* \* \? \*\)$/);
    // An hourly run must end before the next one starts.
    expect(prod.warehouse.loadTimeoutMinutes).toBeLessThan(60);
  });
});

describe('the alarm settings of the environments', () => {
  test('alarm on a low orders rate in staging and prod only; dev has no steady traffic', () => {
    expect(dev.alarms.minOrdersPerMinute).toBe(0);
    expect(staging.alarms.minOrdersPerMinute).toBeGreaterThan(0);
    expect(prod.alarms.minOrdersPerMinute).toBeGreaterThan(0);
  });

  test("prod's orders floor is well below the average rate its volumes give", () => {
    // Orders a minute on average: order lines a month / lines per order / minutes in 30 days.
    const average = prod.volumes.salesRecordsPerMonth / prod.volumes.linesPerOrder / (30 * 24 * 60);
    expect(average).toBeCloseTo(64.3, 0);
    // The night trough is a tenth of the average or less: the floor must stay below it.
    expect(prod.alarms.minOrdersPerMinute).toBeLessThan(average / 10);
  });

  test('tighten the rejection rate from dev to prod', () => {
    expect(dev.alarms.rejectionRatePercent).toBeGreaterThan(staging.alarms.rejectionRatePercent);
    expect(staging.alarms.rejectionRatePercent).toBeGreaterThan(prod.alarms.rejectionRatePercent);
  });
});

describe('the api settings of the environments', () => {
  test.each([dev, staging, prod])(
    '$name waits for a query less than its handler runs, and the handler less than the gateway waits',
    (c) => {
      expect(c.api.queryWaitSeconds + 3).toBeLessThanOrEqual(c.api.handler.timeoutSeconds);
      expect(c.api.handler.timeoutSeconds).toBeLessThan(29);
    },
  );

  test('authenticate with IAM (SigV4) everywhere, as the contract says', () => {
    expect([dev, staging, prod].map((c) => c.api.authorizer)).toEqual(['iam', 'iam', 'iam']);
  });

  test('never let the WAF block a partner that keeps to its plan', () => {
    for (const c of [dev, staging, prod]) {
      for (const p of c.api.partners)
        expect(p.rateLimit * 300).toBeLessThanOrEqual(c.api.wafRateLimitPer5Minutes);
    }
  });

  test('tighten the 5XX alarm from dev to prod, and keep prod access logs a year', () => {
    expect(dev.api.alarms.serverErrorRatePercent).toBeGreaterThan(staging.api.alarms.serverErrorRatePercent);
    expect(staging.api.alarms.serverErrorRatePercent).toBeGreaterThan(prod.api.alarms.serverErrorRatePercent);
    expect(prod.api.accessLogDays).toBeGreaterThanOrEqual(365);
  });
});
