/**
 * A stack with the storage a StreamIngestion or RawEventDelivery needs, built from the project's own
 * constructs, so that the construct tests also run cdk-nag on a realistic neighbourhood.
 */
import { Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import {
  AccessLogBucket,
  LakeBucket,
  LakePrefixPolicy,
  PlatformKey,
  PlatformTable,
} from '../../lib/constructs';
import { TABLES } from '../../lib/tables/table-definitions';
import { testStack } from './helpers';

export interface IngestionFixture {
  readonly stack: Stack;
  readonly key: kms.IKey;
  readonly rawBucket: s3.IBucket;
  readonly orders: dynamodb.ITable;
  readonly productMetadata: dynamodb.ITable;
  readonly deadLetterWriterPolicy: iam.IManagedPolicy;
  readonly rawEventsWriterPolicy: iam.IManagedPolicy;
}

export function ingestionFixture(): IngestionFixture {
  const stack = testStack();
  const key = new PlatformKey(stack, 'Key', { aliasName: 'test' }).key;
  const logs = new AccessLogBucket(stack, 'AccessLogs').bucket;
  const rawBucket = new LakeBucket(stack, 'Raw', { encryptionKey: key, accessLogBucket: logs }).bucket;
  const table = (id: 'orders' | 'product-metadata') =>
    new PlatformTable(stack, `Table-${id}`, { definition: TABLES[id], encryptionKey: key }).table;
  return {
    stack,
    key,
    rawBucket,
    orders: table('orders'),
    productMetadata: table('product-metadata'),
    deadLetterWriterPolicy: new LakePrefixPolicy(stack, 'DeadLetterWriter', {
      bucket: rawBucket,
      prefixes: ['dead-letter/'],
    }).policy,
    rawEventsWriterPolicy: new LakePrefixPolicy(stack, 'RawEventsWriter', {
      bucket: rawBucket,
      prefixes: ['events/', 'events-unparsed/'],
      objectActions: ['s3:PutObject', 's3:GetObject', 's3:AbortMultipartUpload'],
      bucketActions: ['s3:GetBucketLocation', 's3:ListBucket', 's3:ListBucketMultipartUploads'],
    }).policy,
  };
}
