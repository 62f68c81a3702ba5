import { Duration, RemovalPolicy, Size } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { PlatformTable, StreamIngestion, StreamIngestionProps } from '../../lib/constructs';
import { REJECTION_RATE_MIN_RECORDS, streamIngestionNames } from '../../lib/constructs/stream-ingestion';
import { STREAMS } from '../../lib/streams/stream-definitions';
import { TABLES } from '../../lib/tables/table-definitions';
import { FIXTURE_ENTRY, logicalIdOf, nagFindings } from './helpers';
import { IngestionFixture, ingestionFixture } from './ingestion-fixture';

const TTL = { interactions: 30, sessions: 30, applicationLogs: 7, stockLedger: 7 };

function requiredProps(f: IngestionFixture): StreamIngestionProps {
  return {
    definition: STREAMS.orders,
    transformerEntry: FIXTURE_ENTRY,
    encryptionKey: f.key,
    tables: { orders: f.orders, 'product-metadata': f.productMetadata },
    rawBucket: f.rawBucket,
    deadLetterWriterPolicy: f.deadLetterWriterPolicy,
    rawEventsWriterPolicy: f.rawEventsWriterPolicy,
    ttlDays: TTL,
  };
}

describe('StreamIngestion with defaults', () => {
  const f = ingestionFixture();
  const ingestion = new StreamIngestion(f.stack, 'Orders', requiredProps(f));
  const template = Template.fromStack(f.stack);
  const keyId = logicalIdOf(f.key);

  test('the stream is on-demand, KMS-encrypted with the platform key, 24 h retention, retained', () => {
    template.hasResource('AWS::Kinesis::Stream', {
      Properties: Match.objectLike({
        StreamModeDetails: { StreamMode: 'ON_DEMAND' },
        ShardCount: Match.absent(),
        RetentionPeriodHours: 24,
        StreamEncryption: { EncryptionType: 'KMS', KeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } },
      }),
      DeletionPolicy: 'Retain',
    });
  });

  test('the event source mapping reads from TRIM_HORIZON with the safe defaults', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: 100,
      MaximumBatchingWindowInSeconds: 1,
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 5,
      MaximumRecordAgeInSeconds: 21_600,
      ParallelizationFactor: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      DestinationConfig: {
        OnFailure: { Destination: { 'Fn::GetAtt': [logicalIdOf(ingestion.deadLetterQueue), 'Arn'] } },
      },
    });
  });

  test('the dead-letter queue is KMS-encrypted, TLS-only and keeps messages 14 days', () => {
    template.hasResourceProperties('AWS::SQS::Queue', {
      KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
      MessageRetentionPeriod: 14 * 86_400,
    });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: [
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ],
      },
    });
  });

  test('the transformer gets the settings of transformerEnvironment() and the Powertools service', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Timeout: 60,
      Environment: {
        Variables: Match.objectLike({
          STREAM_ID: 'orders',
          TABLE_ORDERS: { Ref: logicalIdOf(f.orders) },
          TABLE_PRODUCT_METADATA: { Ref: logicalIdOf(f.productMetadata) },
          DEAD_LETTER_BUCKET: { Ref: logicalIdOf(f.rawBucket) },
          MAX_RECORD_BYTES: '262144',
          INTERACTIONS_TTL_DAYS: '30',
          STOCK_LEDGER_TTL_DAYS: '7',
          POWERTOOLS_SERVICE_NAME: 'orders-transformer',
        }),
      },
    });
  });

  test('the transformer may only GetItem, PutItem and UpdateItem its own tables', () => {
    const policy = Object.values(template.findResources('AWS::IAM::Policy')).find((p) =>
      JSON.stringify(p.Properties.Roles).includes('OrdersTransformerRole'),
    );
    const statements = policy!.Properties.PolicyDocument.Statement as {
      Action: string | string[];
      Resource: unknown;
    }[];
    const dynamo = statements.filter((s) => [s.Action].flat().some((a) => a.startsWith('dynamodb:')));
    expect(dynamo).toEqual([
      {
        Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
        Effect: 'Allow',
        Resource: [
          { 'Fn::GetAtt': [logicalIdOf(f.orders), 'Arn'] },
          { 'Fn::GetAtt': [logicalIdOf(f.productMetadata), 'Arn'] },
        ],
      },
    ]);
    // No S3 action inline: the raw bucket is reachable only through the dead-letter writer policy.
    expect(statements.flatMap((s) => [s.Action].flat()).filter((a) => a.startsWith('s3:'))).toEqual([]);
  });

  test('the inventory transformer may also batch-read and batch-write the stock ledger, and only it', () => {
    const g = ingestionFixture();
    const table = (id: 'stock' | 'stock-ledger') =>
      new PlatformTable(g.stack, `Table-${id}`, { definition: TABLES[id], encryptionKey: g.key }).table;
    const stock = table('stock');
    const ledger = table('stock-ledger');
    new StreamIngestion(g.stack, 'Inventory', {
      ...requiredProps(g),
      definition: STREAMS.inventory,
      tables: { stock, 'stock-ledger': ledger },
    });
    const policy = Object.values(Template.fromStack(g.stack).findResources('AWS::IAM::Policy')).find((p) =>
      JSON.stringify(p.Properties.Roles).includes('InventoryTransformerRole'),
    );
    const statements = policy!.Properties.PolicyDocument.Statement as { Action: string | string[] }[];

    expect(statements.filter((s) => [s.Action].flat().some((a) => a.startsWith('dynamodb:')))).toEqual([
      {
        Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
        Effect: 'Allow',
        Resource: [
          { 'Fn::GetAtt': [logicalIdOf(stock), 'Arn'] },
          { 'Fn::GetAtt': [logicalIdOf(ledger), 'Arn'] },
        ],
      },
      {
        Action: ['dynamodb:BatchGetItem', 'dynamodb:BatchWriteItem'],
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [logicalIdOf(ledger), 'Arn'] },
      },
    ]);
  });

  test('the transformer role carries the dead-letter writer policy', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: Match.objectLike({
        Statement: [Match.objectLike({ Principal: { Service: 'lambda.amazonaws.com' } })],
      }),
      ManagedPolicyArns: [{ Ref: logicalIdOf(f.deadLetterWriterPolicy) }],
    });
  });

  test('sends failures to the queue with SendMessage and the key through SQS only', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Action: ['sqs:GetQueueAttributes', 'sqs:SendMessage'],
            Effect: 'Allow',
            Resource: { 'Fn::GetAtt': [logicalIdOf(ingestion.deadLetterQueue), 'Arn'] },
          },
          Match.objectLike({
            Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
            Condition: { StringEquals: { 'kms:ViaService': Match.anyValue() } },
          }),
        ]),
      },
    });
  });

  test('alarms on iterator age, errors, dead-letter messages, delivery freshness and rejection rate', () => {
    template.resourceCountIs('AWS::CloudWatch::Alarm', 5);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'IteratorAge',
      Threshold: 300_000,
      AlarmActions: Match.absent(),
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'Errors', Threshold: 10 });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Firehose',
      MetricName: 'DeliveryToS3.DataFreshness',
      Threshold: 900,
    });
  });

  test("the rejection rate is rejected / received of the transformer's own EMF counts, over 5 minutes", () => {
    const dims = [
      { Name: 'service', Value: 'orders-transformer' },
      { Name: 'stream', Value: 'orders' },
    ];
    const count = (name: string) =>
      Match.objectLike({
        Id: name,
        ReturnData: false,
        MetricStat: {
          Metric: { Namespace: 'EcommerceDataPlatform', MetricName: name, Dimensions: dims },
          Period: 300,
          Stat: 'Sum',
        },
      });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Threshold: 5,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 1,
      // A stream without traffic has no rate to judge; a silent stream is the orders-per-minute alarm's job.
      TreatMissingData: 'notBreaching',
      AlarmDescription: Match.stringLikeRegexp('Runbook: docs/runbook.md#rejection-rate$'),
      Metrics: Match.arrayWith([
        Match.objectLike({
          Expression: `IF(received >= ${REJECTION_RATE_MIN_RECORDS}, 100 * rejected / received, 0)`,
          ReturnData: true,
        }),
        count('rejected'),
        count('received'),
      ]),
    });
  });

  test('every alarm description ends with its runbook section, and no alarm has a fixed name without a prefix', () => {
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
    for (const alarm of alarms) {
      expect(alarm.Properties.AlarmDescription).toMatch(/ Runbook: docs\/runbook\.md#[a-z-]+$/);
      expect(alarm.Properties.AlarmName).toBeUndefined();
    }
    expect(ingestion.names).toBeUndefined();
  });

  test('has no unacknowledged cdk-nag findings', () => {
    expect(nagFindings(f.stack)).toEqual([]);
  });
});

