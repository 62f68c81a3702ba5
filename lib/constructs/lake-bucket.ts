import { Duration, RemovalPolicy, Token } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

/** Properties of a {@link LakeBucket}. */
export interface LakeBucketProps {
  /** The customer-managed key that encrypts every object (SSE-KMS with an S3 Bucket Key). */
  readonly encryptionKey: kms.IKey;

  /** The bucket that receives this bucket's server access logs (S3-managed encryption). */
  readonly accessLogBucket: s3.IBucket;

  /**
   * Prefix of this bucket's access logs in the access-log bucket.
   *
   * @default - the construct id followed by `/`
   */
  readonly accessLogPrefix?: string;

  /**
   * Age at which current objects move to S3 Standard-Infrequent Access (at least 30 days).
   *
   * @default - objects stay in S3 Standard
   */
  readonly infrequentAccessAfter?: Duration;

  /**
   * Age at which current objects move to S3 Glacier Instant Retrieval (at least 30 days after
   * infrequentAccessAfter when both are set).
   *
   * @default - objects never move to Glacier Instant Retrieval
   */
  readonly glacierInstantRetrievalAfter?: Duration;

  /**
   * How long an object version is kept after a newer version replaced or deleted it.
   *
   * @default Duration.days(90)
   */
  readonly noncurrentVersionExpiration?: Duration;

  /**
   * Prefixes whose objects expire (for example snapshots that a newer one replaces), each ending
   * with `/`.
   *
   * @default - none: objects are kept (and tiered)
   */
  readonly expirations?: readonly { readonly prefix: string; readonly after: Duration }[];

  /**
   * Keep the bucket and its objects when it leaves the stack. When false the bucket is destroyed
   * and emptied first (autoDeleteObjects), which suits only throwaway environments.
   *
   * @default true
   */
  readonly retainData?: boolean;
}

/**
 * A data-lake bucket: SSE-KMS with the platform key (and an S3 Bucket Key, which cuts KMS calls for
 * the many small objects Firehose and Glue write), all public access blocked, TLS required,
 * versioning with expiry of noncurrent versions, lifecycle transitions to cheaper storage classes,
 * server access logs, and retention unless told otherwise.
 *
 * @example
 * const raw = new LakeBucket(this, 'Raw', {
 *   encryptionKey: key,
 *   accessLogBucket: accessLogs.bucket,
 *   infrequentAccessAfter: Duration.days(30),
 *   glacierInstantRetrievalAfter: Duration.days(90),
 * });
 */
export class LakeBucket extends Construct {
  /** The bucket. */
  public readonly bucket: s3.IBucket;

  constructor(scope: Construct, id: string, props: LakeBucketProps) {
    super(scope, id);
    const ia = props.infrequentAccessAfter;
    const glacier = props.glacierInstantRetrievalAfter;
    const noncurrent = props.noncurrentVersionExpiration ?? Duration.days(90);
    if (ia && !ia.isUnresolved() && ia.toDays({ integral: false }) < 30) {
      throw new Error(
        `LakeBucket ${this.node.path}: infrequentAccessAfter is ${ia.toDays({ integral: false })} days; S3 moves objects to Standard-IA after 30 days at the earliest`,
      );
    }
    if (glacier && !glacier.isUnresolved() && glacier.toDays({ integral: false }) < 1) {
      throw new Error(
        `LakeBucket ${this.node.path}: glacierInstantRetrievalAfter is ${glacier.toDays({ integral: false })} days, expected at least 1`,
      );
    }
    if (
      ia &&
      glacier &&
      !ia.isUnresolved() &&
      !glacier.isUnresolved() &&
      glacier.toDays({ integral: false }) < ia.toDays({ integral: false }) + 30
    ) {
      throw new Error(
        `LakeBucket ${this.node.path}: glacierInstantRetrievalAfter is ${glacier.toDays({ integral: false })} days, less than 30 days after infrequentAccessAfter (${ia.toDays({ integral: false })} days); objects must stay 30 days in Standard-IA`,
      );
    }
    if (!noncurrent.isUnresolved() && noncurrent.toDays({ integral: false }) < 1) {
      throw new Error(
        `LakeBucket ${this.node.path}: noncurrentVersionExpiration is ${noncurrent.toDays({ integral: false })} days, expected at least 1`,
      );
    }
    const accessLogPrefix = props.accessLogPrefix ?? `${id}/`;
    if (!Token.isUnresolved(accessLogPrefix) && !accessLogPrefix.endsWith('/')) {
      throw new Error(`LakeBucket ${this.node.path}: accessLogPrefix '${accessLogPrefix}' must end with '/'`);
    }
    const retain = props.retainData ?? true;
    for (const { prefix, after } of props.expirations ?? []) {
      if (!prefix.endsWith('/') || prefix.startsWith('/')) {
        throw new Error(
          `LakeBucket ${this.node.path}: expiration prefix '${prefix}' must end with '/' and not start with one`,
        );
      }
      if (!after.isUnresolved() && after.toDays({ integral: false }) < 1) {
        throw new Error(
          `LakeBucket ${this.node.path}: objects under '${prefix}' expire after ${after.toDays({ integral: false })} days, expected at least 1`,
        );
      }
    }

    const transitions: s3.Transition[] = [];
    if (ia) transitions.push({ storageClass: s3.StorageClass.INFREQUENT_ACCESS, transitionAfter: ia });
    if (glacier) {
      transitions.push({ storageClass: s3.StorageClass.GLACIER_INSTANT_RETRIEVAL, transitionAfter: glacier });
    }

    this.bucket = new s3.Bucket(this, 'Bucket', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: props.encryptionKey,
      bucketKeyEnabled: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      serverAccessLogsBucket: props.accessLogBucket,
      serverAccessLogsPrefix: accessLogPrefix,
      lifecycleRules: [
        {
          id: 'tiering-and-noncurrent-expiry',
          transitions: transitions.length > 0 ? transitions : undefined,
          noncurrentVersionExpiration: noncurrent,
          abortIncompleteMultipartUploadAfter: Duration.days(7),
        },
        ...(props.expirations ?? []).map(({ prefix, after }) => ({
          id: `expire-${prefix.replace(/[^A-Za-z0-9-]+/g, '-').replace(/-+$/, '')}`,
          prefix,
          expiration: after,
        })),
      ],
      removalPolicy: retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      autoDeleteObjects: !retain,
    });
  }
}
