import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AccessLogBucket, LakeBucket, PlatformKey } from '../../lib/constructs';
import { logicalIdOf, nagFindings, testStack } from './helpers';

function lakeStack(): { stack: Stack; key: PlatformKey; logs: AccessLogBucket } {
  const stack = testStack();
  const key = new PlatformKey(stack, 'Key', { aliasName: 'test' });
  const logs = new AccessLogBucket(stack, 'AccessLogs');
  return { stack, key, logs };
}

const KMS_BUCKET = Match.objectLike({
  BucketEncryption: {
    ServerSideEncryptionConfiguration: [
      Match.objectLike({ ServerSideEncryptionByDefault: Match.objectLike({ SSEAlgorithm: 'aws:kms' }) }),
    ],
  },
});

describe('LakeBucket with defaults', () => {
  const { stack, key, logs } = lakeStack();
  new LakeBucket(stack, 'Raw', { encryptionKey: key.key, accessLogBucket: logs.bucket });
  const template = Template.fromStack(stack);
  const keyId = logicalIdOf(key.key);

  test('encrypts with the platform key and an S3 Bucket Key', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          {
            BucketKeyEnabled: true,
            ServerSideEncryptionByDefault: {
              SSEAlgorithm: 'aws:kms',
              KMSMasterKeyID: { 'Fn::GetAtt': [keyId, 'Arn'] },
            },
          },
        ],
      },
    });
  });

  test('blocks all public access and is versioned', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      ...{ BucketEncryption: Match.anyValue() },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      VersioningConfiguration: { Status: 'Enabled' },
    });
  });

  test('denies requests without TLS', () => {
    const policies = template.findResources('AWS::S3::BucketPolicy');
    const tlsDenials = Object.values(policies).filter((p) =>
      JSON.stringify(p.Properties.PolicyDocument).includes('"aws:SecureTransport":"false"'),
    );
    expect(tlsDenials).toHaveLength(2); // the lake bucket and the access-log bucket
  });

  test('logs access to the access-log bucket under the construct id', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      LoggingConfiguration: {
        DestinationBucketName: { Ref: Match.stringLikeRegexp('AccessLogsBucket') },
        LogFilePrefix: 'Raw/',
      },
    });
  });

  test('expires noncurrent versions after 90 days, with no transition', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      ...{ BucketEncryption: Match.anyValue() },
      LifecycleConfiguration: {
        Rules: [
          Match.objectLike({
            NoncurrentVersionExpiration: { NoncurrentDays: 90 },
            AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
            Transitions: Match.absent(),
          }),
        ],
      },
    });
  });

  test('is retained', () => {
    template.hasResource('AWS::S3::Bucket', {
      Properties: KMS_BUCKET,
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  test('has no cdk-nag findings', () => {
    expect(nagFindings(stack)).toEqual([]);
  });
});

describe('LakeBucket with custom settings', () => {
  const { stack, key, logs } = lakeStack();
  new LakeBucket(stack, 'Raw', {
    encryptionKey: key.key,
    accessLogBucket: logs.bucket,
    accessLogPrefix: 'raw/',
    infrequentAccessAfter: Duration.days(30),
    glacierInstantRetrievalAfter: Duration.days(90),
    noncurrentVersionExpiration: Duration.days(7),
    expirations: [{ prefix: 'dynamodb/', after: Duration.days(35) }],
    retainData: false,
  });
  const template = Template.fromStack(stack);

  test('expires the objects under the prefixes given, and only those', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          { Id: 'expire-dynamodb', Prefix: 'dynamodb/', ExpirationInDays: 35, Status: 'Enabled' },
        ]),
      },
    });
  });

  test('moves objects to Standard-IA, then Glacier Instant Retrieval', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({
            Transitions: [
              { StorageClass: 'STANDARD_IA', TransitionInDays: 30 },
              { StorageClass: 'GLACIER_IR', TransitionInDays: 90 },
            ],
            NoncurrentVersionExpiration: { NoncurrentDays: 7 },
          }),
        ]),
      },
    });
  });

  test('uses the given access-log prefix', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      LoggingConfiguration: Match.objectLike({ LogFilePrefix: 'raw/' }),
    });
  });

  test('is destroyed and emptied when data is not retained', () => {
    template.hasResource('AWS::S3::Bucket', { Properties: KMS_BUCKET, DeletionPolicy: 'Delete' });
    template.resourceCountIs('Custom::S3AutoDeleteObjects', 1);
  });

  test('has no cdk-nag findings', () => {
    expect(nagFindings(stack)).toEqual([]);
  });
});

describe('LakeBucket validation', () => {
  const make = (props: Partial<ConstructorParameters<typeof LakeBucket>[2]>) => () => {
    const { stack, key, logs } = lakeStack();
    new LakeBucket(stack, 'Raw', { encryptionKey: key.key, accessLogBucket: logs.bucket, ...props });
  };

  test('rejects a Standard-IA transition before 30 days', () => {
    expect(make({ infrequentAccessAfter: Duration.days(10) })).toThrow(/infrequentAccessAfter is 10 days/);
  });

  test('rejects a Glacier transition less than 30 days after Standard-IA', () => {
    expect(
      make({ infrequentAccessAfter: Duration.days(30), glacierInstantRetrievalAfter: Duration.days(45) }),
    ).toThrow(
      /glacierInstantRetrievalAfter is 45 days, less than 30 days after infrequentAccessAfter \(30 days\)/,
    );
  });

  test('rejects a Glacier transition under a day', () => {
    expect(make({ glacierInstantRetrievalAfter: Duration.hours(2) })).toThrow(
      /glacierInstantRetrievalAfter is 0\.08\d* days/,
    );
  });

  test('rejects a noncurrent version expiry under a day', () => {
    expect(make({ noncurrentVersionExpiration: Duration.hours(1) })).toThrow(
      /noncurrentVersionExpiration is 0\.04\d* days/,
    );
  });

  test('rejects an expiry prefix without a trailing slash, and an expiry under a day', () => {
    expect(make({ expirations: [{ prefix: 'dynamodb', after: Duration.days(3) }] })).toThrow(
      /expiration prefix 'dynamodb' must end with '\/'/,
    );
    expect(make({ expirations: [{ prefix: 'dynamodb/', after: Duration.hours(3) }] })).toThrow(
      /objects under 'dynamodb\/' expire after 0\.125 days/,
    );
  });

  test('rejects an access-log prefix without a trailing slash', () => {
    expect(make({ accessLogPrefix: 'raw' })).toThrow(/accessLogPrefix 'raw' must end with '\/'/);
  });
});