describe('StreamIngestion with custom settings', () => {
  const f = ingestionFixture();
  const topic = new sns.Topic(f.stack, 'Alarms', { masterKey: f.key, enforceSSL: true });
  new StreamIngestion(f.stack, 'Orders', {
    ...requiredProps(f),
    namePrefix: 'ecom-test',
    shardCount: 3,
    retention: Duration.hours(72),
    removalPolicy: RemovalPolicy.DESTROY,
    memorySize: 1024,
    timeout: Duration.seconds(90),
    logLevel: 'WARN',
    logRetention: logs.RetentionDays.TWO_WEEKS,
    metricsNamespace: 'Test/Namespace',
    maxRecordBytes: 1024 * 1024,
    batchSize: 500,
    maxBatchingWindow: Duration.seconds(5),
    retryAttempts: 2,
    maxRecordAge: Duration.hours(1),
    parallelizationFactor: 4,
    deadLetterRetention: Duration.days(4),
    rawBufferInterval: Duration.seconds(60),
    rawBufferSize: Size.mebibytes(64),
    alarmTopic: topic,
    alarmThresholds: {
      iteratorAge: Duration.seconds(120),
      transformerErrors: 5,
      deadLetterMessages: 3,
      rawDeliveryFreshness: Duration.seconds(300),
      rejectionRatePercent: 2.5,
    },
  });
  const template = Template.fromStack(f.stack);

  test('the stream is provisioned with the given shards, name and retention', () => {
    template.hasResource('AWS::Kinesis::Stream', {
      Properties: Match.objectLike({
        Name: 'ecom-test-orders',
        ShardCount: 3,
        StreamModeDetails: { StreamMode: 'PROVISIONED' },
        RetentionPeriodHours: 72,
      }),
      DeletionPolicy: 'Delete',
    });
  });

  test('the event source mapping takes the given settings', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 500,
      MaximumBatchingWindowInSeconds: 5,
      MaximumRetryAttempts: 2,
      MaximumRecordAgeInSeconds: 3600,
      ParallelizationFactor: 4,
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  test('names the function, queue and delivery stream with the prefix', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'ecom-test-orders-transformer',
      MemorySize: 1024,
      Timeout: 90,
      LoggingConfig: Match.objectLike({ ApplicationLogLevel: 'WARN' }),
    });
    template.hasResourceProperties('AWS::SQS::Queue', {
      QueueName: 'ecom-test-orders-transformer-dlq',
      MessageRetentionPeriod: 4 * 86_400,
    });
    template.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      DeliveryStreamName: 'ecom-test-orders-raw',
      ExtendedS3DestinationConfiguration: Match.objectLike({
        BufferingHints: { IntervalInSeconds: 60, SizeInMBs: 64 },
      }),
    });
  });

  test('notifies the topic on alarm and on recovery, at the given thresholds', () => {
    const topicRef = { Ref: Match.stringLikeRegexp('Alarms') };
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'IteratorAge',
      Threshold: 120_000,
      AlarmActions: [topicRef],
      OKActions: [topicRef],
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'Errors', Threshold: 5 });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Threshold: 3,
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'DeliveryToS3.DataFreshness',
      Threshold: 300,
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Threshold: 2.5,
      AlarmActions: [topicRef],
      OKActions: [topicRef],
      Metrics: Match.arrayWith([
        Match.objectLike({
          MetricStat: Match.objectLike({
            Metric: Match.objectLike({ Namespace: 'Test/Namespace', MetricName: 'rejected' }),
          }),
        }),
      ]),
    });
  });

  test('names the alarms <prefix>-<stream>-<purpose>, as streamIngestionNames says', () => {
    const names = streamIngestionNames('ecom-test', STREAMS.orders);
    expect(Object.values(names.alarms)).toEqual([
      'ecom-test-orders-iterator-age',
      'ecom-test-orders-transformer-errors',
      'ecom-test-orders-dead-letter-messages',
      'ecom-test-orders-raw-delivery-freshness',
      'ecom-test-orders-rejection-rate',
    ]);
    const alarmNames = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map(
      (a) => a.Properties.AlarmName as string,
    );
    expect(alarmNames.sort()).toEqual(Object.values(names.alarms).sort());
  });

  test('has no unacknowledged cdk-nag findings', () => {
    expect(nagFindings(f.stack)).toEqual([]);
  });
});

