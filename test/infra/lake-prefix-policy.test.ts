import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AccessLogBucket, LakeBucket, LakePrefixPolicy, PlatformKey } from '../../lib/constructs';
import { logicalIdOf, nagFindings, testApp, testStack } from './helpers';

function bucketStack(stack: Stack = testStack()): { stack: Stack; bucket: s3.IBucket; bucketId: string } {
  const key = new PlatformKey(stack, 'Key', { aliasName: 'test' });
  const logs = new AccessLogBucket(stack, 'AccessLogs');
  const lake = new LakeBucket(stack, 'Raw', { encryptionKey: key.key, accessLogBucket: logs.bucket });
  const bucketId = logicalIdOf(lake.bucket);
  return { stack, bucket: lake.bucket, bucketId };
}

describe('LakePrefixPolicy with defaults', () => {
  const { stack, bucket, bucketId } = bucketStack();
  new LakePrefixPolicy(stack, 'DeadLetterWriter', { bucket, prefixes: ['dead-letter/'] });
  const template = Template.fromStack(stack);

  test('allows only PutObject under the prefix', () => {
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Sid: 'ObjectsUnderPrefixes',
            Effect: 'Allow',
            Action: 's3:PutObject',
            Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, '/dead-letter/*']] },
          },
        ]),
      },
    });
  });

  test('allows only GenerateDataKey on the bucket key, through S3, for this bucket', () => {
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'KeyThroughS3ForThisBucket',
            Action: 'kms:GenerateDataKey',
            Condition: {
              StringEquals: { 'kms:ViaService': Match.anyValue() },
              StringLike: { 'kms:EncryptionContext:aws:s3:arn': Match.anyValue() },
            },
          }),
        ]),
      },
    });
  });

  test('has no bucket-level statement', () => {
    const policies = template.findResources('AWS::IAM::ManagedPolicy');
    const sids = Object.values(policies).flatMap((p) =>
      (p.Properties.PolicyDocument.Statement as { Sid: string }[]).map((s) => s.Sid),
    );
    expect(sids).not.toContain('Bucket');
  });

  test('acknowledges exactly the wildcard of its prefix, so cdk-nag finds nothing', () => {
    expect(nagFindings(stack)).toEqual([]);
  });
});

describe('LakePrefixPolicy with custom settings', () => {
  const { stack, bucket } = bucketStack();
  new LakePrefixPolicy(stack, 'RawEventsWriter', {
    bucket,
    prefixes: ['events/', 'events-unparsed/'],
    objectActions: ['s3:PutObject', 's3:GetObject', 's3:AbortMultipartUpload'],
    bucketActions: ['s3:GetBucketLocation', 's3:ListBucket'],
    description: 'Firehose writer',
  });
  const template = Template.fromStack(stack);

  test('opens every prefix with the object actions', () => {
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      Description: 'Firehose writer',
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'ObjectsUnderPrefixes',
            // The flag @aws-cdk/aws-iam:minimizePolicies sorts actions and resources.
            Action: ['s3:AbortMultipartUpload', 's3:GetObject', 's3:PutObject'],
            Resource: [
              { 'Fn::Join': ['', [Match.anyValue(), '/events-unparsed/*']] },
              { 'Fn::Join': ['', [Match.anyValue(), '/events/*']] },
            ],
          }),
          Match.objectLike({ Sid: 'Bucket', Action: ['s3:GetBucketLocation', 's3:ListBucket'] }),
          Match.objectLike({
            Sid: 'KeyThroughS3ForThisBucket',
            Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
          }),
        ]),
      },
    });
  });

  test('has no cdk-nag findings', () => {
    expect(nagFindings(stack)).toEqual([]);
  });
});

describe('LakePrefixPolicy validation', () => {
  test('must live in the stack of its bucket', () => {
    const app = testApp();
    const { bucket } = bucketStack(new Stack(app, 'Storage'));
    const other = new Stack(app, 'Other');
    expect(() => new LakePrefixPolicy(other, 'P', { bucket, prefixes: ['x/'] })).toThrow(
      /bucket Storage\/Raw\/Bucket is in stack Storage, not in Other/,
    );
  });

  test('rejects an empty prefix list', () => {
    const { stack, bucket } = bucketStack();
    expect(() => new LakePrefixPolicy(stack, 'P', { bucket, prefixes: [] })).toThrow(/prefixes is empty/);
  });

  test('rejects a prefix with a wildcard or without a trailing slash', () => {
    const { stack, bucket } = bucketStack();
    expect(() => new LakePrefixPolicy(stack, 'P', { bucket, prefixes: ['events/*'] })).toThrow(
      /prefix 'events\/\*' must be a key prefix ending with '\/'/,
    );
    expect(() => new LakePrefixPolicy(stack, 'Q', { bucket, prefixes: ['events'] })).toThrow(
      /prefix 'events' must be a key prefix/,
    );
  });

  test('rejects a wildcard action', () => {
    const { stack, bucket } = bucketStack();
    expect(
      () => new LakePrefixPolicy(stack, 'P', { bucket, prefixes: ['x/'], objectActions: ['s3:Put*'] }),
    ).toThrow(/action 's3:Put\*' must be one S3 action/);
  });

  test('rejects an empty object action list', () => {
    const { stack, bucket } = bucketStack();
    expect(() => new LakePrefixPolicy(stack, 'P', { bucket, prefixes: ['x/'], objectActions: [] })).toThrow(
      /objectActions is empty/,
    );
  });
});
