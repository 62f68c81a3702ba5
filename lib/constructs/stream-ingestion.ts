import { Duration, RemovalPolicy, Size, Stack, Token, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { KinesisEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { LogLevel } from '../config/environment-config';
import { StreamDefinition } from '../streams/stream-definitions';
import { TableId } from '../tables/table-definitions';
import { TransformerRuntimeSettings, transformerEnvironment } from '../../lambdas/shared/runtime-settings';
import {
  DEFAULT_DEAD_LETTER_RETENTION,
  DEFAULT_METRICS_NAMESPACE,
  STREAM_EVENT_SOURCE_DEFAULTS,
} from './defaults';
import { PlatformFunction } from './platform-function';
import { QueueFailureDestination } from './queue-failure-destination';
import { RawEventDelivery } from './raw-event-delivery';

/** The DynamoDB actions a transformer may use on the tables it writes. */
export const TRANSFORMER_TABLE_ACTIONS: readonly string[] = [
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
];

/**
 * The tables a transformer also reads and writes in batches (BatchGetItem, BatchWriteItem): the stock
 * ledger, whose reads and writes the inventory transformer batches across the records in flight
 * (lambdas/inventory-transformer/stock-ledger.ts). BatchWriteItem would also allow deletes, so only
 * these tables get it.
 */
export const TRANSFORMER_BATCH_TABLES: readonly TableId[] = ['stock-ledger'];

/** Alarm thresholds of a {@link StreamIngestion}. */
export interface StreamIngestionAlarmThresholds {
  /** Transformer iterator age (maximum over a minute, three minutes in a row) above which to alarm. */
  readonly iteratorAge: Duration;
  /** Transformer errors in five minutes above which to alarm. */
  readonly transformerErrors: number;
  /** Visible dead-letter messages above which to alarm (0: the first message). */
  readonly deadLetterMessages: number;
  /** Age of the oldest record not yet in the raw zone above which to alarm. */
  readonly rawDeliveryFreshness: Duration;
  /** Rejected records, in percent of the records received over 5 minutes, above which to alarm. */
  readonly rejectionRatePercent: number;
}

/** Default alarm thresholds. */
export const DEFAULT_ALARM_THRESHOLDS: StreamIngestionAlarmThresholds = {
  iteratorAge: Duration.minutes(5),
  transformerErrors: 10,
  deadLetterMessages: 0,
  rawDeliveryFreshness: Duration.minutes(15),
  rejectionRatePercent: 5,
};

/**
 * Records received in 5 minutes below which the rejection rate is not judged (it reads 0): in a quiet
 * dev or staging stream one bad record of three would otherwise be a 33% rate and page someone.
 */
export const REJECTION_RATE_MIN_RECORDS = 20;

/** The runbook every alarm description points to (docs/runbook.md, one section per alarm). */
export const RUNBOOK = 'docs/runbook.md';

/** `Runbook: docs/runbook.md#<anchor>`, the last sentence of every alarm description. */
export function runbookLink(anchor: string): string {
  return `Runbook: ${RUNBOOK}#${anchor}`;
}

/** The physical names a {@link StreamIngestion} gives its resources under a name prefix. */
export interface StreamIngestionNames {
  readonly stream: string;
  readonly transformer: string;
  readonly deadLetterQueue: string;
  readonly rawDelivery: string;
  /** The alarms, by purpose. */
  readonly alarms: {
    readonly iteratorAge: string;
    readonly transformerErrors: string;
    readonly deadLetterMessages: string;
    readonly rawDeliveryFreshness: string;
    readonly rejectionRate: string;
  };
}

/**
 * The physical names of a stream's ingestion path under `prefix`. The construct names its resources
 * with them, and the monitoring stack builds its metrics and alarm ARNs from them, so the dashboard
 * needs no cross-stack reference (no export that would pin these resources).
 */
export function streamIngestionNames(prefix: string, def: StreamDefinition): StreamIngestionNames {
  const alarm = (purpose: string): string => `${prefix}-${def.id}-${purpose}`;
  return {
    stream: `${prefix}-${def.id}`,
    transformer: `${prefix}-${def.transformer}`,
    deadLetterQueue: `${prefix}-${def.transformer}-dlq`,
    rawDelivery: `${prefix}-${def.id}-raw`,
    alarms: {
      iteratorAge: alarm('iterator-age'),
      transformerErrors: alarm('transformer-errors'),
      deadLetterMessages: alarm('dead-letter-messages'),
      rawDeliveryFreshness: alarm('raw-delivery-freshness'),
      rejectionRate: alarm('rejection-rate'),
    },
  };
}

/**
 * A metric a transformer publishes as EMF (lambdas/shared/kinesis-transformer.ts publishBatchMetrics):
 * the batch counts (`received`, `applied`, `duplicates`, `rejected`, `failed`) and the business
 * metrics (`orders_created`, `order_revenue`, `low_stock_events`, ...). Powertools adds the
 * dimension `service` (the transformer's service name, STREAMS[id].transformer) to the `stream` the
 * transformer sets, and CloudWatch matches a metric only on all of its dimensions.
 *
 * @default statistic Sum, period 1 minute
 */
export function transformerMetric(
  namespace: string,
  def: StreamDefinition,
  metricName: string,
  options: cloudwatch.MetricOptions = {},
): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace,
    metricName,
    dimensionsMap: { service: def.transformer, stream: def.id },
    statistic: 'Sum',
    period: Duration.minutes(1),
    ...options,
  });
}