describe('StreamIngestion validation', () => {
  const make = (patch: Partial<StreamIngestionProps>) => () => {
    const f = ingestionFixture();
    new StreamIngestion(f.stack, 'Orders', { ...requiredProps(f), ...patch });
  };

  test('rejects a shard count below 1', () => {
    expect(make({ shardCount: 0 })).toThrow(/shardCount is 0, expected an integer from 1 to 10000/);
  });

  test('rejects a batch size above 10000', () => {
    expect(make({ batchSize: 20_000 })).toThrow(/batchSize is 20000/);
  });

  test('rejects negative retries', () => {
    expect(make({ retryAttempts: -1 })).toThrow(/retryAttempts is -1/);
  });

  test('rejects a parallelization factor above 10', () => {
    expect(make({ parallelizationFactor: 11 })).toThrow(/parallelizationFactor is 11/);
  });

  test('rejects a record size cap below 1 KiB', () => {
    expect(make({ maxRecordBytes: 10 })).toThrow(/maxRecordBytes is 10/);
  });

  test('rejects a stream retention under 24 hours', () => {
    expect(make({ retention: Duration.hours(12) })).toThrow(
      /retention is 43200 s, expected 86400 to 31536000 s/,
    );
  });

  test('rejects a batching window above 300 s', () => {
    expect(make({ maxBatchingWindow: Duration.minutes(6) })).toThrow(/maxBatchingWindow is 360 s/);
  });

  test('rejects a record age cap under a minute', () => {
    expect(make({ maxRecordAge: Duration.seconds(30) })).toThrow(/maxRecordAge is 30 s, expected 60/);
  });

  test('rejects a record age cap longer than the stream retention', () => {
    expect(make({ maxRecordAge: Duration.hours(30) })).toThrow(
      /maxRecordAge is 108000 s, longer than the stream retention \(86400 s\)/,
    );
  });

  test('rejects a dead-letter retention above 14 days', () => {
    expect(make({ deadLetterRetention: Duration.days(15) })).toThrow(/deadLetterRetention is 1296000 s/);
  });

  test('rejects an empty table map', () => {
    expect(make({ tables: {} })).toThrow(
      /tables is empty; the orders transformer must write at least one table/,
    );
  });
});
