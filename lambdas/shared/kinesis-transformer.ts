/**
 * The batch loop shared by the three transformers. Per record: decode → checkEvent → stream check →
 * normalize (prepareRecord, pure) → applyEvent (the transformer's DynamoDB writes).
 *
 * - A bad record is not a failure: it becomes a Rejection, the record counts as handled, and all the
 *   rejections of the batch are written with one DeadLetterSink.write at the end.
 * - Only infrastructure errors (DynamoDB, S3) fail a record. From the first failure on, every later
 *   record of the batch is reported as failed without being applied, so Lambda (or the twin's poller)
 *   retries from the first failure, in order. Per-key order is what keeps stock exact.
 * - If the dead-letter write fails, the rejected records are reported as failures too: they are
 *   delivered again and rejected again, never lost.
 *
 * Powertools' BatchProcessor runs the records sequentially and builds the partial batch response
 * (`batchItemFailures`); a new processor is created per invocation so that concurrent batches in one
 * process (the local twin polls shards concurrently) never share state.
 */
import type {
  Context,
  KinesisStreamBatchResponse,
  KinesisStreamEvent,
  KinesisStreamRecord,
} from 'aws-lambda';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { StreamId } from '../../lib/streams/stream-definitions';
import type { DeadLetterSink } from './dead-letter';
import type { NormalizedEvent } from './normalize';
import { prepareRecord } from './prepare-record';
import type { Rejection, RejectionCode } from './rejection';
import type { TransformerRuntimeSettings } from './runtime-settings';

/** What applying one event did: changed the stores, or changed nothing (already applied, or older). */
export type ApplyOutcome = 'applied' | 'duplicate';

/** Writes one normalized event to the stores; throws only on infrastructure errors. */
export type ApplyEvent = (normalized: NormalizedEvent) => Promise<ApplyOutcome>;

/** The counts of one batch. received = applied + duplicates + rejected + failed. */
export interface BatchOutcome {
  readonly stream: StreamId;
  readonly received: number;
  readonly applied: number;
  /** Events that changed nothing because they were already applied or are older than the stored state. */
  readonly duplicates: number;
  /** Records written to the dead-letter destination. */
  readonly rejected: number;
  readonly rejectedByCode: Readonly<Partial<Record<RejectionCode, number>>>;
  /** Records reported in batchItemFailures (failed, skipped after a failure, or not dead-lettered). */
  readonly failed: number;
  /** Why the dead-letter write failed, when it did (its records are then counted as failed). */
  readonly deadLetterError?: string;
}

/** The logging the transformer needs; Powertools' Logger satisfies it. */
export interface TransformerLogger {
  warn(message: string, attributes: Record<string, unknown>): void;
  error(message: string, attributes: Record<string, unknown>): void;
}

/** Options of {@link createKinesisTransformer}. */
export interface KinesisTransformerOptions {
  /** The stream read, the size limit and the table names. */
  readonly settings: TransformerRuntimeSettings;
  /** Applies one normalized event to DynamoDB. */
  readonly applyEvent: ApplyEvent;
  /** Receives the rejections of each batch. */
  readonly deadLetter: DeadLetterSink;
  /**
   * Structured logger for rejections and failures.
   * @default - a Powertools Logger with service `<stream>-transformer`
   */
  readonly logger?: TransformerLogger;
  /**
   * Powertools Metrics that receive the batch counts as EMF (namespace from POWERTOOLS_METRICS_NAMESPACE).
   * @default - no metrics are emitted
   */
  readonly metrics?: Metrics;
  /**
   * Called with the counts of every batch (the local twin and the tests reconcile with it).
   * @default - not called
   */
  readonly onBatchOutcome?: (outcome: BatchOutcome) => void | Promise<void>;
  /**
   * The clock of rejections.
   * @default - the system clock
   */
  readonly clock?: () => Date;
}

/** A transformer: a Kinesis Lambda handler with partial batch responses. */
export type KinesisTransformer = (
  event: KinesisStreamEvent,
  context?: Context,
) => Promise<KinesisStreamBatchResponse>;

/** The error of a record that was not attempted because an earlier record of its batch failed. */
export class SkippedRecordError extends Error {
  constructor() {
    super('skipped: an earlier record of this batch failed');
    this.name = 'SkippedRecordError';
  }
}

