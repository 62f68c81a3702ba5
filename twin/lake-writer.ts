/**
 * The local stand-in for the Firehose delivery streams: a separate consumer of each Kinesis stream (its
 * own shard iterators, as Firehose reads the stream independently of the transformers) that writes every
 * raw record, valid or not, to the raw zone of the lake folder with the layout of the S3 bucket:
 *
 *   <lakeRoot>/events/stream=<s>/event_date=<YYYY-MM-DD>/<file>.jsonl           one record per line, as sent
 *   <lakeRoot>/events-unparsed/stream=<s>/partitioning-failed/<YYYY-MM-DD>/<file>.jsonl
 *                                                                               Firehose's error records
 *
 * The event date comes from {@link eventDateOf}, the same derivation as Firehose's JQ partitioning query.
 * A record whose date cannot be derived (not UTF-8 JSON, not an object, no usable event_time) goes to the
 * unparsed prefix in Firehose's error-record shape (base64 `rawData` plus an error code and message),
 * dated by its arrival. Each GetRecords page becomes one object per partition, named after the shard and
 * the first sequence number, so the twin's objects are deterministic for a given stream content.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  ListShardsCommand,
  _Record,
} from '@aws-sdk/client-kinesis';
import { RAW_UNPARSED_PREFIX, eventDateOf, rawEventsPrefix } from '../lib/lake/lake-layout';

/** Error output type of records Firehose could not partition (the `!{firehose:error-output-type}` value). */
export const PARTITIONING_FAILED = 'partitioning-failed';

/** The prefix of unparsed records of a stream on a day, under the raw bucket. */
export function rawUnparsedPrefix(stream: string, errorType: string, date: string): string {
  return `${RAW_UNPARSED_PREFIX}/stream=${stream}/${errorType}/${date}/`;
}

/** A record Firehose could not partition, as it writes it to the error output prefix. */
export interface FirehoseErrorRecord {
  readonly attemptsMade: number;
  readonly arrivalTimestamp: number;
  readonly errorCode: string;
  readonly errorMessage: string;
  readonly attemptEndingTimestamp: number;
  /** The record's bytes, base64. */
  readonly rawData: string;
  readonly sequenceNumber: string;
  readonly partitionKey: string;
}

/** Counters of the lake writer, per stream. */
export interface LakeStreamStats {
  /** Objects written under events/. */
  objects: number;
  /** Records written under events/. */
  records: number;
  /** Objects written under events-unparsed/. */
  unparsedObjects: number;
  /** Records written under events-unparsed/. */
  unparsedRecords: number;
}

/** One stream the lake writer delivers. */
export interface LakeStreamSource {
  /** Logical stream id, the `stream=` partition value. */
  readonly streamId: string;
  /** Physical Kinesis stream name. */
  readonly streamName: string;
}

/** Options of the lake writer. */
export interface LakeWriterOptions {
  readonly kinesis: KinesisClient;
  /** Root of the raw bucket's folder (the twin uses `<twinRoot>/lake/raw`). */
  readonly lakeRoot: string;
  readonly streams: readonly LakeStreamSource[];
  /**
   * The clock, in epoch milliseconds, for Firehose's error timestamps.
   * @default Date.now
   */
  readonly now?: () => number;
}

type Parsed = { ok: true; date: string; line: string } | { ok: false; message: string };

/** Decides where a raw record goes, and the line written for it. */
export function partitionRawRecord(data: Uint8Array): Parsed {
  const buf = Buffer.from(data);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(buf);
  } catch {
    return {
      ok: false,
      message: 'record is not UTF-8 text, so the event_time partition key could not be extracted',
    };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return {
      ok: false,
      message: `record is not JSON (${(e as Error).message}); event_time could not be extracted`,
    };
  }
  const date = eventDateOf(value);
  if (!date)
    return { ok: false, message: "record has no string 'event_time' starting YYYY-MM-DD to partition by" };
  // Keep the record as sent; only a record with line breaks inside is re-serialized, to stay one line.
  const line = /[\r\n]/.test(text) ? JSON.stringify(value) : text;
  return { ok: true, date, line };
}

interface ShardCursor {
  iterator?: string;
  lastSequenceNumber?: string;
}

/**
 * Reads each stream with its own iterators and writes every record to the lake folder. Call
 * {@link LakeWriter.runUntilIdle} after putting records.
 */
export class LakeWriter {
  private readonly cursors = new Map<string, ShardCursor>();
  private readonly counters = new Map<string, LakeStreamStats>();
  private readonly now: () => number;
  /** The last pass requested; the next one starts after it. */
  private tail: Promise<void> = Promise.resolve();

