import { Duration, RemovalPolicy, Size } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as logs from 'aws-cdk-lib/aws-logs';
import { RawEventDelivery, RawEventDeliveryProps } from '../../lib/constructs';
import { FIREHOSE_EVENT_DATE_JQ } from '../../lib/lake/lake-layout';
import { logicalIdOf, nagFindings } from './helpers';
import { IngestionFixture, ingestionFixture } from './ingestion-fixture';

function withStream(): { f: IngestionFixture; stream: kinesis.Stream } {
  const f = ingestionFixture();
  const stream = new kinesis.Stream(f.stack, 'Stream', {
    encryption: kinesis.StreamEncryption.KMS,
    encryptionKey: f.key,
    streamMode: kinesis.StreamMode.ON_DEMAND,
  });
  return { f, stream };
}

function requiredProps(f: IngestionFixture, stream: kinesis.IStream): RawEventDeliveryProps {
  return {
    streamId: 'orders',
    source: stream,
    bucket: f.rawBucket,
    encryptionKey: f.key,
    writerPolicy: f.rawEventsWriterPolicy,
  };
}

describe('RawEventDelivery with defaults', () => {
  const { f, stream } = withStream();
  const delivery = new RawEventDelivery(f.stack, 'RawDelivery', requiredProps(f, stream));
  const template = Template.fromStack(f.stack);
  const id = logicalIdOf;

  test('reads the Kinesis stream', () => {
    template.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      DeliveryStreamType: 'KinesisStreamAsSource',
      KinesisStreamSourceConfiguration: { KinesisStreamARN: { 'Fn::GetAtt': [id(stream), 'Arn'] } },
    });
  });

  test('partitions by event date with the JQ of the lake layout and a newline after each record', () => {
    template.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      ExtendedS3DestinationConfiguration: Match.objectLike({
        BucketARN: { 'Fn::GetAtt': [id(f.rawBucket), 'Arn'] },
        Prefix: 'events/stream=orders/event_date=!{partitionKeyFromQuery:event_date}/',
        ErrorOutputPrefix:
          'events-unparsed/stream=orders/!{firehose:error-output-type}/!{timestamp:yyyy-MM-dd}/',
        DynamicPartitioningConfiguration: { Enabled: true, RetryOptions: { DurationInSeconds: 300 } },
        ProcessingConfiguration: {
          Enabled: true,
          Processors: [
            {
              Type: 'MetadataExtraction',
              Parameters: [
                { ParameterName: 'MetadataExtractionQuery', ParameterValue: FIREHOSE_EVENT_DATE_JQ },
                { ParameterName: 'JsonParsingEngine', ParameterValue: 'JQ-1.6' },
              ],
            },
            {
              Type: 'AppendDelimiterToRecord',
              Parameters: [{ ParameterName: 'Delimiter', ParameterValue: '\\n' }],
            },
          ],
        },
      }),
    });
  });

  test('writes GZIP objects, SSE-KMS with the platform key, buffering 300 s or 128 MiB', () => {
    template.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      ExtendedS3DestinationConfiguration: Match.objectLike({
        CompressionFormat: 'GZIP',
        EncryptionConfiguration: {
          KMSEncryptionConfig: { AWSKMSKeyARN: { 'Fn::GetAtt': [Match.anyValue(), 'Arn'] } },
        },
        BufferingHints: { IntervalInSeconds: 300, SizeInMBs: 128 },
      }),
    });
  });

  test('logs delivery errors to CloudWatch', () => {
    template.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      ExtendedS3DestinationConfiguration: Match.objectLike({
        CloudWatchLoggingOptions: {
          Enabled: true,
          LogGroupName: { Ref: Match.stringLikeRegexp('RawDeliveryErrorLogGroup') },
          LogStreamName: { Ref: Match.stringLikeRegexp('RawDeliveryS3DeliveryLogStream') },
        },
      }),
    });
  });

  test('its role is assumable only by Firehose for this account, with the raw writer policy', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Principal: { Service: 'firehose.amazonaws.com' },
            Condition: { StringEquals: { 'sts:ExternalId': { Ref: 'AWS::AccountId' } } },
          }),
        ],
      },
      ManagedPolicyArns: [{ Ref: id(f.rawEventsWriterPolicy) }],
    });
  });

  test('its inline policy has no S3 action: the bucket is reachable only through the writer policy', () => {
    const policy = Object.values(template.findResources('AWS::IAM::Policy')).find((p) =>
      JSON.stringify(p.Properties.Roles).includes('RawDeliveryRole'),
    );
    const actions = (policy!.Properties.PolicyDocument.Statement as { Action: string | string[] }[]).flatMap(
      (s) => [s.Action].flat(),
    );
    expect(actions.filter((a) => a.startsWith('s3:'))).toEqual([]);
    expect(actions).toEqual(
      expect.arrayContaining(['kinesis:GetRecords', 'kinesis:GetShardIterator', 'logs:PutLogEvents']),
    );
  });

  test('is created after its role policy', () => {
    template.hasResource('AWS::KinesisFirehose::DeliveryStream', {
      DependsOn: Match.arrayWith([Match.stringLikeRegexp('RawDeliveryRoleDefaultPolicy')]),
    });
  });

  test('exposes the prefixes', () => {
    expect(delivery.prefix).toBe('events/stream=orders/event_date=!{partitionKeyFromQuery:event_date}/');
    expect(delivery.errorOutputPrefix).toMatch(/^events-unparsed\/stream=orders\//);
  });

  test('has no unacknowledged cdk-nag findings (KDF1 is acknowledged)', () => {
    // Only the construct's own resources: the test's bare stream is not under test.
    expect(nagFindings(delivery)).toEqual([]);
  });
});

