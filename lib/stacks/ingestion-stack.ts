import * as path from 'node:path';
import { CfnOutput, Duration, RemovalPolicy, Size, Stack, StackProps } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { EnvironmentConfig } from '../config/environment-config';
import { PlatformSizing } from '../config/sizing';
import { StreamIngestion } from '../constructs';
import { STREAM_IDS, STREAMS, StreamId } from '../streams/stream-definitions';
import { TableId } from '../tables/table-definitions';
import { TRANSFORMER_TABLES } from '../../lambdas/shared/runtime-settings';

/** The folder of the Lambda handlers: `<root>/<transformer>/handler.ts`. */
export const LAMBDAS_ROOT = path.resolve(__dirname, '..', '..', 'lambdas');

/**
 * The CloudWatch namespace of the transformers' EMF metrics in an environment (the monitoring stack
 * reads the same metrics).
 */
export function transformerMetricsNamespace(config: EnvironmentConfig): string {
  return `EcommerceDataPlatform/${config.name}`;
}

/** Properties of the {@link IngestionStack}: the configuration and the storage it writes to. */
export interface IngestionStackProps extends StackProps {
  /** The environment's configuration. */
  readonly config: EnvironmentConfig;
  /** Sizes derived from the configuration's volumes (shard counts). */
  readonly sizing: PlatformSizing;
  /** The platform key. */
  readonly key: kms.IKey;
  /** The raw lake bucket. */
  readonly rawBucket: s3.IBucket;
  /** The tables, by id. */
  readonly tables: Record<TableId, dynamodb.ITable>;
  /** Opens `dead-letter/` of the raw bucket. */
  readonly deadLetterWriterPolicy: iam.IManagedPolicy;
  /** Opens `events/` and `events-unparsed/` of the raw bucket. */
  readonly rawEventsWriterPolicy: iam.IManagedPolicy;
  /**
   * Folder of the Lambda handlers.
   *
   * @default LAMBDAS_ROOT (the repository's lambdas/ folder)
   */
  readonly lambdasRoot?: string;
}

/**
 * The ingestion stack: one StreamIngestion per STREAMS entry (stream, transformer, dead-letter
 * queue, Firehose to the raw zone, alarms) and the KMS-encrypted topic the alarms notify.
 */
export class IngestionStack extends Stack {
  /** The topic the alarms notify; subscribe the on-call channel to it. */
  public readonly alarmTopic: sns.ITopic;

  /** The ingestion path of each stream. */
  public readonly ingestion: Record<StreamId, StreamIngestion>;

  constructor(scope: Construct, id: string, props: IngestionStackProps) {
    super(scope, id, props);
    const { config, sizing } = props;
    const removalPolicy = config.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    const lambdasRoot = props.lambdasRoot ?? LAMBDAS_ROOT;

    this.alarmTopic = new sns.Topic(this, 'AlarmTopic', {
      topicName: `${config.prefix}-alarms`,
      displayName: `E-commerce data platform alarms (${config.name})`,
      masterKey: props.key,
      enforceSSL: true,
    });

    const ingestion = {} as Record<StreamId, StreamIngestion>;
    for (const streamId of STREAM_IDS) {
      const def = STREAMS[streamId];
      const tables: Partial<Record<TableId, dynamodb.ITable>> = {};
      for (const tableId of TRANSFORMER_TABLES[streamId]) tables[tableId] = props.tables[tableId];
      ingestion[streamId] = new StreamIngestion(this, `Stream-${streamId}`, {
        definition: def,
        transformerEntry: path.join(lambdasRoot, def.transformer, 'handler.ts'),
        namePrefix: config.prefix,
        encryptionKey: props.key,
        tables,
        rawBucket: props.rawBucket,
        deadLetterWriterPolicy: props.deadLetterWriterPolicy,
        rawEventsWriterPolicy: props.rawEventsWriterPolicy,
        ttlDays: {
          interactions: config.retention.interactionsTtlDays,
          sessions: config.retention.sessionsTtlDays,
          applicationLogs: config.retention.applicationLogsTtlDays,
          stockLedger: config.retention.stockLedgerTtlDays,
        },
        shardCount: sizing.streams[streamId].shardCount,
        retention: Duration.hours(config.streams.retentionHours),
        removalPolicy,
        memorySize: config.transformer.memoryMiB,
        timeout: Duration.seconds(config.transformer.timeoutSeconds),
        logLevel: config.transformer.logLevel,
        logRetention: config.retention.logDays as logs.RetentionDays,
        metricsNamespace: transformerMetricsNamespace(config),
        maxRecordBytes: config.transformer.maxRecordBytes,
        batchSize: config.transformer.batchSize,
        maxBatchingWindow: Duration.seconds(config.transformer.maxBatchingWindowSeconds),
        retryAttempts: config.transformer.retryAttempts,
        maxRecordAge: Duration.seconds(config.transformer.maxRecordAgeSeconds),
        parallelizationFactor: config.transformer.parallelizationFactor,
        deadLetterRetention: Duration.days(config.retention.deadLetterQueueDays),
        rawBufferInterval: Duration.seconds(config.firehoseBufferSeconds),
        rawBufferSize: Size.mebibytes(config.firehoseBufferMiB),
        alarmTopic: this.alarmTopic,
        alarmThresholds: {
          iteratorAge: Duration.seconds(config.alarms.iteratorAgeSeconds),
          transformerErrors: config.alarms.transformerErrors,
          deadLetterMessages: config.alarms.deadLetterMessages,
          rawDeliveryFreshness: Duration.seconds(config.alarms.rawDeliveryFreshnessSeconds),
          rejectionRatePercent: config.alarms.rejectionRatePercent,
        },
      });
      new CfnOutput(this, `${streamId}StreamName`, { value: ingestion[streamId].stream.streamName });
    }
    this.ingestion = ingestion;

    new CfnOutput(this, 'AlarmTopicArn', { value: this.alarmTopic.topicArn });
  }
}
