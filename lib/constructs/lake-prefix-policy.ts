import { Stack, Token, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { resourceFinding } from './private/nag';

/** Properties of a {@link LakePrefixPolicy}. */
export interface LakePrefixPolicyProps {
  /** The bucket; it must be in the same stack as the policy. */
  readonly bucket: s3.IBucket;

  /**
   * The key prefixes the policy opens, each ending with `/` (for example `dead-letter/`). The policy
   * covers the objects under them and nothing else of the bucket.
   */
  readonly prefixes: readonly string[];

  /**
   * Object-level actions allowed under the prefixes. No wildcard actions.
   *
   * @default ['s3:PutObject']
   */
  readonly objectActions?: readonly string[];

  /**
   * Bucket-level actions allowed on the bucket itself (for example `s3:GetBucketLocation`, which
   * Firehose needs). No wildcard actions.
   *
   * @default - none
   */
  readonly bucketActions?: readonly string[];

  /**
   * Description of the managed policy.
   *
   * @default - a description naming the prefixes
   */
  readonly description?: string;
}

/**
 * A customer-managed IAM policy, owned by the stack of a lake bucket, that opens only some key
 * prefixes of the bucket (and the bucket's KMS key through S3 for those objects). Consumers in
 * other stacks attach it to their roles with `role.addManagedPolicy(policy.policy)`.
 *
 * Why a managed policy in the bucket's stack rather than a grant on the consumer's role: a prefix
 * needs a wildcard resource (`<bucket ARN>/dead-letter/*`), which cdk-nag rule AwsSolutions-IAM5
 * reports by the resource's CloudFormation reference. In the bucket's stack that reference is
 * `<LogicalId.Arn>`, known at synth, so the construct acknowledges exactly the findings it creates.
 * Across stacks it would be an export name that CloudFormation generates late in synthesis.
 *
 * @example
 * const deadLetterWriter = new LakePrefixPolicy(this, 'DeadLetterWriter', {
 *   bucket: raw.bucket,
 *   prefixes: ['dead-letter/'],
 * });
 * transformerRole.addManagedPolicy(deadLetterWriter.policy);
 */
export class LakePrefixPolicy extends Construct {
  /** The managed policy to attach to the roles that may use the prefixes. */
  public readonly policy: iam.IManagedPolicy;

  constructor(scope: Construct, id: string, props: LakePrefixPolicyProps) {
    super(scope, id);
    if (Stack.of(props.bucket) !== Stack.of(this)) {
      throw new Error(
        `LakePrefixPolicy ${this.node.path}: bucket ${props.bucket.node.path} is in stack ${Stack.of(props.bucket).stackName}, not in ${Stack.of(this).stackName}; create the policy in the bucket's stack`,
      );
    }
    if (props.prefixes.length === 0) {
      throw new Error(`LakePrefixPolicy ${this.node.path}: prefixes is empty; give at least one prefix`);
    }
    for (const prefix of props.prefixes) {
      if (Token.isUnresolved(prefix)) continue;
      if (!/^[a-zA-Z0-9!_.'()=-]+(\/[a-zA-Z0-9!_.'()=-]+)*\/$/.test(prefix)) {
        throw new Error(
          `LakePrefixPolicy ${this.node.path}: prefix '${prefix}' must be a key prefix ending with '/' without wildcards`,
        );
      }
    }
    const objectActions = props.objectActions ?? ['s3:PutObject'];
    const bucketActions = props.bucketActions ?? [];
    for (const action of [...objectActions, ...bucketActions]) {
      if (!/^s3:[A-Za-z]+$/.test(action)) {
        throw new Error(
          `LakePrefixPolicy ${this.node.path}: action '${action}' must be one S3 action (s3:Name, no wildcard)`,
        );
      }
    }
    if (objectActions.length === 0) {
      throw new Error(`LakePrefixPolicy ${this.node.path}: objectActions is empty`);
    }

    const bucket = props.bucket;
    const objectArns = props.prefixes.map((prefix) => bucket.arnForObjects(`${prefix}*`));
    const statements = [
      new iam.PolicyStatement({
        sid: 'ObjectsUnderPrefixes',
        actions: [...objectActions],
        resources: objectArns,
      }),
    ];
    if (bucketActions.length > 0) {
      statements.push(
        new iam.PolicyStatement({
          sid: 'Bucket',
          actions: [...bucketActions],
          resources: [bucket.bucketArn],
        }),
      );
    }
    if (bucket.encryptionKey) {
      // Writing an SSE-KMS object needs a data key; reading one back (or completing a multipart
      // upload) needs Decrypt. Only through S3, and only for this bucket's objects.
      const kmsActions = objectActions.every((a) => a === 's3:PutObject')
        ? ['kms:GenerateDataKey']
        : ['kms:GenerateDataKey', 'kms:Decrypt'];
      const stack = Stack.of(this);
      statements.push(
        new iam.PolicyStatement({
          sid: 'KeyThroughS3ForThisBucket',
          actions: kmsActions,
          resources: [bucket.encryptionKey.keyArn],
          conditions: {
            StringEquals: { 'kms:ViaService': `s3.${stack.region}.amazonaws.com` },
            // With an S3 Bucket Key the context is the bucket ARN, without one the object ARN.
            StringLike: { 'kms:EncryptionContext:aws:s3:arn': [bucket.bucketArn, ...objectArns] },
          },
        }),
      );
    }

    const policy = new iam.ManagedPolicy(this, 'Policy', {
      description:
        props.description ??
        `Access to ${props.prefixes.join(', ')} of one lake bucket, and nothing else of it`,
      statements,
    });
    for (const objectArn of objectArns) {
      Validations.of(policy).acknowledge({
        id: `AwsSolutions-IAM5[${resourceFinding(this, objectArn)}]`,
        reason:
          'The wildcard is the key-prefix scope itself: the policy opens only the objects under this prefix of one bucket, which is the narrowest grant S3 offers for objects whose keys are not known in advance.',
      });
    }
    this.policy = policy;
  }
}