/** Orders Kinesis sequence numbers (decimal strings of up to 128 bits) numerically. */
export function compareSequenceNumbers(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

function errorText(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

/** Builds a transformer from its apply function and destinations. */
export function createKinesisTransformer(options: KinesisTransformerOptions): KinesisTransformer {
  const { settings, applyEvent, deadLetter, metrics, onBatchOutcome } = options;
  const stream = settings.streamId;
  const logger: TransformerLogger = options.logger ?? new Logger({ serviceName: `${stream}-transformer` });
  const clock = options.clock ?? (() => new Date());

  return async (event, context) => {
    const records = event.Records ?? [];
    const rejections: Rejection[] = [];
    let applied = 0;
    let duplicates = 0;
    let failedAlready = false;

    const handleRecord = async (record: KinesisStreamRecord): Promise<void> => {
      if (failedAlready) throw new SkippedRecordError();
      let eventId: string | undefined;
      try {
        const prepared = prepareRecord(record, settings, clock);
        if (!prepared.ok) {
          const r = prepared.rejection;
          rejections.push(r);
          logger.warn('record rejected', {
            code: r.code,
            reason: r.message,
            shard_id: r.shardId,
            sequence_number: r.sequenceNumber,
            event_id: r.eventId,
            event_type: r.eventType,
          });
          return;
        }
        eventId = prepared.eventId;
        const outcome = await applyEvent(prepared.normalized);
        if (outcome === 'applied') applied += 1;
        else duplicates += 1;
      } catch (err) {
        failedAlready = true;
        logger.error('record failed; it and every later record of the batch will be retried', {
          sequence_number: record.kinesis.sequenceNumber,
          event_id: eventId,
          error: errorText(err),
        });
        throw err;
      }
    };

    const response = await processPartialResponse(
      { Records: records },
      handleRecord,
      new BatchProcessor(EventType.KinesisDataStreams),
      // A fully failed batch is reported item by item rather than thrown: Lambda retries from the lowest
      // failed sequence number either way, and the counts and metrics of the batch are still emitted.
      { ...(context ? { context } : {}), processInParallel: false, throwOnFullBatchFailure: false },
    );
    const failures = new Set(response.batchItemFailures.map((f) => String(f.itemIdentifier)));

    let rejected: readonly Rejection[] = rejections;
    let deadLetterError: string | undefined;
    if (rejections.length > 0) {
      try {
        await deadLetter.write(rejections);
      } catch (err) {
        deadLetterError = errorText(err);
        logger.error(
          'dead-letter write failed; the rejected records are reported as failures and will be retried',
          {
            rejected: rejections.length,
            first_sequence_number: rejections[0].sequenceNumber,
            error: deadLetterError,
          },
        );
        for (const r of rejections) failures.add(r.sequenceNumber);
        rejected = [];
      }
    }

    const rejectedByCode: Partial<Record<RejectionCode, number>> = {};
    for (const r of rejected) rejectedByCode[r.code] = (rejectedByCode[r.code] ?? 0) + 1;
    const outcome: BatchOutcome = {
      stream,
      received: records.length,
      applied,
      duplicates,
      rejected: rejected.length,
      rejectedByCode,
      failed: failures.size,
      ...(deadLetterError !== undefined ? { deadLetterError } : {}),
    };
    if (metrics) publishBatchMetrics(metrics, outcome);
    if (onBatchOutcome) await onBatchOutcome(outcome);

    return {
      batchItemFailures: [...failures]
        .sort(compareSequenceNumbers)
        .map((itemIdentifier) => ({ itemIdentifier })),
    };
  };
}

/**
 * Publishes the counts of a batch as CloudWatch EMF metrics with the dimension `stream`: received,
 * applied, duplicates, rejected and failed, plus `rejected_by_code` with the dimensions `stream` and
 * `code` for each rejection code seen.
 */
export function publishBatchMetrics(metrics: Metrics, outcome: BatchOutcome): void {
  for (const [code, count] of Object.entries(outcome.rejectedByCode)) {
    metrics
      .singleMetric()
      .addDimensions({ stream: outcome.stream, code })
      .addMetric('rejected_by_code', MetricUnit.Count, count ?? 0);
  }
  metrics.addDimension('stream', outcome.stream);
  metrics.addMetric('received', MetricUnit.Count, outcome.received);
  metrics.addMetric('applied', MetricUnit.Count, outcome.applied);
  metrics.addMetric('duplicates', MetricUnit.Count, outcome.duplicates);
  metrics.addMetric('rejected', MetricUnit.Count, outcome.rejected);
  metrics.addMetric('failed', MetricUnit.Count, outcome.failed);
  metrics.publishStoredMetrics();
}
