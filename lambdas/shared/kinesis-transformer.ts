/**
 * The batch loop shared by the three transformers. Per record: decode → checkEvent → stream check →
 * normalize (prepareRecord, pure) → applyEvent (the transformer's DynamoDB writes). Every record is
 * prepared before any is applied, so that an optional `prefetch` sees the batch's valid events first
 * (the inventory transformer reads its ledger for all of them in a few calls).
 *
 * - Records of different partition keys run concurrently, at most `maxInFlightRecords` at a time;
 *   records of one partition key run strictly one after the other, in sequence order. All the events
 *   of one order, one SKU in one warehouse or one session share a partition key, so every item a
 *   transformer writes sees its events in order, as it did when the whole batch ran sequentially.
 * - A bad record is not a failure: it becomes a Rejection, the record counts as handled, and the
 *   rejections of the batch are written with one DeadLetterSink.write at the end.
 * - Only infrastructure errors (DynamoDB, S3) fail a record. Once a record of partition key K fails,
 *   every later record of K in the batch is reported as failed without being applied (or judged), so
 *   nothing touches K's items between the failure and its retry: that is what keeps stock exact.
 *   Records of other keys proceed.
 * - Lambda checkpoints at the lowest failed sequence number and redelivers every record after it,
 *   whatever the response says about them. So the response lists every record from that checkpoint
 *   on, and the counts call them failed even when this invocation already applied them (the retry
 *   finds them applied: every write is idempotent, and they count as duplicates then). Their
 *   rejections are not dead-lettered now either: the retry judges them again and writes them once.
 *   Summed over the retries, each record is counted once and dead-lettered at most once.
 * - If the dead-letter write fails, the rejected records are reported as failures too (and the
 *   checkpoint moves down to the first of them): they are delivered again and rejected again, never
 *   lost.
 *
 * Powertools' BatchProcessor runs the records (`processInParallel: true`: it starts every record's
 * handler at once and awaits them all) and collects the failed ones; the per-key chain and the cap on
 * records in flight live in the record handler below. A new processor and new per-batch state are
 * created per invocation, so that concurrent batches in one process (the local twin polls shards
 * concurrently) never share state.
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
import { PreparedRecord, prepareRecord } from './prepare-record';
import type { Rejection, RejectionCode } from './rejection';
import type { TransformerRuntimeSettings } from './runtime-settings';

/** What applying one event did: changed the stores, or changed nothing (already applied, or older). */
export type ApplyOutcome = 'applied' | 'duplicate';

/**
 * The business metrics a transformer may publish with its batch counts (same namespace and
 * dimensions), and their CloudWatch units:
 *
 * - `orders_created`: order.created events that recorded a new order (not replays, not duplicates);
 * - `order_revenue`: the sum of their `order_total` in EUR (orders in other currencies count in
 *   `orders_created` but add no revenue: the warehouse is single-currency EUR, and summing amounts of
 *   different currencies would mean nothing);
 * - `low_stock_events`: movements that took a SKU's `available` in one warehouse from at or above its
 *   reorder point to below it (headroom from >= 0 to < 0);
 * - `out_of_stock_events`: movements that took `available` from above 0 to 0 or below;
 * - `negative_stock_events`: movements that took `on_hand` from 0 or more to below 0 (the stock table
 *   keeps that fact rather than clamping it).
 */
export const BUSINESS_METRIC_UNITS = {
  orders_created: MetricUnit.Count,
  order_revenue: MetricUnit.NoUnit,
  low_stock_events: MetricUnit.Count,
  out_of_stock_events: MetricUnit.Count,
  negative_stock_events: MetricUnit.Count,
} as const;

/** The name of a business metric (see {@link BUSINESS_METRIC_UNITS}). */
export type BusinessMetricName = keyof typeof BUSINESS_METRIC_UNITS;

/** The business metric values of one batch, by name. */
export type BusinessCounts = Readonly<Partial<Record<BusinessMetricName, number>>>;

/**
 * Where an apply function records the business facts of the events it writes. The batch loop makes
 * one per invocation and publishes it once, with the batch counts.
 *
 * A fact is recorded by the write that makes it true (the UpdateItem that first sets an order's
 * `created_at`, the one that moves a stock item across its reorder point), so it counts once however
 * often its record is delivered: a replay, a duplicate or a retry finds the fact already true and
 * records nothing. Unlike `applied`, it counts in the invocation that wrote it, even when Lambda
 * delivers the record again (the retry then records nothing).
 */
export interface BusinessRecorder {
  /** Adds `value` (default 1) to the named metric of the batch. */
  add(name: BusinessMetricName, value?: number): void;
}