/** Properties of a {@link StreamIngestion}. */
export interface StreamIngestionProps {
  /** The stream's definition from STREAMS. */
  readonly definition: StreamDefinition;

  /** Path of the transformer's handler file (`lambdas/<transformer>/handler.ts`). */
  readonly transformerEntry: string;

  /** The key that encrypts the stream, the dead-letter queue, the raw objects and the log groups. */
  readonly encryptionKey: kms.IKey;

  /** The tables the transformer writes, by id; it may use no other table. */
  readonly tables: Partial<Record<TableId, dynamodb.ITable>>;

  /** The raw bucket: Firehose writes events there, the transformer dead-letters records there. */
  readonly rawBucket: s3.IBucket;

  /** Managed policy opening `dead-letter/` of the raw bucket (attached to the transformer). */
  readonly deadLetterWriterPolicy: iam.IManagedPolicy;

  /** Managed policy opening `events/` and `events-unparsed/` of the raw bucket (attached to Firehose). */
  readonly rawEventsWriterPolicy: iam.IManagedPolicy;

  /** Days before TTL-bearing items expire, passed to the transformer. */
  readonly ttlDays: TransformerRuntimeSettings['ttlDays'];

  /**
   * Prefix of the physical names (stream, function, queue, delivery stream), for example `ecom-dev`.
   *
   * @default - names CloudFormation generates
   */
  readonly namePrefix?: string;

  /**
   * Shards of a PROVISIONED stream.
   *
   * @default - the stream is ON_DEMAND and Kinesis scales it
   */
  readonly shardCount?: number;

  /**
   * How long the stream keeps records (24 h to 365 days).
   *
   * @default Duration.hours(24)
   */
  readonly retention?: Duration;

  /**
   * What happens to the stream and the dead-letter queue when they leave the stack; log groups
   * follow it too.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * Transformer memory in MiB.
   *
   * @default 256
   */
  readonly memorySize?: number;

  /**
   * Transformer timeout.
   *
   * @default Duration.seconds(60)
   */
  readonly timeout?: Duration;

  /**
   * Transformer log level.
   *
   * @default 'INFO'
   */
  readonly logLevel?: LogLevel;

  /**
   * Log retention of the transformer and of the delivery errors.
   *
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * CloudWatch namespace of the transformer's Powertools metrics.
   *
   * @default 'EcommerceDataPlatform'
   */
  readonly metricsNamespace?: string;

  /**
   * Largest record the transformer accepts, bytes; larger ones are dead-lettered.
   *
   * @default 262144
   */
  readonly maxRecordBytes?: number;

