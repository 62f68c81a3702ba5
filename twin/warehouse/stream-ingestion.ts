/**
 * The twin's stand-in for Redshift streaming ingestion: it reads the orders and inventory Kinesis
 * streams (the emulator, through the real SDK client) from the trim horizon, shard by shard, and
 * appends every record, bytes untouched, to the table that stands for the stream's Kinesis relation
 * in the local warehouse (`kinesis_streams."<stream>"`, created by migration V005 as translated by
 * twin/warehouse/translate.py). The stream materialized views of V005 are materialized and refreshed
 * incrementally on every append, as Redshift's streaming MVs are: each append
 * ({@link LocalWarehouse.appendToStream}, through DuckDB's appender) adds the records to the relation
 * and, in the same transaction, the rows of just those records to every MV reading it. So a record is
 * visible to every monitoring view as soon as {@link StreamIngestion.poll} has appended it, and a
 * query parses no record's JSON again (nor sees a partial refresh).
 *
 *   const ingestion = new StreamIngestion(twin.kinesis, wh, { orders: twin.streams.orders, ... });
 *   await ingestion.poll();            // one pass: every record put so far
 *   ingestion.start(100); ...; await ingestion.stop();   // or continuously, as AUTO REFRESH does
 *
 * Like Redshift it reads records, not events: malformed bytes, duplicates and late events land in
 * the table as they are, and the views decide what they mean.
 */
import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  ListShardsCommand,
  _Record,
} from '@aws-sdk/client-kinesis';
import type { LocalWarehouse } from './local-warehouse';

/** The streams the warehouse ingests, by the name of their Kinesis relation's stream. */
export interface IngestedStreams {
  readonly orders: string;
  readonly inventory: string;
}

/** The external schema V005 declares FROM KINESIS. */
export const KINESIS_SCHEMA = 'kinesis_streams';

/**
 * Records read per GetRecords call. Well below the Kinesis maximum (10,000): kinesalite serves a
 * call record by record, and a huge call under load outlives the shard iterator.
 */
const GET_RECORDS_LIMIT = 1_000;

/** Counts of what the reader has appended. */
export interface IngestionStats {
  /** Records appended per stream name. */
  readonly records: Record<string, number>;
  /** Passes over the shards. */
  readonly polls: number;
}

/** Reads the streams into the local warehouse's Kinesis relations. */
export class StreamIngestion {
  private readonly iterators = new Map<string, string | undefined>();
  /** The last sequence number appended per shard: where to resume when an iterator expires. */
  private readonly lastSequence = new Map<string, string>();
  private readonly counts: Record<string, number> = {};
  private polls = 0;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;
  private failure: Error | undefined;

  constructor(
    private readonly kinesis: KinesisClient,
    private readonly warehouse: LocalWarehouse,
    private readonly streams: IngestedStreams,
    /** Called after each pass that appended records (for example, to time visibility). */
    private readonly onAppended?: (stream: string, records: readonly _Record[], at: Date) => void,
  ) {
    for (const s of Object.values(streams)) this.counts[s] = 0;
  }

  /**
   * One pass over every shard of every stream: appends what arrived since the last pass (from the
   * trim horizon on the first) and returns the number of records appended.
   */
  async poll(): Promise<number> {
    let appended = 0;
    for (const stream of Object.values(this.streams)) appended += await this.pollStream(stream);
    this.polls += 1;
    return appended;
  }

  private async pollStream(stream: string): Promise<number> {
    const shards = await this.kinesis.send(new ListShardsCommand({ StreamName: stream }));
    const counts = await Promise.all(
      (shards.Shards ?? []).map((shard) => this.pollShard(stream, shard.ShardId!)),
    );
    const appended = counts.reduce((n, c) => n + c, 0);
    this.counts[stream] = (this.counts[stream] ?? 0) + appended;
    return appended;
  }

  /** A fresh iterator: after the last record appended, or from the trim horizon. */
  private async newIterator(stream: string, shardId: string): Promise<string | undefined> {
    const after = this.lastSequence.get(`${stream}/${shardId}`);
    const out = await this.kinesis.send(
      new GetShardIteratorCommand({
        StreamName: stream,
        ShardId: shardId,
        ...(after
          ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', StartingSequenceNumber: after }
          : { ShardIteratorType: 'TRIM_HORIZON' }),
      }),
    );
    return out.ShardIterator;
  }

  private async pollShard(stream: string, shardId: string): Promise<number> {
    const key = `${stream}/${shardId}`;
    let iterator = this.iterators.has(key)
      ? this.iterators.get(key)
      : await this.newIterator(stream, shardId);
    let appended = 0;
    while (iterator) {
      let out;
      try {
        out = await this.kinesis.send(
          new GetRecordsCommand({ ShardIterator: iterator, Limit: GET_RECORDS_LIMIT }),
        );
      } catch (e) {
        // An iterator lives five minutes: resume after the last record appended, as a consumer does.
        if ((e as Error).name !== 'ExpiredIteratorException') throw e;
        iterator = await this.newIterator(stream, shardId);
        continue;
      }
      iterator = out.NextShardIterator;
      const records = out.Records ?? [];
      if (records.length > 0) {
        await this.append(stream, shardId, records);
        this.lastSequence.set(key, records[records.length - 1].SequenceNumber!);
        appended += records.length;
      }
      // Caught up with the shard: continue from here on the next pass.
      if (records.length === 0 || (out.MillisBehindLatest ?? 0) === 0) break;
    }
    this.iterators.set(key, iterator);
    return appended;
  }

  private async append(stream: string, shardId: string, records: readonly _Record[]): Promise<void> {
    const refreshTime = new Date();
    await this.warehouse.appendToStream(
      KINESIS_SCHEMA,
      stream,
      records.map((r) => ({
        approximateArrivalTimestamp: r.ApproximateArrivalTimestamp ?? refreshTime,
        partitionKey: r.PartitionKey ?? '',
        shardId,
        sequenceNumber: r.SequenceNumber ?? '',
        refreshTime,
        kinesisData: r.Data ?? new Uint8Array(),
      })),
    );
    this.onAppended?.(stream, records, new Date());
  }

  /** Polls every `intervalMs` until {@link StreamIngestion.stop} (a pass never overlaps the previous one). */
  start(intervalMs = 100): void {
    if (this.timer) return;
    const tick = (): void => {
      this.running = this.poll().catch((e: unknown) => {
        this.failure ??= e as Error;
        return 0;
      });
      void this.running.finally(() => {
        if (this.timer) this.timer = setTimeout(tick, intervalMs);
      });
    };
    this.timer = setTimeout(tick, 0);
  }

  /** Stops polling after the pass under way; throws the first error a background pass met. */
  async stop(): Promise<void> {
    const timer = this.timer;
    this.timer = undefined;
    if (timer) clearTimeout(timer);
    await this.running;
    if (this.failure) throw this.failure;
  }

  /** What has been appended so far. */
  stats(): IngestionStats {
    return { records: { ...this.counts }, polls: this.polls };
  }
}
