/**
 * A local stand-in for the Lambda event source mapping (ESM) of a Kinesis stream: it reads every shard
 * with the real Kinesis API (GetShardIterator TRIM_HORIZON, then GetRecords), builds real-shaped
 * `KinesisStreamEvent`s and drives a real handler with the settings the deployed mapping uses.
 *
 * Semantics honoured, as AWS documents them for Kinesis ESMs:
 * - batches hold at most `batchSize` records of one shard, in sequence order;
 * - partial batch response (`ReportBatchItemFailures`): the checkpoint moves to just before the lowest
 *   failed sequence number and the rest of the batch, from that record on, is retried; an empty or
 *   absent `batchItemFailures` is success; an `itemIdentifier` that is empty or not in the batch makes
 *   the whole batch a failure;
 * - a function error (thrown, timed out, or an invalid response) with `bisectBatchOnError` splits the
 *   batch in two and retries each half separately, recursively; splitting does not consume the retry
 *   quota;
 * - retries are capped at `retryAttempts` per batch (-1: unlimited), then the batch's metadata goes to
 *   the on-failure destination (condition `RetryAttemptsExhausted`) and the shard moves on;
 * - records older than `maxRecordAgeSeconds` (by approximateArrivalTimestamp) are not delivered but
 *   sent to the on-failure destination (condition `RecordAgeExceeded`).
 *
 * Simplifications, documented: `parallelizationFactor` is treated as 1 (one batch in flight per shard;
 * shards of a stream are polled concurrently); a retried partial batch holds only the remaining
 * records of the original batch (AWS may add newer records up to the batch size); retries happen at
 * once, without backoff; there is no batching window (a batch is whatever one GetRecords returns, up
 * to `batchSize`).
 */
import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type {
  Context,
  KinesisStreamBatchResponse,
  KinesisStreamEvent,
  KinesisStreamRecord,
} from 'aws-lambda';
import {
  DescribeStreamSummaryCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  ListShardsCommand,
  Shard,
  _Record,
} from '@aws-sdk/client-kinesis';
import type { TransformerSettings } from '../lib/config/environment-config';

/** A Lambda handler for Kinesis events, as the transformers export it. */
export type KinesisHandler = (
  event: KinesisStreamEvent,
  context: Context,
) => Promise<KinesisStreamBatchResponse | void | undefined>;

/** The event source mapping settings the poller honours (the subset of the ESM that applies locally). */
export interface EventSourceSettings {
  /** Records per invocation (1 to 10000). */
  readonly batchSize: number;
  /** Retries of a failing batch before it goes to the on-failure destination; -1 retries forever. */
  readonly retryAttempts: number;
  /** Records older than this are not delivered but sent to the on-failure destination; -1 never expires. */
  readonly maxRecordAgeSeconds: number;
  /**
   * Split a batch in two when the function errors.
   * @default true - as the deployed mapping does
   */
  readonly bisectBatchOnError?: boolean;
  /**
   * Honour partial batch responses (`FunctionResponseTypes: ['ReportBatchItemFailures']`).
   * @default true - as the deployed mapping does
   */
  readonly reportBatchItemFailures?: boolean;
  /**
   * Concurrent batches per shard on AWS. Accepted for fidelity of the settings object and treated as 1.
   * @default 1
   */
  readonly parallelizationFactor?: number;
  /** Function timeout: an invocation running longer is a function error (`Task timed out`). */
  readonly timeoutSeconds: number;
  /**
   * Memory of the function, reported in the context.
   * @default 128
   */
  readonly memoryMiB?: number;
}

/** The event source settings of a deployed transformer, from its environment configuration. */
export function eventSourceSettingsOf(t: TransformerSettings): EventSourceSettings {
  return {
    batchSize: t.batchSize,
    retryAttempts: t.retryAttempts,
    maxRecordAgeSeconds: t.maxRecordAgeSeconds,
    parallelizationFactor: t.parallelizationFactor,
    timeoutSeconds: t.timeoutSeconds,
    memoryMiB: t.memoryMiB,
    bisectBatchOnError: true,
    reportBatchItemFailures: true,
  };
}

/** Why a batch was sent to the on-failure destination, with the values Lambda uses. */
export type OnFailureCondition = 'RetryAttemptsExhausted' | 'RecordAgeExceeded';