/**
 * Writes one normalized event to the stores; throws only on infrastructure errors. `business`
 * receives the business facts the write made true (optional, so an applier can run on its own).
 */
export type ApplyEvent = (normalized: NormalizedEvent, business?: BusinessRecorder) => Promise<ApplyOutcome>;

/** A {@link BusinessRecorder} that keeps the sums of one batch. */
class BatchBusinessCounts implements BusinessRecorder {
  private readonly sums: Partial<Record<BusinessMetricName, number>> = {};

  add(name: BusinessMetricName, value = 1): void {
    this.sums[name] = (this.sums[name] ?? 0) + value;
  }

  /** The sums, with 0 for each of `published` that nothing recorded. */
  counts(published: readonly BusinessMetricName[]): BusinessCounts {
    const out: Partial<Record<BusinessMetricName, number>> = {};
    for (const name of published) out[name] = 0;
    return { ...out, ...this.sums };
  }
}

/**
 * The counts of one batch. received = applied + duplicates + rejected + failed.
 *
 * A record counts once, in the invocation that acknowledges it: a record Lambda will deliver again
 * (any record from the lowest failed sequence number on) counts as failed, even if this invocation
 * applied it, so that the counts of a batch and its retries add up to the records put.
 */
export interface BatchOutcome {
  readonly stream: StreamId;
  readonly received: number;
  /** Events that changed the stores and are acknowledged. */
  readonly applied: number;
  /** Events that changed nothing because they were already applied or are older than the stored state. */
  readonly duplicates: number;
  /** Records written to the dead-letter destination. */
  readonly rejected: number;
  readonly rejectedByCode: Readonly<Partial<Record<RejectionCode, number>>>;
  /**
   * Records reported in batchItemFailures: failed, skipped after a failure of their partition key,
   * not dead-lettered, or after the batch's lowest failed record (which Lambda delivers again).
   */
  readonly failed: number;
  /** Why the dead-letter write failed, when it did (its records are then counted as failed). */
  readonly deadLetterError?: string;
  /**
   * The business metrics the batch's writes recorded (see {@link BusinessRecorder} for when a fact
   * counts), with 0 for each metric the transformer publishes that no event recorded; empty for a
   * transformer that publishes none.
   */
  readonly business: BusinessCounts;
}

/** The logging the transformer needs; Powertools' Logger satisfies it. */
export interface TransformerLogger {
  warn(message: string, attributes: Record<string, unknown>): void;
  error(message: string, attributes: Record<string, unknown>): void;
}

/** The default of {@link KinesisTransformerOptions.maxInFlightRecords}. */
export const DEFAULT_MAX_IN_FLIGHT_RECORDS = 32;

/** Options of {@link createKinesisTransformer}. */
export interface KinesisTransformerOptions {
  /** The stream read, the size limit and the table names. */
  readonly settings: TransformerRuntimeSettings;
  /** Applies one normalized event to DynamoDB. */
  readonly applyEvent: ApplyEvent;
  /** Receives the rejections of each batch. */
  readonly deadLetter: DeadLetterSink;
  /**
   * The business metrics published with every batch, 0 when no event of the batch recorded one: a
   * batch without a new order then reads 0 orders on the dashboard rather than a gap. A metric an
   * applier records that is not listed is published too, only in the batches that record it.
   * @default - none
   */
  readonly businessMetrics?: readonly BusinessMetricName[];
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
  /**
   * The most records of one batch in flight at once (an integer of at least 1). Records of one
   * partition key never overlap, whatever this is; 1 runs the whole batch sequentially. Each record
   * in flight makes at most one DynamoDB call at a time, so this also bounds the concurrent calls of
   * a batch (the SDK's HTTP agent allows 50 sockets per host by default).
   * @default DEFAULT_MAX_IN_FLIGHT_RECORDS (32)
   */
  readonly maxInFlightRecords?: number;
  /**
   * Called once per batch, before any record is applied, with the events of the batch that passed
   * validation, in sequence order: an applier that reads one item per event (the inventory
   * transformer's ledger) reads them all in a few batched calls here instead of one call in each
   * record's chain. It may return a function the batch calls once every record is done (to drop what
   * it kept). Advisory: if it fails, the failure is logged and every record reads for itself.
   * @default - none
   */
  readonly prefetch?: (events: readonly NormalizedEvent[]) => Promise<(() => void) | void>;
}

/** A transformer: a Kinesis Lambda handler with partial batch responses. */
export type KinesisTransformer = (
  event: KinesisStreamEvent,
  context?: Context,
) => Promise<KinesisStreamBatchResponse>;

