/**
 * The local twin of the ingestion path: Kinesis and DynamoDB emulators reached by the real SDK clients,
 * the real transformer factories driven by a local event source mapping ({@link KinesisPoller}) with the
 * settings of the deployed mapping, and a Firehose stand-in ({@link LakeWriter}) that fills a folder laid
 * out like the raw bucket.
 *
 * @example
 * const twin = await startLocalTwin();
 * await twin.putEvents('orders', [orderCreated]);
 * await twin.drain();
 * console.log(await twin.summary());
 * await twin.stop();
 *
 * Folder layout under the root (`.twin/<run>/` by default):
 *
 *   lake/raw/events/stream=<s>/event_date=<d>/…jsonl          every raw record (the lake writer)
 *   lake/raw/events-unparsed/stream=<s>/…                       records without a usable event date
 *   lake/raw/dead-letter/stream=<s>/reject_date=<d>/…jsonl      records a transformer rejected, with the reason
 *   dead-letter/failed-batches/stream=<s>/…json                 the mapping's on-failure destination
 */
import { mkdir, readFile, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { KinesisStreamRecord } from 'aws-lambda';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand as DocumentScanCommand } from '@aws-sdk/lib-dynamodb';
import { KinesisClient, PutRecordsCommand, PutRecordsRequestEntry } from '@aws-sdk/client-kinesis';
import type { EnvironmentConfig } from '../lib/config/environment-config';
import { ENVIRONMENTS } from '../lib/config/environments';
import { DEAD_LETTER_PREFIX } from '../lib/lake/lake-layout';
import { STREAM_IDS, StreamId } from '../lib/streams/stream-definitions';
import { TABLE_IDS, TableId } from '../lib/tables/table-definitions';
import {
  TRANSFORMER_TABLES,
  TransformerRuntimeSettings,
  readTransformerSettings,
  transformerEnvironment,
} from '../lambdas/shared/runtime-settings';
import {
  LocalFolderDeadLetterSink,
  createClickstreamTransformer,
  createInventoryTransformer,
  createOrdersTransformer,
} from '../lambdas';
import type { BatchOutcome, KinesisTransformer, Rejection, TransformerLogger } from '../lambdas';
import type { TransformerDeps } from '../lambdas/shared/transformer-deps';
import {
  Emulators,
  createStreams,
  createTables,
  documentClient,
  localDynamoClient,
  startEmulators,
} from './emulators';
import {
  EventSourceSettings,
  FolderOnFailureDestination,
  KinesisPoller,
  OnFailureInvocationRecord,
  PollerStats,
  eventSourceSettingsOf,
} from './poller';
import { LakeStreamStats, LakeWriter } from './lake-writer';

/** A transformer factory, as each transformer module exports one. */
export type TransformerFactory = (deps: TransformerDeps) => KinesisTransformer;

/** The real factory of each stream's transformer. */
export const TRANSFORMER_FACTORIES: Record<StreamId, TransformerFactory> = {
  orders: createOrdersTransformer,
  inventory: createInventoryTransformer,
  clickstream: createClickstreamTransformer,
};

/** A record to put as given, bytes and all (for malformed input), with an optional partition key. */
export class RawRecord {
  /**
   * @param data the record's bytes
   * @param partitionKey the partition key; defaults to the stream's rule when the bytes are a JSON event
   */
  constructor(
    readonly data: Uint8Array,
    readonly partitionKey?: string,
  ) {}
}

/** A raw record from text or bytes. */
export function rawRecord(data: string | Uint8Array, partitionKey?: string): RawRecord {
  return new RawRecord(typeof data === 'string' ? Buffer.from(data, 'utf8') : data, partitionKey);
}

/**
 * What {@link LocalTwin.putEvents} accepts: an event object (sent as JSON), or a {@link RawRecord},
 * `Uint8Array` or string sent as the exact bytes given.
 */
export type TwinInput = RawRecord | Uint8Array | string | object;

/** Options of {@link LocalTwin.putEvents}. */
export interface PutOptions {
  /**
   * One partition key for every record of the call (to keep records on one shard, in order).
   * @default - the stream's rule (see {@link partitionKeyOf})
   */
  readonly partitionKey?: string;
}