/**
 * What Lambda sends to an on-failure destination for a discarded Kinesis batch (the invocation record).
 * Like an S3 destination, the twin also keeps the payload that would have been (or was last) delivered,
 * so that a person can inspect or redrive it.
 */
export interface OnFailureInvocationRecord {
  readonly requestContext: {
    readonly requestId: string;
    readonly functionArn: string;
    readonly condition: OnFailureCondition;
    readonly approximateInvokeCount: number;
  };
  readonly responseContext: {
    readonly statusCode: number;
    readonly executedVersion: string;
    readonly functionError?: string;
  };
  readonly version: '1.0';
  readonly timestamp: string;
  readonly KinesisBatchInfo: {
    readonly shardId: string;
    readonly startSequenceNumber: string;
    readonly endSequenceNumber: string;
    readonly approximateArrivalOfFirstRecord: string;
    readonly approximateArrivalOfLastRecord: string;
    readonly batchSize: number;
    readonly streamArn: string;
  };
  /** The last error the function returned for this batch, if any (twin extension, for people). */
  readonly lastError?: string;
  /** The event of the discarded records (as an S3 on-failure destination keeps it). */
  readonly payload: KinesisStreamEvent;
}

/** Where discarded batches go. */
export interface OnFailureDestination {
  send(record: OnFailureInvocationRecord): Promise<void>;
}

/** Keeps on-failure records in memory (for tests). */
export class MemoryOnFailureDestination implements OnFailureDestination {
  /** Every record sent, in order. */
  readonly records: OnFailureInvocationRecord[] = [];

  async send(record: OnFailureInvocationRecord): Promise<void> {
    this.records.push(record);
  }
}

/**
 * Writes each on-failure record as one JSON file under
 * `<root>/stream=<streamId>/<shardId>-<startSequenceNumber>-<condition>.json`, the local stand-in for
 * the on-failure destination of the deployed mapping.
 */
export class FolderOnFailureDestination implements OnFailureDestination {
  /**
   * @param root folder of failed batches (the twin uses `<twinRoot>/dead-letter/failed-batches`)
   * @param streamId stream whose batches this destination receives
   */
  constructor(
    private readonly root: string,
    private readonly streamId: string,
  ) {}

  /** The folder this destination writes to. */
  get folder(): string {
    return join(this.root, `stream=${this.streamId}`);
  }

  async send(record: OnFailureInvocationRecord): Promise<void> {
    await mkdir(this.folder, { recursive: true });
    const info = record.KinesisBatchInfo;
    const file = `${info.shardId}-${info.startSequenceNumber}-${record.requestContext.condition}.json`;
    await writeFile(join(this.folder, file), `${JSON.stringify(record, null, 2)}\n`);
  }
}

/** Counters of one poller; `recordsRead = recordsSucceeded + recordsToOnFailure` once drained. */
export interface PollerStats {
  /** Batches read from the shards (before any retry or split). */
  batches: number;
  /** Calls of the handler. */
  invocations: number;
  /** Invocations that repeated records already delivered (after a failure), not counting splits. */
  retries: number;
  /** Times a batch was split in two after a function error. */
  bisections: number;
  /** Function errors: thrown, timed out, or an invalid batch response. */
  functionErrors: number;
  /** Invocations answered with a valid partial batch failure. */
  partialFailures: number;
  /** Records read from the shards. */
  recordsRead: number;
  /** Records handed to the handler, counting each redelivery. */
  recordDeliveries: number;
  /** Records the handler accepted (the checkpoint moved past them). */
  recordsSucceeded: number;
  /** Records sent to the on-failure destination (retries exhausted or too old). */
  recordsToOnFailure: number;
  /** On-failure invocation records written. */
  onFailureBatches: number;
}

