import { CfnOutput, Duration, RemovalPolicy, Stack, StackProps, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { EnvironmentConfig } from '../config/environment-config';
import { PlatformSizing } from '../config/sizing';
import {
  AccessLogBucket,
  LakeBucket,
  LakeCatalog,
  LakePrefixPolicy,
  PlatformKey,
  PlatformTable,
} from '../constructs';
import {
  CURATED_PREFIX,
  DEAD_LETTER_PREFIX,
  JOB_STATE_PREFIX,
  QUARANTINE_PREFIX,
  RAW_DYNAMODB_EXPORTS_PREFIX,
  RAW_EVENTS_PREFIX,
  RAW_OLTP_PREFIX,
  RAW_THIRD_PARTY_PREFIX,
  RAW_UNPARSED_PREFIX,
} from '../lake/lake-layout';
import { SOURCE_DATASETS } from '../lake/lake-datasets';
import { TABLE_IDS, TABLES, TableId, tableName } from '../tables/table-definitions';

/** Properties of the {@link StorageStack}. */
export interface StorageStackProps extends StackProps {
  /** The environment's configuration. */
  readonly config: EnvironmentConfig;
  /** Sizes derived from the configuration's volumes (table capacity in PROVISIONED mode). */
  readonly sizing: PlatformSizing;
}

/**
 * The stateful stack: the platform KMS key, the access-log bucket, the raw and curated lake
 * buckets, one DynamoDB table per TABLES entry, the prefix-scoped policies of the raw bucket, and
 * the Glue Data Catalog of the lake (databases and tables describe the buckets' data, so they live
 * and change with the buckets, and reference them without cross-stack exports).
 * Everything here is retained unless `config.retainData` is false.
 */
export class StorageStack extends Stack {
  /** The customer-managed key of the platform. */
  public readonly key: kms.IKey;

  /** The raw zone: every event as sent, plus dead-lettered records. */
  public readonly rawBucket: s3.IBucket;

  /** The curated zone: Parquet written by Glue. */
  public readonly curatedBucket: s3.IBucket;

  /** The S3 server access log bucket. */
  public readonly accessLogBucket: s3.IBucket;

  /** The tables, by id. */
  public readonly tables: Record<TableId, dynamodb.ITable>;

  /** Opens `dead-letter/` of the raw bucket (for the transformers). */
  public readonly deadLetterWriterPolicy: iam.IManagedPolicy;

  /** Opens `events/` and `events-unparsed/` of the raw bucket (for the Firehose deliveries). */
  public readonly rawEventsWriterPolicy: iam.IManagedPolicy;

  /** Opens `events/` of the raw bucket for reading (for the Glue curation job). */
  public readonly rawEventsReaderPolicy: iam.IManagedPolicy;

  /** Opens `curated/`, `quarantine/` and `_state/` of the curated bucket (for the Glue jobs). */
  public readonly curatedWriterPolicy: iam.IManagedPolicy;

  /** Opens `oltp/` of the raw bucket for reading and writing (for the OLTP extraction job). */
  public readonly oltpExtractWriterPolicy: iam.IManagedPolicy;

  /** Opens `dynamodb/` of the raw bucket for DynamoDB exports and reading them (for the documents job). */
  public readonly documentExportWriterPolicy: iam.IManagedPolicy;

  /** Opens `third-party/` of the raw bucket for reading (for the third-party files job). */
  public readonly thirdPartyReaderPolicy: iam.IManagedPolicy;

  /**
   * The credentials the OLTP extraction signs in to the shop's database with (`username` and
   * `password`). Created with a generated password; the database's owners set the real user's
   * password to it (or put theirs here) and own its rotation.
   */
  public readonly oltpCredentials: secretsmanager.ISecret;

  /** The Glue Data Catalog of the lake: raw and curated databases and their tables. */
  public readonly catalog: LakeCatalog;

  constructor(scope: Construct, id: string, props: StorageStackProps) {
    super(scope, id, props);
    const { config, sizing } = props;
    const retain = config.retainData;
    const removalPolicy = retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    this.key = new PlatformKey(this, 'PlatformKey', {
      aliasName: `${config.prefix}-platform`,
      description: `Encrypts the data of the e-commerce data platform (${config.name})`,
      removalPolicy,
      pendingWindow: Duration.days(retain ? 30 : 7),
    }).key;

    this.accessLogBucket = new AccessLogBucket(this, 'AccessLogs', {
      expiration: Duration.days(config.retention.accessLogDays),
      retainData: retain,
    }).bucket;

    this.rawBucket = new LakeBucket(this, 'Raw', {
      encryptionKey: this.key,
      accessLogBucket: this.accessLogBucket,
      accessLogPrefix: 'raw/',
      infrequentAccessAfter: Duration.days(config.retention.rawToInfrequentAccessDays),
      glacierInstantRetrievalAfter: Duration.days(config.retention.rawToGlacierDays),
      // Each DynamoDB export is a full copy of the document tables; a newer one replaces it.
      expirations: [
        {
          prefix: `${RAW_DYNAMODB_EXPORTS_PREFIX}/`,
          after: Duration.days(config.retention.documentSnapshotDays),
        },
      ],
      noncurrentVersionExpiration: Duration.days(config.retention.noncurrentVersionDays),
      retainData: retain,
    }).bucket;

    this.curatedBucket = new LakeBucket(this, 'Curated', {
      encryptionKey: this.key,
      accessLogBucket: this.accessLogBucket,
      accessLogPrefix: 'curated/',
      // The curated snapshots of the document tables go with their exports.
      expirations: SOURCE_DATASETS.filter((d) => d.source === 'documents').map((d) => ({
        prefix: `${CURATED_PREFIX}/${d.name}/`,
        after: Duration.days(config.retention.documentSnapshotDays),
      })),
      noncurrentVersionExpiration: Duration.days(config.retention.noncurrentVersionDays),
      retainData: retain,
    }).bucket;

    this.deadLetterWriterPolicy = new LakePrefixPolicy(this, 'DeadLetterWriter', {
      bucket: this.rawBucket,
      prefixes: [`${DEAD_LETTER_PREFIX}/`],
      description: `Lets the ${config.name} transformers put dead-lettered records under ${DEAD_LETTER_PREFIX}/ of the raw bucket`,
    }).policy;

    this.rawEventsWriterPolicy = new LakePrefixPolicy(this, 'RawEventsWriter', {
      bucket: this.rawBucket,
      prefixes: [`${RAW_EVENTS_PREFIX}/`, `${RAW_UNPARSED_PREFIX}/`],
      // What Firehose needs for an S3 destination, as AWS documents it.
      objectActions: ['s3:PutObject', 's3:GetObject', 's3:AbortMultipartUpload'],
      bucketActions: ['s3:GetBucketLocation', 's3:ListBucket', 's3:ListBucketMultipartUploads'],
      description: `Lets the ${config.name} Firehose deliveries write under ${RAW_EVENTS_PREFIX}/ and ${RAW_UNPARSED_PREFIX}/ of the raw bucket`,
    }).policy;

    this.rawEventsReaderPolicy = new LakePrefixPolicy(this, 'RawEventsReader', {
      bucket: this.rawBucket,
      prefixes: [`${RAW_EVENTS_PREFIX}/`],
      objectActions: ['s3:GetObject'],
      bucketActions: ['s3:ListBucket', 's3:GetBucketLocation'],
      description: `Lets the ${config.name} Glue jobs read ${RAW_EVENTS_PREFIX}/ of the raw bucket`,
    }).policy;

    this.curatedWriterPolicy = new LakePrefixPolicy(this, 'CuratedWriter', {
      bucket: this.curatedBucket,
      prefixes: [`${CURATED_PREFIX}/`, `${QUARANTINE_PREFIX}/`, `${JOB_STATE_PREFIX}/`],
      objectActions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'],
      bucketActions: ['s3:ListBucket', 's3:GetBucketLocation', 's3:ListBucketMultipartUploads'],
      description: `Lets the ${config.name} Glue jobs read and write ${CURATED_PREFIX}/, ${QUARANTINE_PREFIX}/ and ${JOB_STATE_PREFIX}/ of the curated bucket`,
    }).policy;

    this.oltpExtractWriterPolicy = new LakePrefixPolicy(this, 'OltpExtractWriter', {
      bucket: this.rawBucket,
      prefixes: [`${RAW_OLTP_PREFIX}/`],
      objectActions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'],
      bucketActions: ['s3:ListBucket', 's3:GetBucketLocation', 's3:ListBucketMultipartUploads'],
      description: `Lets the ${config.name} OLTP extraction job read and write ${RAW_OLTP_PREFIX}/ of the raw bucket`,
    }).policy;

    this.documentExportWriterPolicy = new LakePrefixPolicy(this, 'DocumentExportWriter', {
      bucket: this.rawBucket,
      prefixes: [`${RAW_DYNAMODB_EXPORTS_PREFIX}/`],
      // DynamoDB writes an export with the permissions of the principal that asks for it.
      objectActions: ['s3:GetObject', 's3:PutObject', 's3:PutObjectAcl', 's3:AbortMultipartUpload'],
      bucketActions: ['s3:ListBucket', 's3:GetBucketLocation'],
      description: `Lets the ${config.name} documents job export DynamoDB tables to ${RAW_DYNAMODB_EXPORTS_PREFIX}/ of the raw bucket and read them`,
    }).policy;

    this.thirdPartyReaderPolicy = new LakePrefixPolicy(this, 'ThirdPartyReader', {
      bucket: this.rawBucket,
      prefixes: [`${RAW_THIRD_PARTY_PREFIX}/`],
      objectActions: ['s3:GetObject'],
      bucketActions: ['s3:ListBucket', 's3:GetBucketLocation'],
      description: `Lets the ${config.name} third-party files job read ${RAW_THIRD_PARTY_PREFIX}/ of the raw bucket`,
    }).policy;

    const oltpCredentials = new secretsmanager.Secret(this, 'OltpCredentials', {
      secretName: `${config.prefix}/oltp/extract-credentials`,
      description: `Sign-in of the ${config.name} OLTP extraction (Glue JDBC connection) to the shop's PostgreSQL database; its owners set the password`,
      encryptionKey: this.key,
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ username: 'lake_extract' }),
        generateStringKey: 'password',
        excludePunctuation: true,
        passwordLength: 32,
      },
      removalPolicy,
    });
    Validations.of(oltpCredentials).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        "The database is the shop's own system, not the platform's: its owners create the user and rotate its password (their rotation function, their schedule); the platform only reads the secret.",
    });
    this.oltpCredentials = oltpCredentials;

    this.catalog = new LakeCatalog(this, 'Catalog', {
      prefix: config.prefix,
      rawBucket: this.rawBucket,
      curatedBucket: this.curatedBucket,
    });

    const tables = {} as Record<TableId, dynamodb.ITable>;
    for (const tableId of TABLE_IDS) {
      tables[tableId] = new PlatformTable(this, `Table-${tableId}`, {
        definition: TABLES[tableId],
        tableName: tableName(config.prefix, tableId),
        encryptionKey: this.key,
        provisionedCapacity: config.dynamoBillingMode === 'PROVISIONED' ? sizing.tables[tableId] : undefined,
        deletionProtection: config.deletionProtection,
        removalPolicy,
      }).table;
    }
    this.tables = tables;

    new CfnOutput(this, 'RawBucketName', { value: this.rawBucket.bucketName });
    new CfnOutput(this, 'CuratedBucketName', { value: this.curatedBucket.bucketName });
    new CfnOutput(this, 'PlatformKeyArn', { value: this.key.keyArn });
    new CfnOutput(this, 'OltpCredentialsSecretName', { value: `${config.prefix}/oltp/extract-credentials` });
    new CfnOutput(this, 'RawDatabaseName', { value: this.catalog.rawDatabaseName });
    new CfnOutput(this, 'CuratedDatabaseName', { value: this.catalog.curatedDatabaseName });
  }
}