/** Where a put record landed. */
export interface PutResult {
  readonly shardId: string;
  readonly sequenceNumber: string;
  readonly partitionKey: string;
}

function field(value: unknown, path: readonly string[]): unknown {
  let v = value;
  for (const p of path) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<string, unknown>)[p];
  }
  return v;
}

/**
 * The partition key producers use for an event, per `STREAMS[stream].partitionKeyRule`: order_id
 * (product_id for product.metadata_updated) on orders; `sku#warehouse_id` on inventory;
 * interaction_details.session_id (product_id for reviews, log_id for logs) on clickstream. An event
 * without those fields falls back to its event_id, then to `unkeyed`.
 */
export function partitionKeyOf(stream: StreamId, event: unknown): string {
  const type = field(event, ['event_type']);
  let parts: unknown[];
  switch (stream) {
    case 'orders':
      parts = [field(event, [type === 'product.metadata_updated' ? 'product_id' : 'order_id'])];
      break;
    case 'inventory':
      parts = [field(event, ['sku']), field(event, ['warehouse_id'])];
      break;
    case 'clickstream':
      parts = [
        typeof type === 'string' && type.startsWith('review.')
          ? field(event, ['product_id'])
          : type === 'app.log'
            ? field(event, ['log_id'])
            : field(event, ['interaction_details', 'session_id']),
      ];
      break;
  }
  const usable = (v: unknown) => (typeof v === 'string' && v !== '') || typeof v === 'number';
  if (parts.every(usable)) return parts.map(String).join('#').slice(0, 256);
  const id = field(event, ['event_id']);
  return usable(id) ? String(id).slice(0, 256) : 'unkeyed';
}

/** What the twin knows of one stream after a drain. */
export interface StreamSummary {
  /** Records put with {@link LocalTwin.putEvents}. */
  readonly put: number;
  /** Sums of the transformer's batch outcomes (a redelivered record is received again). */
  readonly received: number;
  readonly applied: number;
  readonly duplicates: number;
  readonly rejected: number;
  readonly rejectedByCode: Readonly<Record<string, number>>;
  /** Records the transformer reported as failed (retried by the mapping). */
  readonly failed: number;
  /** Records the mapping sent to its on-failure destination (retries exhausted or too old). */
  readonly failedBatchRecords: number;
  /** Lines in the stream's dead-letter folder. */
  readonly deadLetterRecords: number;
  /** `put = applied + duplicates + rejected + failedBatchRecords`: every record accounted for once. */
  readonly reconciled: boolean;
  readonly poller: PollerStats;
  readonly lake: LakeStreamStats;
}

/** The summary of a twin run. */
export interface TwinSummary {
  readonly streams: Record<StreamId, StreamSummary>;
  /** Items per table (Scan, Select COUNT). */
  readonly tables: Record<TableId, number>;
  readonly lake: { readonly objects: number; readonly records: number; readonly unparsedRecords: number };
  readonly deadLetterRecords: number;
  readonly failedBatchRecords: number;
}