/** Options of a poller. */
export interface KinesisPollerOptions {
  readonly kinesis: KinesisClient;
  /** Physical stream name. */
  readonly streamName: string;
  readonly handler: KinesisHandler;
  readonly settings: EventSourceSettings;
  readonly onFailure: OnFailureDestination;
  /**
   * Function name reported in the context and the on-failure record.
   * @default - `<streamName>-transformer`
   */
  readonly functionName?: string;
  /**
   * Region reported in events and ARNs.
   * @default 'us-east-1'
   */
  readonly region?: string;
  /**
   * Account reported in the function ARN.
   * @default '000000000000'
   */
  readonly accountId?: string;
  /**
   * The clock, in epoch milliseconds, used for record age and the context's remaining time.
   * @default Date.now
   */
  readonly now?: () => number;
  /**
   * A test seam: rewrites each record of an event as it is built, for inputs that Kinesis itself can
   * never produce (for example `kinesis.data` that is not base64).
   * @default - records are passed as read
   */
  readonly interceptRecord?: (record: KinesisStreamRecord) => KinesisStreamRecord;
  /**
   * Called with each diagnostic line (function errors, discarded batches).
   * @default - silent
   */
  readonly log?: (line: string) => void;
}

type Outcome =
  | { kind: 'success' }
  | { kind: 'partial'; index: number }
  | { kind: 'error'; message: string; functionError: 'Unhandled' | 'TimedOut' | 'InvalidResponse' };

interface Unit {
  readonly records: KinesisStreamRecord[];
  /** Failed invocations of these records so far (splits do not count). */
  readonly attempts: number;
  readonly lastError?: string;
}

interface ShardState {
  iterator?: string;
  /** Sequence number of the last record read (the checkpoint once its batch is done). */
  lastSequenceNumber?: string;
}

const GET_RECORDS_MAX = 10_000;

