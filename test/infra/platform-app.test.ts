import { App, Stack, Token } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { EnvironmentName } from '../../lib/config/environment-config';
import { ENVIRONMENTS, loadEnvironmentConfig } from '../../lib/config/environments';
import { PROJECT_TAG, PlatformStacks, buildPlatformApp } from '../../lib/platform-app';
import { STREAM_IDS, streamName } from '../../lib/streams/stream-definitions';
import { TABLE_IDS, tableName } from '../../lib/tables/table-definitions';
import { nagFindings, normalizedTemplate, testApp } from './helpers';

interface Built {
  readonly app: App;
  readonly stacks: PlatformStacks;
  readonly storage: Template;
  readonly ingestion: Template;
}

const built = new Map<EnvironmentName, Built>();

/**
 * The app of an environment, synthesized once per test file. Synth runs the cdk-nag plugin that
 * buildPlatformApp registers, so it throws on any unacknowledged finding. dev bundles the real
 * handlers with esbuild; staging and prod skip bundling to keep the suite fast.
 */
function platform(name: EnvironmentName): Built {
  let b = built.get(name);
  if (!b) {
    const app = testApp({ bundle: name === 'dev', validate: true });
    const stacks = buildPlatformApp(app, loadEnvironmentConfig(name));
    app.synth();
    b = {
      app,
      stacks,
      storage: Template.fromStack(stacks.storage),
      ingestion: Template.fromStack(stacks.ingestion),
    };
    built.set(name, b);
  }
  return b;
}