  constructor(private readonly options: LakeWriterOptions) {
    this.now = options.now ?? Date.now;
    for (const s of options.streams)
      this.counters.set(s.streamId, { objects: 0, records: 0, unparsedObjects: 0, unparsedRecords: 0 });
  }

  /** A copy of the counters of each stream. */
  stats(): Record<string, LakeStreamStats> {
    const out: Record<string, LakeStreamStats> = {};
    for (const [id, c] of this.counters) out[id] = { ...c };
    return out;
  }

  /**
   * Delivers every record put on every stream before the call. Passes never overlap: a call made while
   * a pass runs gets a new pass that starts when the running one ends.
   */
  runUntilIdle(): Promise<void> {
    const pass = this.tail
      .catch(() => undefined)
      .then(() => Promise.all(this.options.streams.map((s) => this.drainStream(s))))
      .then(() => undefined);
    this.tail = pass;
    return pass;
  }

  /** Alias of {@link LakeWriter.runUntilIdle}. */
  drain(): Promise<void> {
    return this.runUntilIdle();
  }

  private async drainStream(source: LakeStreamSource): Promise<void> {
    const out = await this.options.kinesis.send(new ListShardsCommand({ StreamName: source.streamName }));
    await Promise.all((out.Shards ?? []).map((s) => this.drainShard(source, s.ShardId!)));
  }

  private async drainShard(source: LakeStreamSource, shardId: string): Promise<void> {
    const key = `${source.streamName}/${shardId}`;
    let cursor = this.cursors.get(key);
    if (!cursor) {
      cursor = {};
      this.cursors.set(key, cursor);
    }
    const { kinesis } = this.options;
    for (;;) {
      if (!cursor.iterator) {
        const it = await kinesis.send(
          new GetShardIteratorCommand(
            cursor.lastSequenceNumber
              ? {
                  StreamName: source.streamName,
                  ShardId: shardId,
                  ShardIteratorType: 'AFTER_SEQUENCE_NUMBER',
                  StartingSequenceNumber: cursor.lastSequenceNumber,
                }
              : { StreamName: source.streamName, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' },
          ),
        );
        cursor.iterator = it.ShardIterator;
      }
      let records: _Record[];
      try {
        const page = await kinesis.send(
          new GetRecordsCommand({ ShardIterator: cursor.iterator, Limit: 10_000 }),
        );
        records = page.Records ?? [];
        cursor.iterator = page.NextShardIterator;
      } catch (err) {
        if ((err as { name?: string }).name === 'ExpiredIteratorException') {
          cursor.iterator = undefined;
          continue;
        }
        throw err;
      }
      if (records.length === 0) return;
      await this.deliver(source.streamId, shardId, records);
      cursor.lastSequenceNumber = records[records.length - 1].SequenceNumber;
      if (!cursor.iterator) return;
    }
  }

  private async deliver(streamId: string, shardId: string, records: _Record[]): Promise<void> {
    const groups = new Map<string, { lines: string[]; unparsed: boolean }>();
    const add = (prefix: string, line: string, unparsed: boolean) => {
      let g = groups.get(prefix);
      if (!g) {
        g = { lines: [], unparsed };
        groups.set(prefix, g);
      }
      g.lines.push(line);
    };
    for (const r of records) {
      const data = r.Data ?? new Uint8Array();
      const parsed = partitionRawRecord(data);
      if (parsed.ok) {
        add(rawEventsPrefix(streamId, parsed.date), parsed.line, false);
      } else {
        const arrival = (r.ApproximateArrivalTimestamp ?? new Date(this.now())).getTime();
        const error: FirehoseErrorRecord = {
          attemptsMade: 1,
          arrivalTimestamp: arrival,
          errorCode: 'DynamicPartitioning.MetadataExtractionFailed',
          errorMessage: parsed.message,
          attemptEndingTimestamp: this.now(),
          rawData: Buffer.from(data).toString('base64'),
          sequenceNumber: r.SequenceNumber ?? '',
          partitionKey: r.PartitionKey ?? '',
        };
        const date = new Date(arrival).toISOString().slice(0, 10);
        add(rawUnparsedPrefix(streamId, PARTITIONING_FAILED, date), JSON.stringify(error), true);
      }
    }
    const firstSeq = records[0].SequenceNumber;
    const stats = this.counters.get(streamId)!;
    for (const [prefix, g] of groups) {
      const file = join(this.options.lakeRoot, prefix, `${streamId}-${shardId}-${firstSeq}.jsonl`);
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, `${g.lines.join('\n')}\n`);
      if (g.unparsed) {
        stats.unparsedObjects += 1;
        stats.unparsedRecords += g.lines.length;
      } else {
        stats.objects += 1;
        stats.records += g.lines.length;
      }
    }
  }
}