/** Options of {@link startLocalTwin}. */
export interface LocalTwinOptions {
  /**
   * Folder of the twin's lake and dead letters.
   * @default - `.twin/<timestamp>-<pid>` under the working directory (gitignored)
   */
  readonly root?: string;
  /**
   * Prefix of the physical stream and table names.
   * @default - `config.prefix`
   */
  readonly prefix?: string;
  /**
   * The environment whose transformer and retention settings the twin uses.
   * @default ENVIRONMENTS.dev
   */
  readonly config?: EnvironmentConfig;
  /**
   * Shards per stream: one number for all, or per stream.
   * @default 2
   */
  readonly shardCount?: number | Partial<Record<StreamId, number>>;
  /**
   * Overrides of the event source settings (otherwise those of `config.transformer`).
   * @default - the deployed mapping's settings
   */
  readonly eventSource?: Partial<EventSourceSettings>;
  /**
   * Running emulators to share (they are then not stopped by {@link LocalTwin.stop}); several twins with
   * different prefixes can share one pair.
   * @default - the twin starts its own
   */
  readonly emulators?: Emulators;
  /**
   * Wraps the document client the transformers use (a seam for fault injection); the twin's own
   * `documents` stays unwrapped.
   * @default - no wrapping
   */
  readonly wrapDocuments?: (documents: DynamoDBDocumentClient) => DynamoDBDocumentClient;
  /**
   * The transformers' clock (`updated_at`, `applied_at`, ledger expiry, rejections).
   * @default - the system clock
   */
  readonly clock?: () => Date;
  /**
   * A test seam applied to each Kinesis record as the mapping builds an event, for inputs Kinesis can
   * never produce (data that is not base64).
   * @default - records are delivered as read
   */
  readonly interceptRecord?: (stream: StreamId, record: KinesisStreamRecord) => KinesisStreamRecord;
  /**
   * Factories to use instead of the real ones, per stream.
   * @default TRANSFORMER_FACTORIES
   */
  readonly transformers?: Partial<Record<StreamId, TransformerFactory>>;
  /**
   * Receives the diagnostic lines of the pollers and the transformers' warnings and errors.
   * @default - silent
   */
  readonly log?: (line: string) => void;
}

/** A running twin. */
export interface LocalTwin {
  readonly root: string;
  /** The folder standing for the raw bucket. */
  readonly lakeRoot: string;
  readonly prefix: string;
  readonly config: EnvironmentConfig;
  readonly kinesis: KinesisClient;
  readonly dynamo: DynamoDBClient;
  /** A document client on the emulator (not wrapped by `wrapDocuments`). */
  readonly documents: DynamoDBDocumentClient;
  /** Physical names. */
  readonly streams: Record<StreamId, string>;
  readonly tables: Record<TableId, string>;
  /** The settings each transformer received (as a Lambda reads them from its environment). */
  readonly settings: Record<StreamId, TransformerRuntimeSettings>;
  readonly eventSource: EventSourceSettings;
  readonly pollers: Record<StreamId, KinesisPoller>;
  readonly lakeWriter: LakeWriter;
  /**
   * Puts records on a stream with PutRecords, in chunks of at most 500 records and 5 MiB, retrying the
   * records Kinesis refuses; returns where each landed, in input order.
   */
  putEvents(stream: StreamId, inputs: readonly TwinInput[], options?: PutOptions): Promise<PutResult[]>;
  /** Runs the mappings and the lake writer until every shard has caught up with what was put. */
  drain(): Promise<void>;
  /** Counts per stream, table, lake and dead letters (call after {@link LocalTwin.drain}). */
  summary(): Promise<TwinSummary>;
  /** Every item of a table. */
  scanTable(table: TableId): Promise<Record<string, unknown>[]>;
  /** Every dead-lettered record of a stream (or of all streams). */
  deadLetters(stream?: StreamId): Promise<Rejection[]>;
  /** Every on-failure record of a stream's mapping (or of all streams). */
  failedBatches(stream?: StreamId): Promise<OnFailureInvocationRecord[]>;
  /** Stops polling and the emulators the twin started; optionally deletes the root folder. */
  stop(options?: { readonly removeRoot?: boolean }): Promise<void>;
}

const PUT_MAX_RECORDS = 500;
const PUT_MAX_BYTES = 5 * 1024 * 1024;
const PUT_MAX_ATTEMPTS = 10;

function toEntry(stream: StreamId, input: TwinInput, forcedKey: string | undefined): PutRecordsRequestEntry {
  let data: Uint8Array;
  let key: string | undefined;
  let parsed: unknown;
  if (input instanceof RawRecord) {
    data = input.data;
    key = input.partitionKey;
  } else if (input instanceof Uint8Array) {
    data = input;
  } else if (typeof input === 'string') {
    data = Buffer.from(input, 'utf8');
  } else {
    data = Buffer.from(JSON.stringify(input), 'utf8');
    parsed = input;
  }
  if (parsed === undefined && !key && !forcedKey) {
    try {
      parsed = JSON.parse(Buffer.from(data).toString('utf8'));
    } catch {
      parsed = undefined;
    }
  }
  return { Data: data, PartitionKey: forcedKey ?? key ?? partitionKeyOf(stream, parsed) };
}