  /**
   * Records per transformer invocation (1 to 10000).
   *
   * @default 100
   */
  readonly batchSize?: number;

  /**
   * Longest the event source gathers a batch (0 to 300 s).
   *
   * @default Duration.seconds(1)
   */
  readonly maxBatchingWindow?: Duration;

  /**
   * Retries of a failing batch (halved by bisect on error) before its records go to the
   * dead-letter queue (0 to 10000).
   *
   * @default 5
   */
  readonly retryAttempts?: number;

  /**
   * Records older than this go to the dead-letter queue instead of being retried (60 s to 7 days).
   *
   * @default Duration.hours(6)
   */
  readonly maxRecordAge?: Duration;

  /**
   * Concurrent batches per shard (1 to 10); order per partition key is kept.
   *
   * @default 1
   */
  readonly parallelizationFactor?: number;

  /**
   * How long the dead-letter queue keeps messages (1 to 14 days).
   *
   * @default Duration.days(14)
   */
  readonly deadLetterRetention?: Duration;

  /**
   * Firehose buffer interval toward the raw zone.
   *
   * @default Duration.seconds(300)
   */
  readonly rawBufferInterval?: Duration;

  /**
   * Firehose buffer size toward the raw zone.
   *
   * @default Size.mebibytes(128)
   */
  readonly rawBufferSize?: Size;

  /**
   * Topic that receives the alarm and OK notifications.
   *
   * @default - the alarms change state without notifying anyone
   */
  readonly alarmTopic?: sns.ITopic;

  /**
   * Alarm thresholds.
   *
   * @default DEFAULT_ALARM_THRESHOLDS
   */
  readonly alarmThresholds?: StreamIngestionAlarmThresholds;
}

function requireInteger(
  path: string,
  name: string,
  value: number | undefined,
  min: number,
  max: number,
): void {
  if (value === undefined || Token.isUnresolved(value)) return;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(
      `StreamIngestion ${path}: ${name} is ${value}, expected an integer from ${min} to ${max}`,
    );
  }
}

function requireSeconds(
  path: string,
  name: string,
  value: Duration | undefined,
  min: number,
  max: number,
): void {
  if (value === undefined || value.isUnresolved()) return;
  const s = value.toSeconds({ integral: false });
  if (s < min || s > max) {
    throw new Error(`StreamIngestion ${path}: ${name} is ${s} s, expected ${min} to ${max} s`);
  }
}

/**
 * The ingestion path of one Kinesis stream:
 *
 * - the stream (SSE-KMS with the platform key; provisioned shards or on-demand);
 * - the transformer (a PlatformFunction) behind an event source mapping from TRIM_HORIZON that
 *   reports partial batch failures, bisects failing batches, caps retries and record age, and sends
 *   what it gives up on to an SQS dead-letter queue (KMS, TLS only);
 * - a Firehose delivery of every raw event to the raw zone (RawEventDelivery);
 * - alarms on iterator age, transformer errors, dead-letter messages, delivery freshness and the
 *   rate of rejected records, named `<prefix>-<stream>-<purpose>` under a name prefix, each with a
 *   description that ends with its runbook section.
 *
 * The transformer reads its stream, reads and writes only the tables it is given (GetItem,
 * PutItem, UpdateItem), puts objects only under `dead-letter/` of the raw bucket, and learns
 * everything through the environment that `transformerEnvironment()` builds.
 *
 * @example
 * new StreamIngestion(this, 'Orders', {
 *   definition: STREAMS.orders,
 *   transformerEntry: 'lambdas/orders-transformer/handler.ts',
 *   encryptionKey: key,
 *   tables: { orders: ordersTable, 'product-metadata': productMetadataTable },
 *   rawBucket,
 *   deadLetterWriterPolicy,
 *   rawEventsWriterPolicy,
 *   ttlDays: { interactions: 30, sessions: 30, applicationLogs: 7, stockLedger: 7 },
 * });
 */
export class StreamIngestion extends Construct {
  /** The Kinesis stream. */
  public readonly stream: kinesis.Stream;

  /** The transformer. */
  public readonly transformer: PlatformFunction;

