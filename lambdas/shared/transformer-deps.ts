/**
 * What every transformer factory takes, and the checks they share. The deployed handlers build these
 * from the Lambda environment; the local twin and the tests build them with emulator clients and a
 * local dead-letter folder. Only clients and destinations differ; the code path is the same.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { TableId } from '../../lib/tables/table-definitions';
import type { StreamId } from '../../lib/streams/stream-definitions';
import type { DeadLetterSink } from './dead-letter';
import type { BatchOutcome, TransformerLogger } from './kinesis-transformer';
import type { TransformerRuntimeSettings } from './runtime-settings';

/** What the appliers (the DynamoDB writes of one event) need. */
export interface ApplyDeps {
  /** Stream, table names and TTLs. */
  readonly settings: TransformerRuntimeSettings;
  /** Document client created with removeUndefinedValues (lambdas/shared/clients.ts). */
  readonly documents: DynamoDBDocumentClient;
  /**
   * The clock of `updated_at`, `applied_at` and ledger expiry.
   * @default - the system clock
   */
  readonly clock?: () => Date;
}

/** What a transformer factory (createOrdersTransformer, ...) takes. */
export interface TransformerDeps extends ApplyDeps {
  /** Receives the rejected records of each batch. */
  readonly deadLetter: DeadLetterSink;
  /**
   * Called with the counts of each batch.
   * @default - not called
   */
  readonly onBatchOutcome?: (outcome: BatchOutcome) => void | Promise<void>;
  /**
   * Logger for rejections and failures.
   * @default - a Powertools Logger
   */
  readonly logger?: TransformerLogger;
  /**
   * Powertools Metrics for the batch counts.
   * @default - no metrics
   */
  readonly metrics?: Metrics;
  /**
   * The most records of one batch in flight at once; records of one partition key never overlap
   * (see KinesisTransformerOptions.maxInFlightRecords).
   * @default DEFAULT_MAX_IN_FLIGHT_RECORDS (32)
   */
  readonly maxInFlightRecords?: number;
}

/** The physical name of a table the transformer writes; throws naming the table when it is missing. */
export function requireTable(settings: TransformerRuntimeSettings, id: TableId): string {
  const name = settings.tables[id];
  if (!name) {
    throw new Error(`Transformer settings for stream ${settings.streamId} have no name for table '${id}'`);
  }
  return name;
}

/** Fails fast when a transformer is wired to a stream it does not consume. */
export function assertStream(
  settings: TransformerRuntimeSettings,
  expected: StreamId,
  transformer: string,
): void {
  if (settings.streamId !== expected) {
    throw new Error(
      `${transformer} consumes the ${expected} stream, but its settings say streamId '${settings.streamId}'`,
    );
  }
}

/** The clock of a dependency set. */
export function clockOf(deps: ApplyDeps): () => Date {
  return deps.clock ?? (() => new Date());
}

/** A document without the event envelope (event_id, event_type, event_time, schema_version). */
export function withoutEnvelope<
  T extends { event_id: string; event_type: string; event_time: string; schema_version: number },
>(event: T): Omit<T, 'event_id' | 'event_type' | 'event_time' | 'schema_version'> {
  const doc: Record<string, unknown> = { ...event };
  delete doc.event_id;
  delete doc.event_type;
  delete doc.event_time;
  delete doc.schema_version;
  return doc as Omit<T, 'event_id' | 'event_type' | 'event_time' | 'schema_version'>;
}