describe('RawEventDelivery with custom settings', () => {
  const { f, stream } = withStream();
  new RawEventDelivery(f.stack, 'RawDelivery', {
    ...requiredProps(f, stream),
    deliveryStreamName: 'ecom-test-orders-raw',
    bufferInterval: Duration.seconds(60),
    bufferSize: Size.mebibytes(64),
    compression: 'UNCOMPRESSED',
    logRetention: logs.RetentionDays.ONE_WEEK,
    logEncryptionKey: f.key,
    logRemovalPolicy: RemovalPolicy.DESTROY,
  });
  const template = Template.fromStack(f.stack);

  test('takes the name, buffering and compression', () => {
    template.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      DeliveryStreamName: 'ecom-test-orders-raw',
      ExtendedS3DestinationConfiguration: Match.objectLike({
        BufferingHints: { IntervalInSeconds: 60, SizeInMBs: 64 },
        CompressionFormat: 'UNCOMPRESSED',
      }),
    });
  });

  test('names, encrypts and keeps the error log group as told', () => {
    template.hasResource('AWS::Logs::LogGroup', {
      Properties: {
        LogGroupName: '/aws/kinesisfirehose/ecom-test-orders-raw',
        RetentionInDays: 7,
        KmsKeyId: Match.anyValue(),
      },
      DeletionPolicy: 'Delete',
    });
  });
});

describe('RawEventDelivery validation', () => {
  const make = (patch: Partial<RawEventDeliveryProps>) => () => {
    const { f, stream } = withStream();
    new RawEventDelivery(f.stack, 'RawDelivery', { ...requiredProps(f, stream), ...patch });
  };

  test('rejects a buffer interval under 60 s', () => {
    expect(make({ bufferInterval: Duration.seconds(30) })).toThrow(
      /bufferInterval is 30 s, expected 60 to 900 s/,
    );
  });

  test('rejects a buffer under 64 MiB (dynamic partitioning)', () => {
    expect(make({ bufferSize: Size.mebibytes(32) })).toThrow(/bufferSize is 32 MiB, expected 64 to 128 MiB/);
  });

  test('rejects a stream id that is not a lake path segment', () => {
    expect(make({ streamId: 'Orders/x' })).toThrow(/streamId 'Orders\/x' must match/);
  });

  test('rejects a bad delivery stream name', () => {
    expect(make({ deliveryStreamName: 'bad name' })).toThrow(/deliveryStreamName 'bad name' must match/);
  });
});