describe.each(['dev', 'staging', 'prod'] as EnvironmentName[])('the %s app', (name) => {
  const config = ENVIRONMENTS[name];
  let b: Built;
  beforeAll(() => {
    b = platform(name);
  });

  test('has zero unacknowledged cdk-nag AwsSolutions findings', () => {
    expect(nagFindings(b.app)).toEqual([]);
  });

  test('has the storage and ingestion stacks, environment-agnostic', () => {
    expect(b.stacks.storage.stackName).toBe(`${config.prefix}-storage`);
    expect(b.stacks.ingestion.stackName).toBe(`${config.prefix}-ingestion`);
    for (const stack of [b.stacks.storage, b.stacks.ingestion]) {
      expect(Token.isUnresolved(stack.account)).toBe(true);
      expect(Token.isUnresolved(stack.region)).toBe(true);
    }
    expect(b.stacks.ingestion.dependencies).toContain(b.stacks.storage);
  });

  test('has the processing stack, environment-agnostic, after storage and ingestion', () => {
    const processing = b.stacks.processing;
    expect(processing.stackName).toBe(`${config.prefix}-processing`);
    expect(Token.isUnresolved(processing.account)).toBe(true);
    expect(processing.dependencies).toEqual(expect.arrayContaining([b.stacks.storage, b.stacks.ingestion]));
  });

  test('has the warehouse stack, environment-agnostic, after storage, network and ingestion', () => {
    const warehouse = b.stacks.warehouse;
    expect(warehouse.stackName).toBe(`${config.prefix}-warehouse`);
    expect(Token.isUnresolved(warehouse.account)).toBe(true);
    expect(warehouse.dependencies).toEqual(
      expect.arrayContaining([b.stacks.storage, b.stacks.network, b.stacks.ingestion]),
    );
    expect(warehouse.terminationProtection).toBe(config.deletionProtection);
    expect(
      b.app.node.children
        .filter((c) => Stack.isStack(c))
        .map((c) => c.node.id)
        .sort(),
    ).toEqual(
      ['storage', 'network', 'ingestion', 'processing', 'warehouse', 'api', 'monitoring']
        .map((s) => `${config.prefix}-${s}`)
        .sort(),
    );
  });

  test('has the api stack, environment-agnostic, after storage, ingestion and warehouse', () => {
    const api = b.stacks.api;
    expect(api.stackName).toBe(`${config.prefix}-api`);
    expect(Token.isUnresolved(api.account)).toBe(true);
    expect(api.dependencies).toEqual(
      expect.arrayContaining([b.stacks.storage, b.stacks.ingestion, b.stacks.warehouse]),
    );
    Template.fromStack(api).hasResourceProperties('AWS::ApiGateway::Stage', {
      Tags: Match.arrayWith([
        { Key: 'environment', Value: name },
        { Key: 'project', Value: PROJECT_TAG },
      ]),
    });
  });

  test('alarms per stream at the thresholds of the config, named from the prefix, notifying the topic', () => {
    const topic = { Ref: Match.stringLikeRegexp('AlarmTopic') };
    for (const id of STREAM_IDS) {
      b.ingestion.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmName: `${config.prefix}-${id}-rejection-rate`,
        Threshold: config.alarms.rejectionRatePercent,
        TreatMissingData: 'notBreaching',
        AlarmActions: [topic],
        OKActions: [topic],
      });
      b.ingestion.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmName: `${config.prefix}-${id}-iterator-age`,
        Threshold: config.alarms.iteratorAgeSeconds * 1000,
        AlarmActions: [topic],
      });
      b.ingestion.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmName: `${config.prefix}-${id}-dead-letter-messages`,
        Threshold: config.alarms.deadLetterMessages,
        AlarmActions: [topic],
      });
    }
  });

  test('catalogs the lake in the storage stack, without account-wide catalog encryption settings', () => {
    b.storage.resourceCountIs('AWS::Glue::Database', 2);
    b.storage.resourceCountIs('AWS::Glue::DataCatalogEncryptionSettings', 0);
    b.storage.hasResourceProperties('AWS::Glue::Database', {
      DatabaseInput: Match.objectLike({ Name: `${config.prefix.replace(/-/g, '_')}_curated` }),
    });
  });

  test('has one table per TABLES entry, named from the prefix', () => {
    b.storage.resourceCountIs('AWS::DynamoDB::Table', TABLE_IDS.length);
    for (const id of TABLE_IDS) {
      b.storage.hasResourceProperties('AWS::DynamoDB::Table', { TableName: tableName(config.prefix, id) });
    }
  });

  test(`protects tables from deletion ${config.deletionProtection ? 'and retains them' : 'not at all'}`, () => {
    b.storage.allResources('AWS::DynamoDB::Table', {
      Properties: Match.objectLike({
        DeletionProtectionEnabled: config.deletionProtection,
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      }),
      DeletionPolicy: config.retainData ? 'Retain' : 'Delete',
      UpdateReplacePolicy: config.retainData ? 'Retain' : 'Delete',
    });
  });

  test('has one customer-managed key with rotation, used by the tables, buckets and streams', () => {
    b.storage.resourceCountIs('AWS::KMS::Key', 1);
    b.storage.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    b.storage.hasResourceProperties('AWS::KMS::Alias', { AliasName: `alias/${config.prefix}-platform` });
    b.ingestion.allResourcesProperties('AWS::Kinesis::Stream', {
      StreamEncryption: {
        EncryptionType: 'KMS',
        KeyId: { 'Fn::ImportValue': Match.stringLikeRegexp('PlatformKey') },
      },
    });
  });

  test('has raw, curated and access-log buckets, emptied on delete only when data is not retained', () => {
    b.storage.resourceCountIs('AWS::S3::Bucket', 3);
    b.storage.resourceCountIs('Custom::S3AutoDeleteObjects', config.retainData ? 0 : 3);
    b.storage.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: {
        Rules: [
          Match.objectLike({
            Transitions: [
              { StorageClass: 'STANDARD_IA', TransitionInDays: config.retention.rawToInfrequentAccessDays },
              { StorageClass: 'GLACIER_IR', TransitionInDays: config.retention.rawToGlacierDays },
            ],
          }),
          // DynamoDB exports are full copies that a newer one replaces.
          Match.objectLike({ Prefix: 'dynamodb/', ExpirationInDays: config.retention.documentSnapshotDays }),
        ],
      },
    });
  });

  test('sizes each stream from the volumes', () => {
    for (const id of STREAM_IDS) {
      b.ingestion.hasResourceProperties('AWS::Kinesis::Stream', {
        Name: streamName(config.prefix, id),
        ShardCount: b.stacks.sizing.streams[id].shardCount,
        StreamModeDetails: { StreamMode: 'PROVISIONED' },
        RetentionPeriodHours: config.streams.retentionHours,
      });
    }
  });

  test('wires each transformer with the configured event-source settings', () => {
    b.ingestion.resourceCountIs('AWS::Lambda::EventSourceMapping', STREAM_IDS.length);
    b.ingestion.allResourcesProperties('AWS::Lambda::EventSourceMapping', {
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: config.transformer.batchSize,
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: config.transformer.retryAttempts,
      MaximumRecordAgeInSeconds: config.transformer.maxRecordAgeSeconds,
      ParallelizationFactor: config.transformer.parallelizationFactor,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
    });
  });

  test('delivers every stream to the raw zone with the configured buffering', () => {
    b.ingestion.resourceCountIs('AWS::KinesisFirehose::DeliveryStream', STREAM_IDS.length);
    for (const id of STREAM_IDS) {
      b.ingestion.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
        ExtendedS3DestinationConfiguration: Match.objectLike({
          Prefix: `events/stream=${id}/event_date=!{partitionKeyFromQuery:event_date}/`,
          BufferingHints: {
            IntervalInSeconds: config.firehoseBufferSeconds,
            SizeInMBs: config.firehoseBufferMiB,
          },
        }),
      });
    }
  });

  test('alarms to one KMS-encrypted topic, five alarms per stream', () => {
    b.ingestion.resourceCountIs('AWS::SNS::Topic', 1);
    b.ingestion.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    b.ingestion.resourceCountIs('AWS::CloudWatch::Alarm', 5 * STREAM_IDS.length);
    b.ingestion.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'IteratorAge',
      Threshold: config.alarms.iteratorAgeSeconds * 1000,
    });
  });

  test('tags every taggable resource with the project and the environment', () => {
    const tagged = b.storage.findResources('AWS::DynamoDB::Table');
    for (const table of Object.values(tagged)) {
      expect(table.Properties.Tags).toEqual(
        expect.arrayContaining([
          { Key: 'project', Value: PROJECT_TAG },
          { Key: 'environment', Value: name },
        ]),
      );
    }
  });
});

