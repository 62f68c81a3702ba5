/**
 * The typed configuration of one environment. Every size and policy of the platform lives here;
 * constructs receive it as props and never read process.env. Sizes that follow from the expected
 * volumes are derived in lib/config/sizing.ts, not typed here.
 */

export type EnvironmentName = 'dev' | 'staging' | 'prod';

/** Log levels understood by both Lambda's JSON logging and Powertools (POWERTOOLS_LOG_LEVEL). */
export type LogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

export interface ExpectedVolumes {
  /** Sales records (order lines) per month. */
  readonly salesRecordsPerMonth: number;
  readonly customers: number;
  readonly skus: number;
  readonly warehouses: number;
  /** Average order lines (sales records) per order; orders per month = salesRecordsPerMonth / linesPerOrder. */
  readonly linesPerOrder: number;
  /**
   * Order lifecycle events per order on the orders stream (created, paid, shipped, delivered, plus the
   * share of cancelled and returned orders).
   */
  readonly orderEventsPerOrder: number;
  /** Share of the SKUs whose product metadata changes in a month (product.metadata_updated events). */
  readonly skuUpdatesPerMonthRatio: number;
  /** Clickstream events (interactions, reviews and application logs) per order placed. */
  readonly interactionsPerOrder: number;
  /** Inventory movements per order line (reserve, ship, and replenishment). */
  readonly movementsPerSalesRecord: number;
  /** Ratio of the busiest hour to the average hour. */
  readonly peakToAverage: number;
  /** Average encoded size of one event, bytes. */
  readonly averageEventBytes: number;
}

export interface StreamSettings {
  /** PROVISIONED derives shard counts from the volumes; ON_DEMAND lets Kinesis scale. */
  readonly capacityMode: 'PROVISIONED' | 'ON_DEMAND';
  /** Hours records stay in the stream (24 to 8760). */
  readonly retentionHours: number;
  /** Lower bound on the derived shard count per stream (PROVISIONED only). */
  readonly minShards: number;
}

export interface TransformerSettings {
  readonly memoryMiB: number;
  readonly timeoutSeconds: number;
  /** Records per invocation (1 to 10000). */
  readonly batchSize: number;
  /** Seconds to gather a batch (0 to 300). */
  readonly maxBatchingWindowSeconds: number;
  /** Retries of a failing batch before its records go to the dead-letter queue (0 to 10000). */
  readonly retryAttempts: number;
  /** Records older than this go to the dead-letter queue instead of being retried (60 to 604800 s). */
  readonly maxRecordAgeSeconds: number;
  /** Concurrent batches per shard (1 to 10); order per partition key is kept. */
  readonly parallelizationFactor: number;
  /** Largest record the transformer accepts, bytes; larger ones are dead-lettered. */
  readonly maxRecordBytes: number;
  /** Application log level of the transformers (Lambda JSON logging and Powertools). */
  readonly logLevel: LogLevel;
}

export interface RetentionSettings {
  /** Days a log group keeps Lambda and Firehose logs (one of the values CloudWatch Logs accepts). */
  readonly logDays: number;
  /** Days before raw lake objects move to Infrequent Access, then to Glacier Instant Retrieval. */
  readonly rawToInfrequentAccessDays: number;
  readonly rawToGlacierDays: number;
  /**
   * Days the DynamoDB exports of the document tables (raw `dynamodb/`) and their curated snapshots
   * are kept: each export is a full copy of the tables, and a newer one replaces it.
   */
  readonly documentSnapshotDays: number;
  /** Days noncurrent object versions are kept. */
  readonly noncurrentVersionDays: number;
  /** Days S3 server access logs are kept in the access-log bucket. */
  readonly accessLogDays: number;
  /** Days the dead-letter queues keep messages (1 to 14). */
  readonly deadLetterQueueDays: number;
  /** Days before interactions, sessions and logs expire from DynamoDB (the lake keeps them). */
  readonly interactionsTtlDays: number;
  readonly sessionsTtlDays: number;
  readonly applicationLogsTtlDays: number;
  /** Days an applied inventory movement stays in the ledger that makes replays harmless. */
  readonly stockLedgerTtlDays: number;
}

export interface AlarmSettings {
  /** Iterator age of a transformer, in seconds, above which the on-call engineer is paged. */
  readonly iteratorAgeSeconds: number;
  /** Messages in a dead-letter queue above which an alarm fires (0: the first message fires it). */
  readonly deadLetterMessages: number;
  /** Transformer errors in 5 minutes above which an alarm fires. */
  readonly transformerErrors: number;
  /**
   * Age in seconds of the oldest record not yet delivered to the raw zone by Firehose
   * (DeliveryToS3.DataFreshness) above which an alarm fires; must exceed firehoseBufferSeconds.
   */
  readonly rawDeliveryFreshnessSeconds: number;
  /**
   * New orders a minute (`orders_created`, from the orders transformer) below which the
   * orders-per-minute alarm counts a minute as low; the alarm fires after `ordersLowMinutes` low
   * minutes in a row. A minute without any data counts as low, so a silent stream (producer down,
   * transformer stuck) fires it too. 0 creates no alarm (an environment without steady traffic).
   */
  readonly minOrdersPerMinute: number;
  /** Consecutive low minutes before the orders-per-minute alarm fires (1 to 1440). */
  readonly ordersLowMinutes: number;
  /**
   * Rejected records, in percent of the records a transformer received over 5 minutes, above which
   * the stream's rejection-rate alarm fires (0 to 100).
   */
  readonly rejectionRatePercent: number;
  /**
   * Low-stock events (`low_stock_events`: a SKU's available stock in a warehouse falling below its
   * reorder point) in 5 minutes above which the low-stock alarm fires.
   */
  readonly lowStockEvents: number;
}

