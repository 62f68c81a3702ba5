import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

/** Properties of an {@link AccessLogBucket}. */
export interface AccessLogBucketProps {
  /**
   * How long access logs are kept.
   *
   * @default Duration.days(365)
   */
  readonly expiration?: Duration;

  /**
   * Keep the bucket and its logs when it leaves the stack. When false the bucket is destroyed and
   * emptied first (autoDeleteObjects).
   *
   * @default true
   */
  readonly retainData?: boolean;
}

/**
 * The bucket that receives the S3 server access logs of the platform's buckets. It uses S3-managed
 * encryption because the log delivery service cannot write SSE-KMS objects; it blocks public
 * access, refuses plain HTTP, enforces bucket-owner object ownership (log delivery is granted by
 * bucket policy, not ACL) and expires logs.
 *
 * @example
 * const logs = new AccessLogBucket(this, 'AccessLogs', { expiration: Duration.days(90) });
 * new s3.Bucket(this, 'Data', { serverAccessLogsBucket: logs.bucket, serverAccessLogsPrefix: 'data/' });
 */
export class AccessLogBucket extends Construct {
  /** The bucket. */
  public readonly bucket: s3.IBucket;

  constructor(scope: Construct, id: string, props: AccessLogBucketProps = {}) {
    super(scope, id);
    const expiration = props.expiration ?? Duration.days(365);
    if (!expiration.isUnresolved() && expiration.toDays({ integral: false }) < 1) {
      throw new Error(
        `AccessLogBucket ${this.node.path}: expiration is ${expiration.toDays({ integral: false })} days, expected at least 1`,
      );
    }
    const retain = props.retainData ?? true;

    const bucket = new s3.Bucket(this, 'Bucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: false,
      lifecycleRules: [
        {
          id: 'expire-access-logs',
          expiration,
          abortIncompleteMultipartUploadAfter: Duration.days(7),
        },
      ],
      removalPolicy: retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      autoDeleteObjects: !retain,
    });
    Validations.of(bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'This is the server access log bucket of the platform; logging its own access into itself would log every log delivery in a loop.',
    });
    this.bucket = bucket;
  }
}