  /** The event source mapping from the stream to the transformer. */
  public readonly eventSource: KinesisEventSource;

  /** The queue that receives the records the transformer gave up on. */
  public readonly deadLetterQueue: sqs.Queue;

  /** The Firehose delivery to the raw zone. */
  public readonly rawDelivery: RawEventDelivery;

  /** The alarms, by purpose. */
  public readonly alarms: {
    readonly iteratorAge: cloudwatch.Alarm;
    readonly transformerErrors: cloudwatch.Alarm;
    readonly deadLetterMessages: cloudwatch.Alarm;
    readonly rawDeliveryFreshness: cloudwatch.Alarm;
    readonly rejectionRate: cloudwatch.Alarm;
  };

  /** The physical names, when a name prefix was given. */
  public readonly names?: StreamIngestionNames;

  /** The CloudWatch namespace of the transformer's EMF metrics. */
  public readonly metricsNamespace: string;

  constructor(scope: Construct, id: string, props: StreamIngestionProps) {
    super(scope, id);
    const path = this.node.path;
    const def = props.definition;
    const d = STREAM_EVENT_SOURCE_DEFAULTS;
    const retention = props.retention ?? Duration.hours(24);
    const deadLetterRetention = props.deadLetterRetention ?? DEFAULT_DEAD_LETTER_RETENTION;
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const thresholds = props.alarmThresholds ?? DEFAULT_ALARM_THRESHOLDS;
    requireInteger(path, 'shardCount', props.shardCount, 1, 10_000);
    requireInteger(path, 'batchSize', props.batchSize, 1, 10_000);
    requireInteger(path, 'retryAttempts', props.retryAttempts, 0, 10_000);
    requireInteger(path, 'parallelizationFactor', props.parallelizationFactor, 1, 10);
    requireInteger(path, 'maxRecordBytes', props.maxRecordBytes, 1024, 1_048_576);
    requireSeconds(path, 'retention', retention, 24 * 3600, 8760 * 3600);
    requireSeconds(path, 'maxBatchingWindow', props.maxBatchingWindow, 0, 300);
    requireSeconds(path, 'maxRecordAge', props.maxRecordAge, 60, 604_800);
    requireSeconds(path, 'deadLetterRetention', deadLetterRetention, 60, 14 * 86_400);
    const tableIds = Object.keys(props.tables) as TableId[];
    if (tableIds.length === 0) {
      throw new Error(
        `StreamIngestion ${path}: tables is empty; the ${def.id} transformer must write at least one table`,
      );
    }
    const maxRecordAge = props.maxRecordAge ?? d.maxRecordAge;
    if (
      !maxRecordAge.isUnresolved() &&
      !retention.isUnresolved() &&
      maxRecordAge.toSeconds({ integral: false }) > retention.toSeconds({ integral: false })
    ) {
      throw new Error(
        `StreamIngestion ${path}: maxRecordAge is ${maxRecordAge.toSeconds({ integral: false })} s, longer than the stream retention (${retention.toSeconds({ integral: false })} s)`,
      );
    }
    const names = props.namePrefix === undefined ? undefined : streamIngestionNames(props.namePrefix, def);
    this.names = names;
    this.metricsNamespace = props.metricsNamespace ?? DEFAULT_METRICS_NAMESPACE;

    // The stream.
    this.stream = new kinesis.Stream(this, 'Stream', {
      streamName: names?.stream,
      streamMode:
        props.shardCount === undefined ? kinesis.StreamMode.ON_DEMAND : kinesis.StreamMode.PROVISIONED,
      shardCount: props.shardCount,
      retentionPeriod: retention,
      encryption: kinesis.StreamEncryption.KMS,
      encryptionKey: props.encryptionKey,
      removalPolicy,
    });
    Validations.of(this.stream).acknowledge({
      id: 'AwsSolutions-KDS3',
      reason:
        'The stream uses the platform customer-managed key on purpose: one key policy to audit and revoke for every store, and producers in other accounts can be granted it (aws/kinesis cannot be shared). Kinesis reuses a data key for 5 minutes per producer and consumer, so the KMS cost at the derived shard counts is small.',
    });

    // The dead-letter queue: the on-failure destination of the event source mapping.
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      queueName: names?.deadLetterQueue,
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.encryptionKey,
      dataKeyReuse: Duration.hours(1),
      enforceSSL: true,
      retentionPeriod: deadLetterRetention,
      removalPolicy,
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself the dead-letter (on-failure) destination of the transformer event source mapping; cdk-nag recognises only redrive policies and Lambda DeadLetterConfig as such.',
    });

    // The transformer.
    const tableNames: Partial<Record<TableId, string>> = {};
    for (const tableId of tableIds) tableNames[tableId] = props.tables[tableId]!.tableName;
    this.transformer = new PlatformFunction(this, 'Transformer', {
      entry: props.transformerEntry,
      serviceName: def.transformer,
      functionName: names?.transformer,
      description: `Validates and normalises the ${def.id} stream into DynamoDB`,
      memorySize: props.memorySize ?? 256,
      timeout: props.timeout ?? Duration.seconds(60),
      logLevel: props.logLevel,
      metricsNamespace: this.metricsNamespace,
      logRetention: props.logRetention,
      logEncryptionKey: props.encryptionKey,
      logRemovalPolicy: removalPolicy,
      environment: transformerEnvironment({
        streamId: def.id,
        tables: tableNames,
        deadLetterBucket: props.rawBucket.bucketName,
        maxRecordBytes: props.maxRecordBytes ?? 256 * 1024,
        ttlDays: props.ttlDays,
      }),
    });
    const fn = this.transformer.function;

    // Least privilege: only the given tables, only the actions a transformer uses, and the table
    // key only through DynamoDB.
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: [...TRANSFORMER_TABLE_ACTIONS],
        resources: tableIds.map((t) => props.tables[t]!.tableArn),
      }),
    );
    const batchTables = tableIds.filter((t) => TRANSFORMER_BATCH_TABLES.includes(t));
    if (batchTables.length > 0) {
      fn.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ['dynamodb:BatchGetItem', 'dynamodb:BatchWriteItem'],
          resources: batchTables.map((t) => props.tables[t]!.tableArn),
        }),
      );
    }
    const tableKeys = new Map<string, kms.IKey>();
    for (const t of tableIds) {
      const key = props.tables[t]!.encryptionKey;
      if (key) tableKeys.set(key.node.path, key);
    }
    if (tableKeys.size > 0) {
      fn.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'],
          resources: [...tableKeys.values()].map((k) => k.keyArn),
          conditions: {
            StringEquals: { 'kms:ViaService': `dynamodb.${Stack.of(this).region}.amazonaws.com` },
          },
        }),
      );
    }
    this.transformer.role.addManagedPolicy(props.deadLetterWriterPolicy);

    this.eventSource = new KinesisEventSource(this.stream, {
      startingPosition: lambda.StartingPosition.TRIM_HORIZON,
      batchSize: props.batchSize ?? d.batchSize,
      maxBatchingWindow: props.maxBatchingWindow ?? d.maxBatchingWindow,
      reportBatchItemFailures: true,
      bisectBatchOnError: true,
      retryAttempts: props.retryAttempts ?? d.retryAttempts,
      maxRecordAge,
      parallelizationFactor: props.parallelizationFactor ?? d.parallelizationFactor,
      onFailure: new QueueFailureDestination(this.deadLetterQueue),
    });
    fn.addEventSource(this.eventSource);

    // Every raw event to the lake.
    this.rawDelivery = new RawEventDelivery(this, 'RawDelivery', {
      streamId: def.id,
      source: this.stream,
      bucket: props.rawBucket,
      encryptionKey: props.encryptionKey,
      writerPolicy: props.rawEventsWriterPolicy,
      deliveryStreamName: names?.rawDelivery,
      bufferInterval: props.rawBufferInterval,
      bufferSize: props.rawBufferSize,
      logRetention: props.logRetention,
      logEncryptionKey: props.encryptionKey,
      logRemovalPolicy: removalPolicy,
    });

    // Alarms. Missing data is not breaching for all of them: a stream without traffic has no
    // iterator age, errors or rejections to judge (the orders-per-minute alarm of the monitoring
    // stack is the one that treats silence as a fault).
    const alarmNames = names?.alarms;
    this.alarms = {
      iteratorAge: new cloudwatch.Alarm(this, 'IteratorAgeAlarm', {
        alarmName: alarmNames?.iteratorAge,
        alarmDescription: `The ${def.transformer} is falling behind its stream: iterator age above ${thresholds.iteratorAge.toSeconds()} s for 3 minutes. ${runbookLink('iterator-age')}`,
        metric: fn.metric('IteratorAge', { statistic: 'Maximum', period: Duration.minutes(1) }),
        threshold: thresholds.iteratorAge.toMilliseconds(),
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 3,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
      transformerErrors: new cloudwatch.Alarm(this, 'ErrorsAlarm', {
        alarmName: alarmNames?.transformerErrors,
        alarmDescription: `The ${def.transformer} failed more than ${thresholds.transformerErrors} invocations in 5 minutes. ${runbookLink('transformer-errors')}`,
        metric: fn.metricErrors({ statistic: 'Sum', period: Duration.minutes(5) }),
        threshold: thresholds.transformerErrors,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
      deadLetterMessages: new cloudwatch.Alarm(this, 'DeadLetterAlarm', {
        alarmName: alarmNames?.deadLetterMessages,
        alarmDescription: `Records of the ${def.id} stream were dead-lettered: more than ${thresholds.deadLetterMessages} visible in ${names?.deadLetterQueue ?? this.deadLetterQueue.node.path}. ${runbookLink('dead-letter-messages')}`,
        metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
          statistic: 'Maximum',
          period: Duration.minutes(1),
        }),
        threshold: thresholds.deadLetterMessages,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
      rawDeliveryFreshness: new cloudwatch.Alarm(this, 'RawDeliveryFreshnessAlarm', {
        alarmName: alarmNames?.rawDeliveryFreshness,
        alarmDescription: `Raw ${def.id} events wait more than ${thresholds.rawDeliveryFreshness.toSeconds()} s to reach the lake. ${runbookLink('raw-delivery-freshness')}`,
        metric: this.rawDelivery.metricDataFreshness(Duration.minutes(5)),
        threshold: thresholds.rawDeliveryFreshness.toSeconds(),
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
      rejectionRate: this.rejectionRateAlarm(def, thresholds.rejectionRatePercent, alarmNames?.rejectionRate),
    };
    if (props.alarmTopic) {
      const action = new cwActions.SnsAction(props.alarmTopic);
      for (const alarm of Object.values(this.alarms)) {
        alarm.addAlarmAction(action);
        alarm.addOkAction(action);
      }
    }
  }

  /**
   * Rejected records in percent of the records received, over 5 minutes, from the transformer's own
   * counts: `100 * rejected / received` when at least REJECTION_RATE_MIN_RECORDS were received, else
   * 0. A ratio, so a burst of ten times the usual traffic with the usual share of bad records does
   * not fire it, while a producer that starts sending a broken field does, whatever the volume.
   */
  private rejectionRateAlarm(def: StreamDefinition, percent: number, alarmName?: string): cloudwatch.Alarm {
    const period = Duration.minutes(5);
    const rate = new cloudwatch.MathExpression({
      expression: `IF(received >= ${REJECTION_RATE_MIN_RECORDS}, 100 * rejected / received, 0)`,
      usingMetrics: {
        rejected: transformerMetric(this.metricsNamespace, def, 'rejected', { period }),
        received: transformerMetric(this.metricsNamespace, def, 'received', { period }),
      },
      label: `${def.id} rejected %`,
      period,
    });
    return new cloudwatch.Alarm(this, 'RejectionRateAlarm', {
      alarmName,
      alarmDescription: `More than ${percent}% of the ${def.id} records received in 5 minutes were rejected (dead-lettered to the raw zone with their reason). ${runbookLink('rejection-rate')}`,
      metric: rate,
      threshold: percent,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  }
}