/** The VPC of the platform's private workloads (the Glue JDBC connection; the warehouse later). */
export interface NetworkSettings {
  /** CIDR block of the VPC, for example `10.40.0.0/16`; must not overlap the networks it is peered with. */
  readonly cidr: string;
  /** Availability zones of its private subnets (2 or 3). */
  readonly maxAzs: number;
}

/** The shop's transactional PostgreSQL database, which the OLTP extraction reads over JDBC. */
export interface OltpSourceSettings {
  /**
   * JDBC URL of the database as the Glue connection reaches it from the platform's VPC (through
   * peering or a transit gateway the network team provides), for example
   * `jdbc:postgresql://shop-db.internal:5432/shop`.
   */
  readonly jdbcUrl: string;
  /** Tables the extraction reads in parallel per table, at most (JDBC partitions). */
  readonly readPartitions: number;
}

/** Glue worker types a glueetl job of Glue 5.0 can run on. */
export type GlueWorkerType = 'G.1X' | 'G.2X' | 'G.4X' | 'G.8X';

/** The Glue jobs of the lake workflow (glue-scripts/workflow.json) and its schedule. */
export interface GlueJobSettings {
  /** Worker type (G.1X: 4 vCPU, 16 GB; G.2X: 8 vCPU, 32 GB; ...). */
  readonly workerType: GlueWorkerType;
  /** Workers of a run, the driver included (2 to 299). */
  readonly numberOfWorkers: number;
  /** Minutes a run may take before Glue stops it (1 to 2880); a timeout alarms like a failure. */
  readonly timeoutMinutes: number;
  /** Retries of a failed run (0 to 10). */
  readonly maxRetries: number;
  /**
   * Hours between two full exports of the DynamoDB document tables: a workflow run exports them only
   * when the newest export is older (a full export is billed per GB of the whole table, so hourly
   * exports of prod's tables would cost far more than the rest of the lake).
   */
  readonly documentExportIntervalHours: number;
  /** When the workflow's scheduled trigger starts it: an EventBridge cron expression, `cron(m h dom mon dow y)`. */
  readonly schedule: string;
}

/** What Redshift Serverless does when a usage limit is reached. */
export type UsageLimitBreachAction = 'log' | 'emit-metric' | 'deactivate';

/** The period a usage limit counts RPU-hours over (a weekly period begins on Sunday). */
export type UsageLimitPeriod = 'daily' | 'weekly' | 'monthly';

/** A cap on the RPU-hours the workgroup may use in a period. */
export interface WarehouseUsageLimit {
  /** The period the amount applies to; at most one limit per period. */
  readonly period: UsageLimitPeriod;
  /** RPU-hours of compute in the period (a positive integer). */
  readonly rpuHours: number;
  /**
   * What happens when the period's usage reaches the amount: `log` (a row in SYS_QUERY_HISTORY's
   * usage views), `emit-metric` (a CloudWatch metric to alarm on) or `deactivate` (queries are
   * refused until the period ends: the safe choice where a runaway query must not cost money).
   */
  readonly breachAction: UsageLimitBreachAction;
}

/**
 * Backups of the warehouse beyond what Redshift Serverless does by itself (a recovery point every
 * 30 minutes, kept 24 hours, not configurable).
 */
export interface WarehouseSnapshotSettings {
  /**
   * When a manual snapshot of the namespace is taken (an EventBridge Scheduler cron expression,
   * UTC), or undefined for none.
   */
  readonly schedule?: string;
  /** Days a scheduled snapshot is kept (1 to 3653). */
  readonly retentionDays: number;
  /**
   * Days the final snapshot taken when the namespace is deleted is kept (1 to 3653); only when
   * `retainData` is true (otherwise the data is disposable and no final snapshot is taken).
   */
  readonly finalSnapshotRetentionDays: number;
}

/** The Redshift Serverless warehouse: its namespace, workgroup, limits, backups and schedules. */
export interface WarehouseSettings {
  /** The database the star schema lives in (lowercase letters, digits and underscores). */
  readonly databaseName: string;
  /** The admin user; its password is generated and kept in Secrets Manager by Redshift. */
  readonly adminUsername: string;
  /** Base capacity in Redshift Processing Units (8 to 1024, steps of 8): what a query starts with. */
  readonly baseRpu: number;
  /** Most RPUs the workgroup scales to (8 to 1024, steps of 8, at least `baseRpu`). */
  readonly maxRpu: number;
  /** Caps on RPU-hours, at most one per period. */
  readonly usageLimits: readonly WarehouseUsageLimit[];
  /** Scheduled and final snapshots. */
  readonly snapshots: WarehouseSnapshotSettings;
  /** When the scheduled loads of the curated zone into the star schema run: an EventBridge Scheduler cron expression, UTC. */
  readonly loadSchedule: string;
  /** Minutes the load state machine may run before it is stopped and alarms (5 to 1440). */
  readonly loadTimeoutMinutes: number;
  /** Minutes a deploy waits for the schema migrations and views before it fails (5 to 120). */
  readonly migrationTimeoutMinutes: number;
}

