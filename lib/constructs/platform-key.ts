import { Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

/** Properties of a {@link PlatformKey}. */
export interface PlatformKeyProps {
  /**
   * Alias of the key, without the `alias/` prefix (for example `ecom-dev-platform`).
   */
  readonly aliasName: string;

  /**
   * Description of the key.
   *
   * @default 'Encrypts the data of the e-commerce data platform'
   */
  readonly description?: string;

  /**
   * What happens to the key when it leaves the stack.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * Days KMS waits before deleting the key once it is scheduled for deletion (7 to 30).
   *
   * @default Duration.days(30)
   */
  readonly pendingWindow?: Duration;

  /**
   * Let CloudWatch Logs encrypt the log groups of this account and region with the key.
   *
   * @default true
   */
  readonly allowCloudWatchLogs?: boolean;

  /**
   * Let CloudWatch alarms publish to SNS topics encrypted with the key.
   *
   * @default true
   */
  readonly allowCloudWatchAlarms?: boolean;
}

/**
 * The platform's one customer-managed KMS key: yearly rotation, an alias, and the key-policy
 * statements the AWS services that encrypt with it need (CloudWatch Logs for log groups,
 * CloudWatch for alarm notifications to an encrypted topic). Principals of the account get access
 * through IAM policies (the default key policy trusts the account).
 *
 * @example
 * const platformKey = new PlatformKey(this, 'Key', { aliasName: 'ecom-dev-platform' });
 * new s3.Bucket(this, 'Bucket', { encryptionKey: platformKey.key });
 */
export class PlatformKey extends Construct {
  /** The key. */
  public readonly key: kms.IKey;

  /** The alias, `alias/<aliasName>`. */
  public readonly alias: kms.IAlias;

  constructor(scope: Construct, id: string, props: PlatformKeyProps) {
    super(scope, id);
    if (!Token.isUnresolved(props.aliasName) && !/^[a-zA-Z0-9/_-]{1,250}$/.test(props.aliasName)) {
      throw new Error(
        `PlatformKey ${this.node.path}: aliasName '${props.aliasName}' must match ^[a-zA-Z0-9/_-]{1,250}$ (without the alias/ prefix)`,
      );
    }
    if (!Token.isUnresolved(props.aliasName) && props.aliasName.startsWith('aws/')) {
      throw new Error(`PlatformKey ${this.node.path}: aliasName '${props.aliasName}' is reserved for AWS`);
    }
    const pendingWindow = props.pendingWindow ?? Duration.days(30);
    if (
      !pendingWindow.isUnresolved() &&
      (pendingWindow.toDays({ integral: false }) < 7 || pendingWindow.toDays({ integral: false }) > 30)
    ) {
      throw new Error(
        `PlatformKey ${this.node.path}: pendingWindow is ${pendingWindow.toDays({ integral: false })} days, expected 7 to 30`,
      );
    }

    const key = new kms.Key(this, 'Key', {
      description: props.description ?? 'Encrypts the data of the e-commerce data platform',
      enableKeyRotation: true,
      rotationPeriod: Duration.days(365),
      pendingWindow,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });

    const stack = Stack.of(this);
    if (props.allowCloudWatchLogs ?? true) {
      // CloudWatch Logs checks the key policy itself; an IAM policy cannot grant a service principal.
      key.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'AllowCloudWatchLogsOfThisAccountAndRegion',
          principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
          actions: [
            'kms:Encrypt*',
            'kms:Decrypt*',
            'kms:ReEncrypt*',
            'kms:GenerateDataKey*',
            'kms:Describe*',
          ],
          resources: ['*'],
          conditions: {
            ArnLike: {
              'kms:EncryptionContext:aws:logs:arn': `arn:${stack.partition}:logs:${stack.region}:${stack.account}:log-group:*`,
            },
          },
        }),
      );
    }
    if (props.allowCloudWatchAlarms ?? true) {
      key.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'AllowCloudWatchAlarmsToPublishToEncryptedTopics',
          principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
          actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          // As AWS documents it: CloudWatch does not send a source account or ARN with these calls.
          resources: ['*'],
        }),
      );
    }

    this.key = key;
    this.alias = key.addAlias(`alias/${props.aliasName}`);
  }
}
