/**
 * Project-wide defaults shared by the constructs, in one place (the aws-solutions-constructs
 * `*-defaults.ts` habit). A construct reads a default here only when its props leave the setting out.
 */
import { Duration, Size } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';

/** The newest Node.js runtime aws-cdk-lib 2.276 offers; every function uses it. */
export const PLATFORM_RUNTIME = lambda.Runtime.NODEJS_24_X;

/** The esbuild target matching PLATFORM_RUNTIME. */
export const PLATFORM_BUNDLING_TARGET = 'node24';

/** Every function runs on Graviton. */
export const PLATFORM_ARCHITECTURE = lambda.Architecture.ARM_64;

/** CloudWatch namespace of the Powertools metrics when none is given. */
export const DEFAULT_METRICS_NAMESPACE = 'EcommerceDataPlatform';

/** Log retention when none is given. */
export const DEFAULT_LOG_RETENTION = logs.RetentionDays.ONE_MONTH;

/** Safe Kinesis event-source defaults: small batches, capped retries and record age. */
export const STREAM_EVENT_SOURCE_DEFAULTS = {
  batchSize: 100,
  maxBatchingWindow: Duration.seconds(1),
  retryAttempts: 5,
  maxRecordAge: Duration.hours(6),
  parallelizationFactor: 1,
} as const;

/** Firehose buffering defaults toward S3 (dynamic partitioning needs at least 64 MiB). */
export const RAW_DELIVERY_DEFAULTS = {
  bufferInterval: Duration.seconds(300),
  bufferSize: Size.mebibytes(128),
} as const;

/** Days a dead-letter queue keeps messages when none is given (the SQS maximum). */
export const DEFAULT_DEAD_LETTER_RETENTION = Duration.days(14);