function compareSequence(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

function emptyStats(): PollerStats {
  return {
    batches: 0,
    invocations: 0,
    retries: 0,
    bisections: 0,
    functionErrors: 0,
    partialFailures: 0,
    recordsRead: 0,
    recordDeliveries: 0,
    recordsSucceeded: 0,
    recordsToOnFailure: 0,
    onFailureBatches: 0,
  };
}

/**
 * Polls one Kinesis stream and invokes a handler like the Lambda event source mapping does. Call
 * {@link KinesisPoller.runUntilIdle} (or its alias `drain`) after putting records; it returns when every
 * shard has caught up with what was put and every batch is either accepted or discarded.
 */
export class KinesisPoller {
  private readonly shards = new Map<string, ShardState>();
  private readonly counters = emptyStats();
  private readonly now: () => number;
  private readonly region: string;
  private readonly accountId: string;
  private readonly functionName: string;
  private streamArn?: string;
  private running?: Promise<void>;
  private stopRequested = false;
  /** The last pass requested; the next one starts after it. */
  private tail: Promise<void> = Promise.resolve();

  constructor(private readonly options: KinesisPollerOptions) {
    const s = options.settings;
    if (!Number.isInteger(s.batchSize) || s.batchSize < 1 || s.batchSize > GET_RECORDS_MAX) {
      throw new Error(
        `batchSize is ${s.batchSize}; a Kinesis event source takes 1 to ${GET_RECORDS_MAX} records`,
      );
    }
    if (!Number.isInteger(s.retryAttempts) || s.retryAttempts < -1) {
      throw new Error(`retryAttempts is ${s.retryAttempts}; expected -1 (forever) or a non-negative integer`);
    }
    if (!(s.maxRecordAgeSeconds === -1 || s.maxRecordAgeSeconds > 0)) {
      throw new Error(
        `maxRecordAgeSeconds is ${s.maxRecordAgeSeconds}; expected -1 (never) or a positive number`,
      );
    }
    if (!(s.timeoutSeconds > 0))
      throw new Error(`timeoutSeconds is ${s.timeoutSeconds}; expected a positive number`);
    this.now = options.now ?? Date.now;
    this.region = options.region ?? 'us-east-1';
    this.accountId = options.accountId ?? '000000000000';
    this.functionName = options.functionName ?? `${options.streamName}-transformer`;
  }

  /** The ARN of the function, as reported in contexts and on-failure records. */
  get functionArn(): string {
    return `arn:aws:lambda:${this.region}:${this.accountId}:function:${this.functionName}`;
  }

  /** A copy of the counters. */
  stats(): PollerStats {
    return { ...this.counters };
  }

  /**
   * Reads every shard until it has caught up with what was put before the call, invoking the handler
   * for each batch and retrying, splitting or discarding failed batches. Passes never overlap: a call
   * made while a pass runs gets a new pass that starts when the running one ends.
   */
  runUntilIdle(): Promise<void> {
    const pass = this.tail.catch(() => undefined).then(() => this.drainAll());
    this.tail = pass;
    return pass;
  }

  /** Alias of {@link KinesisPoller.runUntilIdle}. */
  drain(): Promise<void> {
    return this.runUntilIdle();
  }

  /**
   * Polls continuously in the background (like the deployed mapping) until {@link KinesisPoller.stop}.
   * @param idleMillis pause between passes once caught up
   */
  start(idleMillis = 200): void {
    if (this.running) return;
    this.stopRequested = false;
    this.running = (async () => {
      while (!this.stopRequested) {
        await this.runUntilIdle();
        await new Promise((r) => setTimeout(r, idleMillis));
      }
    })();
  }

  /** Stops background polling and waits for the pass in progress. */
  async stop(): Promise<void> {
    this.stopRequested = true;
    await this.running;
    this.running = undefined;
  }

  private log(line: string): void {
    this.options.log?.(`[poller ${this.options.streamName}] ${line}`);
  }

  private async drainAll(): Promise<void> {
    const { kinesis, streamName } = this.options;
    if (!this.streamArn) {
      const d = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: streamName }));
      this.streamArn = d.StreamDescriptionSummary?.StreamARN;
      if (!this.streamArn) throw new Error(`Stream ${streamName} has no ARN; is it ACTIVE?`);
    }
    const shards: Shard[] = [];
    let nextToken: string | undefined;
    do {
      const page = await kinesis.send(
        nextToken
          ? new ListShardsCommand({ NextToken: nextToken })
          : new ListShardsCommand({ StreamName: streamName }),
      );
      shards.push(...(page.Shards ?? []));
      nextToken = page.NextToken;
    } while (nextToken);
    await Promise.all(shards.map((s) => this.drainShard(s.ShardId!)));
  }

  private async iteratorFor(shardId: string, state: ShardState): Promise<string> {
    if (state.iterator) return state.iterator;
    const { kinesis, streamName } = this.options;
    const out = await kinesis.send(
      new GetShardIteratorCommand(
        state.lastSequenceNumber
          ? {
              StreamName: streamName,
              ShardId: shardId,
              ShardIteratorType: 'AFTER_SEQUENCE_NUMBER',
              StartingSequenceNumber: state.lastSequenceNumber,
            }
          : { StreamName: streamName, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' },
      ),
    );
    if (!out.ShardIterator) throw new Error(`No shard iterator for ${streamName}/${shardId}`);
    state.iterator = out.ShardIterator;
    return state.iterator;
  }

  private async drainShard(shardId: string): Promise<void> {
    let state = this.shards.get(shardId);
    if (!state) {
      state = {};
      this.shards.set(shardId, state);
    }
    for (;;) {
      const iterator = await this.iteratorFor(shardId, state);
      let records: _Record[];
      try {
        const out = await this.options.kinesis.send(
          new GetRecordsCommand({ ShardIterator: iterator, Limit: this.options.settings.batchSize }),
        );
        records = out.Records ?? [];
        state.iterator = out.NextShardIterator;
      } catch (err) {
        if ((err as { name?: string }).name === 'ExpiredIteratorException') {
          state.iterator = undefined; // re-acquire after the checkpoint
          continue;
        }
        throw err;
      }
      if (records.length === 0) return; // caught up (kinesalite never returns an empty page mid-shard)
      state.lastSequenceNumber = records[records.length - 1].SequenceNumber;
      this.counters.batches += 1;
      this.counters.recordsRead += records.length;
      await this.processBatch(
        shardId,
        records.map((r) => this.toEventRecord(shardId, r)),
      );
      if (!state.iterator) return; // closed shard
    }
  }

  private toEventRecord(shardId: string, r: _Record): KinesisStreamRecord {
    const record: KinesisStreamRecord = {
      kinesis: {
        kinesisSchemaVersion: '1.0',
        partitionKey: r.PartitionKey ?? '',
        sequenceNumber: r.SequenceNumber ?? '',
        data: Buffer.from(r.Data ?? new Uint8Array()).toString('base64'),
        approximateArrivalTimestamp: (r.ApproximateArrivalTimestamp ?? new Date(this.now())).getTime() / 1000,
      },
      eventSource: 'aws:kinesis',
      eventVersion: '1.0',
      eventID: `${shardId}:${r.SequenceNumber}`,
      eventName: 'aws:kinesis:record',
      invokeIdentityArn: `arn:aws:iam::${this.accountId}:role/${this.functionName}-role`,
      awsRegion: this.region,
      eventSourceARN: this.streamArn!,
    };
    return this.options.interceptRecord ? this.options.interceptRecord(record) : record;
  }

  /** Runs one batch read from a shard to completion: accepted, retried, split or discarded. */
  private async processBatch(shardId: string, records: KinesisStreamRecord[]): Promise<void> {
    const s = this.options.settings;
    const maxRetries = s.retryAttempts < 0 ? Number.POSITIVE_INFINITY : s.retryAttempts;
    const bisect = s.bisectBatchOnError ?? true;
    // Units still to run, in sequence order; the first is run next.
    const queue: Unit[] = [{ records, attempts: 0 }];
    while (queue.length > 0) {
      const unit = queue.shift()!;
      const fresh = await this.discardExpired(shardId, unit);
      if (fresh.length === 0) continue;
      if (unit.attempts > 0) this.counters.retries += 1;
      const outcome = await this.invoke(fresh);
      if (outcome.kind === 'success') {
        this.counters.recordsSucceeded += fresh.length;
        continue;
      }
      if (outcome.kind === 'partial') {
        this.counters.partialFailures += 1;
        this.counters.recordsSucceeded += outcome.index;
        const remaining = fresh.slice(outcome.index);
        const lastError = `the function reported ${remaining[0].kinesis.sequenceNumber} as failed`;
        if (unit.attempts + 1 > maxRetries) {
          await this.discard(shardId, remaining, 'RetryAttemptsExhausted', unit.attempts + 1, lastError);
        } else {
          queue.unshift({ records: remaining, attempts: unit.attempts + 1, lastError });
        }
        continue;
      }
      this.counters.functionErrors += 1;
      this.log(`function error on ${fresh.length} record(s) of ${shardId}: ${outcome.message}`);
      if (bisect && fresh.length > 1) {
        this.counters.bisections += 1;
        const half = Math.ceil(fresh.length / 2);
        queue.unshift(
          { records: fresh.slice(0, half), attempts: unit.attempts, lastError: outcome.message },
          { records: fresh.slice(half), attempts: unit.attempts, lastError: outcome.message },
        );
      } else if (unit.attempts + 1 > maxRetries) {
        await this.discard(shardId, fresh, 'RetryAttemptsExhausted', unit.attempts + 1, outcome.message);
      } else {
        queue.unshift({ records: fresh, attempts: unit.attempts + 1, lastError: outcome.message });
      }
    }
  }

  /** Sends the records of a unit that are too old to the on-failure destination; returns the rest. */
  private async discardExpired(shardId: string, unit: Unit): Promise<KinesisStreamRecord[]> {
    const maxAge = this.options.settings.maxRecordAgeSeconds;
    if (maxAge < 0) return unit.records;
    const now = this.now();
    const isExpired = (r: KinesisStreamRecord) =>
      now - r.kinesis.approximateArrivalTimestamp * 1000 > maxAge * 1000;
    const expired = unit.records.filter(isExpired);
    if (expired.length === 0) return unit.records;
    await this.discard(shardId, expired, 'RecordAgeExceeded', unit.attempts, unit.lastError);
    return unit.records.filter((r) => !isExpired(r));
  }

  private async discard(
    shardId: string,
    records: KinesisStreamRecord[],
    condition: OnFailureCondition,
    invokeCount: number,
    lastError: string | undefined,
  ): Promise<void> {
    const first = records[0];
    const last = records[records.length - 1];
    const iso = (r: KinesisStreamRecord) =>
      new Date(r.kinesis.approximateArrivalTimestamp * 1000).toISOString();
    const record: OnFailureInvocationRecord = {
      requestContext: {
        requestId: randomUUID(),
        functionArn: this.functionArn,
        condition,
        approximateInvokeCount: invokeCount,
      },
      responseContext: {
        statusCode: 200,
        executedVersion: '$LATEST',
        ...(invokeCount > 0 ? { functionError: 'Unhandled' } : {}),
      },
      version: '1.0',
      timestamp: new Date(this.now()).toISOString(),
      KinesisBatchInfo: {
        shardId,
        startSequenceNumber: first.kinesis.sequenceNumber,
        endSequenceNumber: last.kinesis.sequenceNumber,
        approximateArrivalOfFirstRecord: iso(first),
        approximateArrivalOfLastRecord: iso(last),
        batchSize: records.length,
        streamArn: this.streamArn!,
      },
      ...(lastError ? { lastError } : {}),
      payload: { Records: records },
    };
    this.log(
      `${condition}: ${records.length} record(s) of ${shardId} from ${first.kinesis.sequenceNumber} sent to the on-failure destination`,
    );
    await this.options.onFailure.send(record);
    this.counters.onFailureBatches += 1;
    this.counters.recordsToOnFailure += records.length;
  }

  private context(requestId: string, deadline: number): Context {
    const fail = () => {
      throw new Error('context.done/fail/succeed are not supported by the local poller; return a promise');
    };
    return {
      callbackWaitsForEmptyEventLoop: true,
      functionName: this.functionName,
      functionVersion: '$LATEST',
      invokedFunctionArn: this.functionArn,
      memoryLimitInMB: String(this.options.settings.memoryMiB ?? 128),
      awsRequestId: requestId,
      logGroupName: `/aws/lambda/${this.functionName}`,
      logStreamName: `local/[$LATEST]${requestId.replace(/-/g, '')}`,
      getRemainingTimeInMillis: () => Math.max(0, deadline - this.now()),
      done: fail,
      fail,
      succeed: fail,
    };
  }

  /** Invokes the handler once and classifies its answer. */
  private async invoke(records: KinesisStreamRecord[]): Promise<Outcome> {
    const s = this.options.settings;
    this.counters.invocations += 1;
    this.counters.recordDeliveries += records.length;
    const requestId = randomUUID();
    const timeoutMs = s.timeoutSeconds * 1000;
    const context = this.context(requestId, this.now() + timeoutMs);
    // A fresh copy per invocation, so a handler that mutates its event cannot affect a retry.
    const event: KinesisStreamEvent = { Records: records.map((r) => ({ ...r, kinesis: { ...r.kinesis } })) };
    let timer: NodeJS.Timeout | undefined;
    let response: KinesisStreamBatchResponse | void | undefined;
    try {
      response = await Promise.race([
        this.options.handler(event, context),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new TimeoutError(requestId, s.timeoutSeconds)), timeoutMs);
          timer.unref();
        }),
      ]);
    } catch (err) {
      if (err instanceof TimeoutError)
        return { kind: 'error', message: err.message, functionError: 'TimedOut' };
      const e = err as Error;
      return {
        kind: 'error',
        message: `${e?.name ?? 'Error'}: ${e?.message ?? String(err)}`,
        functionError: 'Unhandled',
      };
    } finally {
      if (timer) clearTimeout(timer);
    }
    if (!(s.reportBatchItemFailures ?? true)) return { kind: 'success' };
    const failures = response?.batchItemFailures;
    if (failures === undefined || failures === null || failures.length === 0) return { kind: 'success' };
    let lowest = -1;
    for (const f of failures) {
      const id = f?.itemIdentifier;
      const index =
        typeof id === 'string' && id !== '' ? records.findIndex((r) => r.kinesis.sequenceNumber === id) : -1;
      if (index < 0) {
        return {
          kind: 'error',
          message: `invalid batch response: itemIdentifier ${JSON.stringify(id)} is not a sequence number of the batch; the whole batch failed`,
          functionError: 'InvalidResponse',
        };
      }
      if (
        lowest < 0 ||
        compareSequence(records[index].kinesis.sequenceNumber, records[lowest].kinesis.sequenceNumber) < 0
      ) {
        lowest = index;
      }
    }
    return { kind: 'partial', index: lowest };
  }
}

class TimeoutError extends Error {
  constructor(requestId: string, seconds: number) {
    super(`${requestId} Task timed out after ${seconds.toFixed(2)} seconds`);
    this.name = 'TimeoutError';
  }
}
