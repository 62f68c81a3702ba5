import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AccessLogBucket } from '../../lib/constructs';
import { nagFindings, testStack } from './helpers';

describe('AccessLogBucket with defaults', () => {
  const stack = testStack();
  new AccessLogBucket(stack, 'AccessLogs');
  const template = Template.fromStack(stack);

  test('uses S3-managed encryption (log delivery cannot write SSE-KMS)', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
    });
  });

  test('blocks public access and enforces bucket-owner object ownership', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
    });
  });

  test('denies requests without TLS', () => {
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  test('expires logs after a year and is retained', () => {
    template.hasResource('AWS::S3::Bucket', {
      Properties: Match.objectLike({
        LifecycleConfiguration: {
          Rules: [Match.objectLike({ ExpirationInDays: 365, Status: 'Enabled' })],
        },
      }),
      DeletionPolicy: 'Retain',
    });
    template.resourceCountIs('Custom::S3AutoDeleteObjects', 0);
  });

  test('has no unacknowledged cdk-nag findings (S1 is acknowledged: it is the log bucket)', () => {
    expect(nagFindings(stack)).toEqual([]);
  });
});

describe('AccessLogBucket with custom settings', () => {
  const stack = testStack();
  new AccessLogBucket(stack, 'AccessLogs', { expiration: Duration.days(30), retainData: false });
  const template = Template.fromStack(stack);

  test('expires logs after the given time', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: { Rules: [Match.objectLike({ ExpirationInDays: 30 })] },
    });
  });

  test('is destroyed and emptied when data is not retained', () => {
    template.hasResource('AWS::S3::Bucket', { DeletionPolicy: 'Delete' });
    template.resourceCountIs('Custom::S3AutoDeleteObjects', 1);
  });
});

describe('AccessLogBucket validation', () => {
  test('rejects an expiration under a day', () => {
    expect(() => new AccessLogBucket(testStack(), 'Logs', { expiration: Duration.hours(1) })).toThrow(
      /expiration is 0\.041\d* days, expected at least 1/,
    );
  });
});