/** The error of a record that was not attempted because an earlier record of its partition key failed. */
export class SkippedRecordError extends Error {
  constructor() {
    super('skipped: an earlier record of this partition key failed in this batch');
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

/**
 * A FIFO counting semaphore: `acquire` resolves with a release function once fewer than `max`
 * holders remain; a released slot passes straight to the longest waiter.
 */
function createLimiter(max: number): () => Promise<() => void> {
  let active = 0;
  const waiting: (() => void)[] = [];
  let head = 0;
  const release = (): void => {
    if (head < waiting.length) {
      const next = waiting[head];
      head += 1;
      next();
    } else {
      active -= 1;
    }
  };
  const grant = (): (() => void) => {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      release();
    };
  };
  return () => {
    if (active < max) {
      active += 1;
      return Promise.resolve(grant());
    }
    return new Promise((resolve) => waiting.push(() => resolve(grant())));
  };
}

/** What happened to one record in this invocation, before the checkpoint rule is applied. */
type RecordStatus = 'applied' | 'duplicate' | 'rejected' | 'failed' | 'skipped';

/** Builds a transformer from its apply function and destinations. */
export function createKinesisTransformer(options: KinesisTransformerOptions): KinesisTransformer {
  const { settings, applyEvent, deadLetter, metrics, onBatchOutcome } = options;
  const businessMetrics = options.businessMetrics ?? [];
  const stream = settings.streamId;
  const logger: TransformerLogger = options.logger ?? new Logger({ serviceName: `${stream}-transformer` });
  const clock = options.clock ?? (() => new Date());
  const maxInFlight = options.maxInFlightRecords ?? DEFAULT_MAX_IN_FLIGHT_RECORDS;
  if (!Number.isInteger(maxInFlight) || maxInFlight < 1) {
    throw new Error(
      `maxInFlightRecords is ${String(maxInFlight)}, expected an integer of at least 1 (1 runs a batch sequentially)`,
    );
  }

  return async (event, context) => {
    const records = event.Records ?? [];
    const count = records.length;
    // Every record is prepared (decoded, validated, normalized: pure) before any is applied, so that
    // `prefetch` sees the batch's events; an unexpected error is kept and thrown in the record's turn.
    const preparedOf = records.map((record): { prepared?: PreparedRecord; error?: unknown } => {
      try {
        return { prepared: prepareRecord(record, settings, clock) };
      } catch (error) {
        return { error };
      }
    });
    let endPrefetch: (() => void) | void = undefined;
    if (options.prefetch) {
      const events = preparedOf.flatMap((p) => (p.prepared?.ok ? [p.prepared.normalized] : []));
      try {
        if (events.length > 0) endPrefetch = await options.prefetch(events);
      } catch (err) {
        logger.warn('prefetch failed; each record reads for itself', { error: errorText(err) });
      }
    }
    const statuses: (RecordStatus | undefined)[] = new Array<RecordStatus | undefined>(count);
    const rejectionOf: (Rejection | undefined)[] = new Array<Rejection | undefined>(count);
    const failedKeys = new Set<string>();
    const acquire = createLimiter(maxInFlight);
    const business = new BatchBusinessCounts();

    // The per-key chain, built before any record starts: record i waits for `after[i]`, the
    // settlement of the previous record of its partition key (whatever order Powertools calls the
    // handler in), and settles `done[i]` when it is finished, failed or skipped.
    const done: (() => void)[] = new Array<() => void>(count);
    const after: (Promise<void> | undefined)[] = new Array<Promise<void> | undefined>(count);
    const lastOfKey = new Map<string, Promise<void>>();
    const indexes = new Map<KinesisStreamRecord, number[]>();
    for (let i = 0; i < count; i++) {
      const key = records[i].kinesis.partitionKey;
      after[i] = lastOfKey.get(key);
      lastOfKey.set(
        key,
        new Promise<void>((resolve) => {
          done[i] = resolve;
        }),
      );
      const same = indexes.get(records[i]);
      if (same) same.push(i);
      else indexes.set(records[i], [i]);
    }

    const runRecord = async (i: number): Promise<void> => {
      const record = records[i];
      let eventId: string | undefined;
      try {
        const { prepared, error } = preparedOf[i];
        if (prepared === undefined) throw error;
        if (!prepared.ok) {
          rejectionOf[i] = prepared.rejection;
          statuses[i] = 'rejected';
          return;
        }
        eventId = prepared.eventId;
        const outcome = await applyEvent(prepared.normalized, business);
        statuses[i] = outcome === 'applied' ? 'applied' : 'duplicate';
      } catch (err) {
        statuses[i] = 'failed';
        failedKeys.add(record.kinesis.partitionKey);
        logger.error(
          'record failed; the later records of its partition key are skipped, and Lambda retries the batch from the lowest failed record',
          {
            sequence_number: record.kinesis.sequenceNumber,
            event_id: eventId,
            error: errorText(err),
          },
        );
        throw err;
      }
    };

    const handleRecord = async (record: KinesisStreamRecord): Promise<void> => {
      const i = indexes.get(record)?.shift();
      if (i === undefined) {
        throw new Error(`record ${record.kinesis.sequenceNumber} is not one of the batch's records`);
      }
      try {
        await after[i];
        if (failedKeys.has(record.kinesis.partitionKey)) {
          statuses[i] = 'skipped';
          throw new SkippedRecordError();
        }
        const release = await acquire();
        try {
          await runRecord(i);
        } finally {
          release();
        }
      } finally {
        done[i]();
      }
    };

    let response: KinesisStreamBatchResponse;
    try {
      response = await processPartialResponse(
        { Records: records },
        handleRecord,
        new BatchProcessor(EventType.KinesisDataStreams),
        // A fully failed batch is reported item by item rather than thrown: Lambda retries from the lowest
        // failed sequence number either way, and the counts and metrics of the batch are still emitted.
        { ...(context ? { context } : {}), processInParallel: true, throwOnFullBatchFailure: false },
      );
    } finally {
      if (endPrefetch) endPrefetch();
    }

    // The checkpoint: the lowest failed sequence number. Lambda delivers it and every later record again.
    let checkpoint: string | undefined;
    const lower = (seq: string): void => {
      if (checkpoint === undefined || compareSequenceNumbers(seq, checkpoint) < 0) checkpoint = seq;
    };
    for (const f of response.batchItemFailures) lower(String(f.itemIdentifier));
    for (let i = 0; i < count; i++) {
      const s = statuses[i];
      if (s === undefined || s === 'failed' || s === 'skipped') lower(records[i].kinesis.sequenceNumber);
    }
    const redelivered = (seq: string): boolean =>
      checkpoint !== undefined && compareSequenceNumbers(seq, checkpoint) >= 0;

    // Rejections before the checkpoint are final; those after it are judged again on the retry.
    const rejections = rejectionOf
      .filter((r): r is Rejection => r !== undefined && !redelivered(r.sequenceNumber))
      .sort((a, b) => compareSequenceNumbers(a.sequenceNumber, b.sequenceNumber));
    let rejected: readonly Rejection[] = rejections;
    let deadLetterError: string | undefined;
    if (rejections.length > 0) {
      for (const r of rejections) {
        logger.warn('record rejected', {
          code: r.code,
          reason: r.message,
          shard_id: r.shardId,
          sequence_number: r.sequenceNumber,
          event_id: r.eventId,
          event_type: r.eventType,
        });
      }
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
        lower(rejections[0].sequenceNumber);
        rejected = [];
      }
    }

    let applied = 0;
    let duplicates = 0;
    const failures: string[] = [];
    for (let i = 0; i < count; i++) {
      const seq = records[i].kinesis.sequenceNumber;
      if (redelivered(seq)) failures.push(seq);
      else if (statuses[i] === 'applied') applied += 1;
      else if (statuses[i] === 'duplicate') duplicates += 1;
    }

    const rejectedByCode: Partial<Record<RejectionCode, number>> = {};
    for (const r of rejected) rejectedByCode[r.code] = (rejectedByCode[r.code] ?? 0) + 1;
    const outcome: BatchOutcome = {
      stream,
      received: count,
      applied,
      duplicates,
      rejected: rejected.length,
      rejectedByCode,
      failed: failures.length,
      ...(deadLetterError !== undefined ? { deadLetterError } : {}),
      business: business.counts(businessMetrics),
    };
    if (metrics) publishBatchMetrics(metrics, outcome);
    if (onBatchOutcome) await onBatchOutcome(outcome);

    return {
      batchItemFailures: failures.sort(compareSequenceNumbers).map((itemIdentifier) => ({ itemIdentifier })),
    };
  };
}

/**
 * Publishes the counts of a batch as CloudWatch EMF metrics with the dimension `stream`: received,
 * applied, duplicates, rejected and failed, the batch's business metrics (`outcome.business`), plus
 * `rejected_by_code` with the dimensions `stream` and `code` for each rejection code seen. Powertools
 * adds the dimension `service` (the transformer's service name) to each: alarms and dashboards name
 * both dimensions.
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
  for (const [name, value] of Object.entries(outcome.business) as [BusinessMetricName, number][]) {
    metrics.addMetric(name, BUSINESS_METRIC_UNITS[name], value);
  }
  metrics.publishStoredMetrics();
}