describe('an environment with an account', () => {
  test('pins the stacks to the account and the region', () => {
    const app = testApp();
    const { storage, ingestion, warehouse, api } = buildPlatformApp(
      app,
      { ...ENVIRONMENTS.dev, account: '123456789012' },
      { nag: false },
    );
    for (const stack of [storage, ingestion, warehouse, api]) {
      expect(stack.account).toBe('123456789012');
      expect(stack.region).toBe('eu-west-1');
    }
  });
});

describe('the dev app snapshot (a refactoring guard; bundle hashes are replaced by a placeholder)', () => {
  test('storage stack', () => {
    expect(normalizedTemplate(platform('dev').stacks.storage)).toMatchSnapshot();
  });

  test('ingestion stack', () => {
    expect(normalizedTemplate(platform('dev').stacks.ingestion)).toMatchSnapshot();
  });
});

describe('the cdk-nag gate', () => {
  test('fails synth on an unacknowledged finding', () => {
    const app = testApp();
    const { storage } = buildPlatformApp(app, ENVIRONMENTS.prod);
    new s3.Bucket(storage, 'UnloggedBucket');
    expect(() => app.synth()).toThrow(/AwsSolutions-S1/);
  });

  test('reports the same finding through nagFindings', () => {
    const app = testApp();
    const { storage } = buildPlatformApp(app, ENVIRONMENTS.prod, { nag: false });
    new s3.Bucket(storage, 'UnloggedBucket');
    app.synth();
    expect(nagFindings(app)).toEqual(
      expect.arrayContaining([`AwsSolutions-S1 at ${storage.stackName}/UnloggedBucket/Resource`]),
    );
  });
});
