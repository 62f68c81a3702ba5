import { Aws, Duration, RemovalPolicy, Size, SizeRoundingBehavior, Token, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { FIREHOSE_EVENT_DATE_JQ, RAW_EVENTS_PREFIX, RAW_UNPARSED_PREFIX } from '../lake/lake-layout';
import { DEFAULT_LOG_RETENTION, RAW_DELIVERY_DEFAULTS } from './defaults';

/** Properties of a {@link RawEventDelivery}. */
export interface RawEventDeliveryProps {
  /** Id of the stream in the lake layout: objects land under `events/stream=<streamId>/`. */
  readonly streamId: string;

  /** The Kinesis stream to read. */
  readonly source: kinesis.IStream;

  /** The raw bucket. */
  readonly bucket: s3.IBucket;

  /** The key Firehose encrypts the delivered objects with (SSE-KMS). */
  readonly encryptionKey: kms.IKey;

  /**
   * The managed policy that lets a role write under `events/` and `events-unparsed/` of the raw
   * bucket (a LakePrefixPolicy in the bucket's stack); the delivery role gets it and no other
   * bucket access.
   */
  readonly writerPolicy: iam.IManagedPolicy;

  /**
   * Physical name of the delivery stream.
   *
   * @default - a name CloudFormation generates
   */
  readonly deliveryStreamName?: string;

  /**
   * Longest Firehose buffers records before writing an object (60 to 900 s with dynamic
   * partitioning).
   *
   * @default Duration.seconds(300)
   */
  readonly bufferInterval?: Duration;

  /**
   * Largest buffer before Firehose writes an object (64 to 128 MiB with dynamic partitioning).
   *
   * @default Size.mebibytes(128)
   */
  readonly bufferSize?: Size;

  /**
   * Compression of the delivered objects.
   *
   * @default 'GZIP'
   */
  readonly compression?: 'GZIP' | 'UNCOMPRESSED';

  /**
   * How long the delivery error log group keeps logs.
   *
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * Key that encrypts the error log group; its key policy must let CloudWatch Logs use it.
   *
   * @default - CloudWatch Logs' own encryption
   */
  readonly logEncryptionKey?: kms.IKey;

  /**
   * What happens to the error log group when it leaves the stack.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly logRemovalPolicy?: RemovalPolicy;
}

/**
 * A Firehose delivery stream that copies every raw event of a Kinesis stream to the raw zone of the
 * lake, partitioned by the event's date with dynamic partitioning:
 *
 *   events/stream=<id>/event_date=<YYYY-MM-DD>/...              (newline-delimited JSON, GZIP)
 *   events-unparsed/stream=<id>/<error type>/<YYYY-MM-DD>/...   (records without a readable event_time)
 *
 * The event date comes from the MetadataExtraction processor running FIREHOSE_EVENT_DATE_JQ of the
 * lake layout, the one the local twin mirrors. It is the L1 CfnDeliveryStream because the L2 S3
 * destination grants its role read and write on the whole bucket; this role gets only its source
 * stream, its error log group and the writer policy of the two prefixes.
 *
 * @example
 * new RawEventDelivery(this, 'RawDelivery', {
 *   streamId: 'orders',
 *   source: stream,
 *   bucket: rawBucket,
 *   encryptionKey: key,
 *   writerPolicy: rawEventsWriter.policy,
 * });
 */
export class RawEventDelivery extends Construct {
  /** The delivery stream. */
  public readonly deliveryStream: firehose.CfnDeliveryStream;

  /** Name of the delivery stream (for metrics). */
  public readonly deliveryStreamName: string;

  /** The role Firehose assumes. */
  public readonly role: iam.IRole;

  /** The log group of delivery errors. */
  public readonly logGroup: logs.ILogGroup;

  /** Key prefix of the delivered events. */
  public readonly prefix: string;

  /** Key prefix of the records Firehose could not partition or deliver. */
  public readonly errorOutputPrefix: string;

  constructor(scope: Construct, id: string, props: RawEventDeliveryProps) {
    super(scope, id);
    const interval = props.bufferInterval ?? RAW_DELIVERY_DEFAULTS.bufferInterval;
    const size = props.bufferSize ?? RAW_DELIVERY_DEFAULTS.bufferSize;
    const seconds = interval.isUnresolved() ? undefined : interval.toSeconds({ integral: false });
    if (seconds !== undefined && (seconds < 60 || seconds > 900)) {
      throw new Error(
        `RawEventDelivery ${this.node.path}: bufferInterval is ${seconds} s, expected 60 to 900 s with dynamic partitioning`,
      );
    }
    const mebibytes = size.isUnresolved()
      ? undefined
      : size.toMebibytes({ rounding: SizeRoundingBehavior.NONE });
    if (mebibytes !== undefined && (mebibytes < 64 || mebibytes > 128)) {
      throw new Error(
        `RawEventDelivery ${this.node.path}: bufferSize is ${mebibytes} MiB, expected 64 to 128 MiB with dynamic partitioning`,
      );
    }
    if (!Token.isUnresolved(props.streamId) && !/^[a-z0-9-]{1,64}$/.test(props.streamId)) {
      throw new Error(
        `RawEventDelivery ${this.node.path}: streamId '${props.streamId}' must match ^[a-z0-9-]{1,64}$`,
      );
    }
    if (
      props.deliveryStreamName !== undefined &&
      !Token.isUnresolved(props.deliveryStreamName) &&
      !/^[a-zA-Z0-9_.-]{1,64}$/.test(props.deliveryStreamName)
    ) {
      throw new Error(
        `RawEventDelivery ${this.node.path}: deliveryStreamName '${props.deliveryStreamName}' must match ^[a-zA-Z0-9_.-]{1,64}$`,
      );
    }

    this.prefix = `${RAW_EVENTS_PREFIX}/stream=${props.streamId}/event_date=!{partitionKeyFromQuery:event_date}/`;
    this.errorOutputPrefix = `${RAW_UNPARSED_PREFIX}/stream=${props.streamId}/!{firehose:error-output-type}/!{timestamp:yyyy-MM-dd}/`;

    this.logGroup = new logs.LogGroup(this, 'ErrorLogGroup', {
      logGroupName: props.deliveryStreamName ? `/aws/kinesisfirehose/${props.deliveryStreamName}` : undefined,
      retention: props.logRetention ?? DEFAULT_LOG_RETENTION,
      encryptionKey: props.logEncryptionKey,
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.RETAIN,
    });
    const logStream = new logs.LogStream(this, 'S3DeliveryLogStream', {
      logGroup: this.logGroup,
      logStreamName: 'S3Delivery',
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.RETAIN,
    });

    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('firehose.amazonaws.com', {
        // Firehose passes the account id as external id: no other account's stream can use the role.
        conditions: { StringEquals: { 'sts:ExternalId': Aws.ACCOUNT_ID } },
      }),
      description: `Firehose delivery of the ${props.streamId} stream to the raw zone`,
    });
    const grants = [props.source.grantRead(role), this.logGroup.grantWrite(role)];
    role.addManagedPolicy(props.writerPolicy);
    this.role = role;

    this.deliveryStream = new firehose.CfnDeliveryStream(this, 'DeliveryStream', {
      deliveryStreamName: props.deliveryStreamName,
      deliveryStreamType: 'KinesisStreamAsSource',
      kinesisStreamSourceConfiguration: {
        kinesisStreamArn: props.source.streamArn,
        roleArn: role.roleArn,
      },
      extendedS3DestinationConfiguration: {
        bucketArn: props.bucket.bucketArn,
        roleArn: role.roleArn,
        prefix: this.prefix,
        errorOutputPrefix: this.errorOutputPrefix,
        bufferingHints: { intervalInSeconds: interval.toSeconds(), sizeInMBs: size.toMebibytes() },
        compressionFormat: props.compression ?? 'GZIP',
        encryptionConfiguration: { kmsEncryptionConfig: { awskmsKeyArn: props.encryptionKey.keyArn } },
        dynamicPartitioningConfiguration: { enabled: true, retryOptions: { durationInSeconds: 300 } },
        processingConfiguration: {
          enabled: true,
          processors: [
            {
              type: 'MetadataExtraction',
              parameters: [
                { parameterName: 'MetadataExtractionQuery', parameterValue: FIREHOSE_EVENT_DATE_JQ },
                { parameterName: 'JsonParsingEngine', parameterValue: 'JQ-1.6' },
              ],
            },
            {
              type: 'AppendDelimiterToRecord',
              parameters: [{ parameterName: 'Delimiter', parameterValue: '\\n' }],
            },
          ],
        },
        cloudWatchLoggingOptions: {
          enabled: true,
          logGroupName: this.logGroup.logGroupName,
          logStreamName: logStream.logStreamName,
        },
        s3BackupMode: 'Disabled',
      },
    });
    // Firehose checks its permissions when the stream is created: create the role's policy first.
    for (const grant of grants) grant.applyBefore(this.deliveryStream);
    this.deliveryStreamName = this.deliveryStream.ref;

    Validations.of(this.deliveryStream).acknowledge({
      id: 'AwsSolutions-KDF1',
      reason:
        'A delivery stream whose source is a Kinesis stream cannot take DeliveryStreamEncryptionConfigurationInput (CloudFormation rejects it); its source stream is SSE-KMS and every object it writes is SSE-KMS, both with the platform key.',
    });
  }

  /** Age of the oldest record not yet delivered to S3 (DeliveryToS3.DataFreshness, seconds). */
  public metricDataFreshness(period: Duration = Duration.minutes(5)): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: 'AWS/Firehose',
      metricName: 'DeliveryToS3.DataFreshness',
      dimensionsMap: { DeliveryStreamName: this.deliveryStreamName },
      statistic: 'Maximum',
      period,
    });
  }
}