function chunks(entries: PutRecordsRequestEntry[]): PutRecordsRequestEntry[][] {
  const out: PutRecordsRequestEntry[][] = [];
  let current: PutRecordsRequestEntry[] = [];
  let bytes = 0;
  for (const e of entries) {
    const size = (e.Data?.length ?? 0) + Buffer.byteLength(e.PartitionKey ?? '');
    if (current.length === PUT_MAX_RECORDS || (current.length > 0 && bytes + size > PUT_MAX_BYTES)) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(e);
    bytes += size;
  }
  if (current.length > 0) out.push(current);
  return out;
}

async function walkFiles(dir: string): Promise<string[]> {
  try {
    const entries = await readdir(dir, { withFileTypes: true, recursive: true });
    return entries
      .filter((e) => e.isFile() && !e.name.endsWith('.tmp'))
      .map((e) => join(e.parentPath, e.name));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

function quietLogger(stream: StreamId, log: ((line: string) => void) | undefined): TransformerLogger {
  const write = (level: string) => (message: string, attributes: Record<string, unknown>) =>
    log?.(`[${stream}-transformer] ${level} ${message} ${JSON.stringify(attributes)}`);
  return { warn: write('WARN'), error: write('ERROR') };
}

/** The runtime settings of a stream's transformer in the twin, passed through the Lambda environment. */
export function twinTransformerSettings(
  config: EnvironmentConfig,
  stream: StreamId,
  tables: Record<TableId, string>,
  deadLetterBucket: string,
): TransformerRuntimeSettings {
  const own: Partial<Record<TableId, string>> = {};
  for (const id of TRANSFORMER_TABLES[stream]) own[id] = tables[id];
  const settings: TransformerRuntimeSettings = {
    streamId: stream,
    tables: own,
    deadLetterBucket,
    maxRecordBytes: config.transformer.maxRecordBytes,
    ttlDays: {
      interactions: config.retention.interactionsTtlDays,
      sessions: config.retention.sessionsTtlDays,
      applicationLogs: config.retention.applicationLogsTtlDays,
      stockLedger: config.retention.stockLedgerTtlDays,
    },
  };
  // Round-trip through the environment, so the twin's transformer sees exactly what a Lambda reads.
  return readTransformerSettings(transformerEnvironment(settings), TRANSFORMER_TABLES[stream]);
}

function defaultRoot(): string {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  return join(process.cwd(), '.twin', `${stamp}-${process.pid}`);
}

/** Starts the local twin: emulators, streams and tables, transformers, mappings and the lake writer. */
export async function startLocalTwin(options: LocalTwinOptions = {}): Promise<LocalTwin> {
  const config = options.config ?? ENVIRONMENTS.dev;
  const prefix = options.prefix ?? config.prefix;
  const root = options.root ?? defaultRoot();
  const lakeRoot = join(root, 'lake', 'raw');
  const failedBatchesRoot = join(root, 'dead-letter', 'failed-batches');
  await mkdir(lakeRoot, { recursive: true });

  const ownEmulators = !options.emulators;
  const emulators = options.emulators ?? (await startEmulators());
  const shardCount = (id: StreamId): number => {
    const s = options.shardCount ?? 2;
    return typeof s === 'number' ? s : (s[id] ?? 2);
  };
  const [streams, tables] = await Promise.all([
    createStreams(emulators.kinesis, prefix, shardCount),
    createTables(emulators.dynamo, prefix),
  ]);

  // The transformers get their own client, so that wrapping it never affects the twin's reads.
  const transformerDynamo = localDynamoClient(emulators.dynamoEndpoint);
  const baseDocuments = documentClient(transformerDynamo);
  const transformerDocuments = options.wrapDocuments ? options.wrapDocuments(baseDocuments) : baseDocuments;
  const eventSource: EventSourceSettings = {
    ...eventSourceSettingsOf(config.transformer),
    ...options.eventSource,
  };
  const deadLetter = new LocalFolderDeadLetterSink({ root: lakeRoot });

  const zero = () => ({
    received: 0,
    applied: 0,
    duplicates: 0,
    rejected: 0,
    failed: 0,
    rejectedByCode: {} as Record<string, number>,
  });
  const outcomes = {} as Record<StreamId, ReturnType<typeof zero>>;
  const putCounts = {} as Record<StreamId, number>;
  const settings = {} as Record<StreamId, TransformerRuntimeSettings>;
  const pollers = {} as Record<StreamId, KinesisPoller>;
  for (const id of STREAM_IDS) {
    outcomes[id] = zero();
    putCounts[id] = 0;
    settings[id] = twinTransformerSettings(config, id, tables, lakeRoot);
    const factory = options.transformers?.[id] ?? TRANSFORMER_FACTORIES[id];
    const onBatchOutcome = (o: BatchOutcome) => {
      const acc = outcomes[id];
      acc.received += o.received;
      acc.applied += o.applied;
      acc.duplicates += o.duplicates;
      acc.rejected += o.rejected;
      acc.failed += o.failed;
      for (const [code, n] of Object.entries(o.rejectedByCode))
        acc.rejectedByCode[code] = (acc.rejectedByCode[code] ?? 0) + (n ?? 0);
    };
    const transformer = factory({
      settings: settings[id],
      documents: transformerDocuments,
      deadLetter,
      onBatchOutcome,
      logger: quietLogger(id, options.log),
      ...(options.clock ? { clock: options.clock } : {}),
    });
    const intercept = options.interceptRecord;
    pollers[id] = new KinesisPoller({
      kinesis: emulators.kinesis,
      streamName: streams[id],
      handler: (event, context) => transformer(event, context),
      settings: eventSource,
      onFailure: new FolderOnFailureDestination(failedBatchesRoot, id),
      functionName: `${prefix}-${id}-transformer`,
      region: config.region,
      ...(intercept ? { interceptRecord: (r: KinesisStreamRecord) => intercept(id, r) } : {}),
      ...(options.log ? { log: options.log } : {}),
    });
  }
  const lakeWriter = new LakeWriter({
    kinesis: emulators.kinesis,
    lakeRoot,
    streams: STREAM_IDS.map((id) => ({ streamId: id, streamName: streams[id] })),
  });

  const readJsonLines = async <T>(dir: string): Promise<T[]> => {
    const out: T[] = [];
    for (const file of (await walkFiles(dir)).sort()) {
      for (const line of (await readFile(file, 'utf8')).split('\n'))
        if (line.trim() !== '') out.push(JSON.parse(line) as T);
    }
    return out;
  };
  const deadLetters = async (stream?: StreamId): Promise<Rejection[]> => {
    const ids = stream ? [stream] : STREAM_IDS;
    const all = await Promise.all(
      ids.map((id) => readJsonLines<Rejection>(join(lakeRoot, DEAD_LETTER_PREFIX, `stream=${id}`))),
    );
    return all.flat();
  };
  const failedBatches = async (stream?: StreamId): Promise<OnFailureInvocationRecord[]> => {
    const ids = stream ? [stream] : STREAM_IDS;
    const out: OnFailureInvocationRecord[] = [];
    for (const id of ids) {
      for (const file of (await walkFiles(join(failedBatchesRoot, `stream=${id}`))).sort()) {
        out.push(JSON.parse(await readFile(file, 'utf8')) as OnFailureInvocationRecord);
      }
    }
    return out;
  };
  const countItems = async (table: TableId): Promise<number> => {
    let count = 0;
    let start: Record<string, unknown> | undefined;
    do {
      const page = await emulators.dynamo.send(
        new ScanCommand({ TableName: tables[table], Select: 'COUNT', ExclusiveStartKey: start as never }),
      );
      count += page.Count ?? 0;
      start = page.LastEvaluatedKey;
    } while (start);
    return count;
  };

  let stopped = false;
  const twin: LocalTwin = {
    root,
    lakeRoot,
    prefix,
    config,
    kinesis: emulators.kinesis,
    dynamo: emulators.dynamo,
    documents: emulators.documents,
    streams,
    tables,
    settings,
    eventSource,
    pollers,
    lakeWriter,

    async putEvents(stream, inputs, putOptions = {}) {
      const entries = inputs.map((input) => toEntry(stream, input, putOptions.partitionKey));
      const results: PutResult[] = new Array(entries.length);
      let offset = 0;
      for (const chunk of chunks(entries)) {
        let pending = chunk.map((entry, i) => ({ entry, index: offset + i }));
        for (let attempt = 1; pending.length > 0; attempt++) {
          const out = await emulators.kinesis.send(
            new PutRecordsCommand({ StreamName: streams[stream], Records: pending.map((p) => p.entry) }),
          );
          const failed: typeof pending = [];
          (out.Records ?? []).forEach((r, i) => {
            const p = pending[i];
            if (r.ErrorCode || !r.SequenceNumber) failed.push(p);
            else
              results[p.index] = {
                shardId: r.ShardId!,
                sequenceNumber: r.SequenceNumber,
                partitionKey: p.entry.PartitionKey!,
              };
          });
          if (failed.length > 0 && attempt >= PUT_MAX_ATTEMPTS) {
            throw new Error(
              `PutRecords on ${streams[stream]} still refused ${failed.length} record(s) after ${attempt} attempts: ${out.Records?.find((r) => r.ErrorCode)?.ErrorMessage ?? 'unknown error'}`,
            );
          }
          pending = failed;
          if (pending.length > 0) await new Promise((r) => setTimeout(r, 10 * attempt));
        }
        offset += chunk.length;
      }
      putCounts[stream] += entries.length;
      return results;
    },

    async drain() {
      await Promise.all([...STREAM_IDS.map((id) => pollers[id].drain()), lakeWriter.drain()]);
    },

    async summary() {
      const lakeStats = lakeWriter.stats();
      const streamSummaries = {} as Record<StreamId, StreamSummary>;
      let deadLetterTotal = 0;
      let failedTotal = 0;
      for (const id of STREAM_IDS) {
        const o = outcomes[id];
        const poller = pollers[id].stats();
        const deadLetterRecords = (await deadLetters(id)).length;
        deadLetterTotal += deadLetterRecords;
        failedTotal += poller.recordsToOnFailure;
        streamSummaries[id] = {
          put: putCounts[id],
          received: o.received,
          applied: o.applied,
          duplicates: o.duplicates,
          rejected: o.rejected,
          rejectedByCode: { ...o.rejectedByCode },
          failed: o.failed,
          failedBatchRecords: poller.recordsToOnFailure,
          deadLetterRecords,
          reconciled: putCounts[id] === o.applied + o.duplicates + o.rejected + poller.recordsToOnFailure,
          poller,
          lake: lakeStats[id],
        };
      }
      const tableCounts = {} as Record<TableId, number>;
      for (const id of TABLE_IDS) tableCounts[id] = await countItems(id);
      const lakeValues = Object.values(lakeStats);
      return {
        streams: streamSummaries,
        tables: tableCounts,
        lake: {
          objects: lakeValues.reduce((n, s) => n + s.objects + s.unparsedObjects, 0),
          records: lakeValues.reduce((n, s) => n + s.records, 0),
          unparsedRecords: lakeValues.reduce((n, s) => n + s.unparsedRecords, 0),
        },
        deadLetterRecords: deadLetterTotal,
        failedBatchRecords: failedTotal,
      };
    },

    async scanTable(table) {
      const items: Record<string, unknown>[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const page = await emulators.documents.send(
          new DocumentScanCommand({
            TableName: tables[table],
            ConsistentRead: true,
            ExclusiveStartKey: start,
          }),
        );
        items.push(...((page.Items ?? []) as Record<string, unknown>[]));
        start = page.LastEvaluatedKey;
      } while (start);
      return items;
    },

    deadLetters,
    failedBatches,

    async stop(stopOptions = {}) {
      if (stopped) return;
      stopped = true;
      await Promise.all(STREAM_IDS.map((id) => pollers[id].stop()));
      transformerDynamo.destroy();
      if (ownEmulators) await emulators.stop();
      if (stopOptions.removeRoot) await rm(root, { recursive: true, force: true });
    },
  };
  return twin;
}