/** How the REST API authenticates its callers. */
export type ApiAuthorizer = 'iam' | 'cognito';

/** Steady rate and burst of requests, as API Gateway throttles them (token bucket). */
export interface ApiThrottle {
  /** Requests per second, on average (the bucket's refill rate). */
  readonly rateLimit: number;
  /** Requests at once above the rate (the bucket's size). */
  readonly burstLimit: number;
}

/**
 * A partner that calls the REST API: its own usage plan (rate, burst and daily quota) and an API
 * key API Gateway generates. The key identifies the plan; the caller still signs with IAM (or
 * presents a Cognito token).
 */
export interface ApiPartner extends ApiThrottle {
  /** Lowercase letters, digits and hyphens; names the usage plan and the key (`<prefix>-api-<name>`). */
  readonly name: string;
  /** Requests a day (UTC), after which API Gateway answers 429 until midnight. */
  readonly quotaPerDay: number;
}

/** The alarms of the REST API. */
export interface ApiAlarmSettings {
  /** 5XX answers, in percent of the requests of 5 minutes (at least 20), above which an alarm fires. */
  readonly serverErrorRatePercent: number;
  /** p99 latency of the gateway (ms, over 5 minutes, 3 periods in a row) above which an alarm fires. */
  readonly p99LatencyMs: number;
  /** Requests the WAF blocks in 5 minutes above which an alarm fires; 0 creates no alarm. */
  readonly wafBlockedRequests: number;
}

/** The REST API (API Gateway, a WAF, its Lambda handler). */
export interface ApiSettings {
  /** `iam` (SigV4, the contract's default) or `cognito` (a Cognito user pool's tokens). */
  readonly authorizer: ApiAuthorizer;
  /** ARN of the Cognito user pool whose tokens the API accepts; only with authorizer `cognito`. */
  readonly cognitoUserPoolArn?: string;
  /** The stage's default method throttling (every caller together). */
  readonly throttling: ApiThrottle;
  /** The partners with a usage plan of their own; the platform's own callers share the `internal` plan. */
  readonly partners: readonly ApiPartner[];
  /**
   * Seconds a request waits for a warehouse query before answering 202 with a link to poll
   * (QUERY_WAIT_SECONDS); below API Gateway's 29 s integration timeout, with the handler's margin.
   */
  readonly queryWaitSeconds: number;
  /** The Lambda handler's memory and timeout (the timeout covers the wait plus the answer). */
  readonly handler: {
    readonly memoryMiB: number;
    readonly timeoutSeconds: number;
    readonly logLevel: LogLevel;
  };
  /** Requests per client IP in 5 minutes above which the WAF blocks the IP (10 to 2,000,000,000). */
  readonly wafRateLimitPer5Minutes: number;
  /** Days the access log group keeps the gateway's access logs (a CloudWatch Logs retention value). */
  readonly accessLogDays: number;
  /** Alarm thresholds. */
  readonly alarms: ApiAlarmSettings;
}

export interface EnvironmentConfig {
  readonly name: EnvironmentName;
  /** Prefix of every physical name (tables, streams), for example `ecom-dev`. */
  readonly prefix: string;
  /** AWS account and region; undefined keeps the stack environment-agnostic (synth needs no credentials). */
  readonly account?: string;
  readonly region: string;
  readonly volumes: ExpectedVolumes;
  readonly streams: StreamSettings;
  readonly transformer: TransformerSettings;
  readonly retention: RetentionSettings;
  readonly alarms: AlarmSettings;
  /** The Glue jobs of the lake workflow. */
  readonly glue: GlueJobSettings;
  /** The VPC of private workloads. */
  readonly network: NetworkSettings;
  /** The shop's OLTP database, source of the dimensions. */
  readonly oltp: OltpSourceSettings;
  /** The Redshift Serverless warehouse. */
  readonly warehouse: WarehouseSettings;
  /** The REST API for analytics and operational lookups. */
  readonly api: ApiSettings;
  /** DynamoDB billing: on-demand, or provisioned with capacity derived from the volumes. */
  readonly dynamoBillingMode: 'PAY_PER_REQUEST' | 'PROVISIONED';
  /** Retain stateful resources (tables, buckets, keys, streams) when the stack is deleted. */
  readonly retainData: boolean;
  /** Turn on DynamoDB deletion protection. */
  readonly deletionProtection: boolean;
  /** Firehose buffering toward the raw zone. */
  readonly firehoseBufferSeconds: number;
  readonly firehoseBufferMiB: number;
}
