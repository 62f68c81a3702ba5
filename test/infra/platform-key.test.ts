import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { PlatformKey } from '../../lib/constructs';
import { nagFindings, testStack } from './helpers';

describe('PlatformKey with defaults', () => {
  const stack = testStack();
  new PlatformKey(stack, 'Key', { aliasName: 'ecom-test-platform' });
  const template = Template.fromStack(stack);

  test('rotates yearly and is retained', () => {
    template.hasResource('AWS::KMS::Key', {
      Properties: Match.objectLike({
        EnableKeyRotation: true,
        RotationPeriodInDays: 365,
        PendingWindowInDays: 30,
      }),
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  test('has the alias', () => {
    template.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/ecom-test-platform' });
  });

  test('lets CloudWatch Logs of this account and region use it, and CloudWatch alarms publish with it', () => {
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'AllowCloudWatchLogsOfThisAccountAndRegion',
            Principal: { Service: { 'Fn::Join': ['', ['logs.', { Ref: 'AWS::Region' }, '.amazonaws.com']] } },
            Condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': Match.anyValue() } },
          }),
          Match.objectLike({
            Sid: 'AllowCloudWatchAlarmsToPublishToEncryptedTopics',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          }),
        ]),
      },
    });
  });

  test('has no cdk-nag findings', () => {
    expect(nagFindings(stack)).toEqual([]);
  });
});

describe('PlatformKey with custom settings', () => {
  const stack = testStack();
  new PlatformKey(stack, 'Key', {
    aliasName: 'custom',
    description: 'Custom key',
    removalPolicy: RemovalPolicy.DESTROY,
    pendingWindow: Duration.days(7),
    allowCloudWatchLogs: false,
    allowCloudWatchAlarms: false,
  });
  const template = Template.fromStack(stack);

  test('takes the removal policy and pending window', () => {
    template.hasResource('AWS::KMS::Key', {
      Properties: Match.objectLike({ Description: 'Custom key', PendingWindowInDays: 7 }),
      DeletionPolicy: 'Delete',
    });
  });

  test('leaves out the service statements', () => {
    const keys = template.findResources('AWS::KMS::Key');
    const statements = Object.values(keys)[0].Properties.KeyPolicy.Statement as { Sid?: string }[];
    expect(statements.map((s) => s.Sid).filter(Boolean)).toEqual([]);
  });
});

describe('PlatformKey validation', () => {
  test('rejects an alias with the alias/ prefix characters it cannot have', () => {
    expect(() => new PlatformKey(testStack(), 'Key', { aliasName: 'bad alias' })).toThrow(
      /aliasName 'bad alias' must match/,
    );
  });

  test('rejects an AWS-reserved alias', () => {
    expect(() => new PlatformKey(testStack(), 'Key', { aliasName: 'aws/s3' })).toThrow(
      /aliasName 'aws\/s3' is reserved/,
    );
  });

  test('rejects a pending window outside 7 to 30 days', () => {
    expect(
      () => new PlatformKey(testStack(), 'Key', { aliasName: 'k', pendingWindow: Duration.days(5) }),
    ).toThrow(/pendingWindow is 5 days, expected 7 to 30/);
  });
});
