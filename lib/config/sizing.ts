/**
 * Sizes derived from an environment's expected volumes, so that no size is typed twice. The CDK app
 * reads shard counts and (in PROVISIONED DynamoDB mode) table capacity from here; docs/DESIGN.md
 * quotes the arithmetic below.
 *
 * Worked example, prod (5M sales records a month at 1.8 lines per order = 2,777,778 orders, 25M
 * SKUs, peak = 10 x average, 700-byte events, a month taken as 30 days = 2,592,000 s):
 *
 * | stream      | events a month                                 | average/s | peak/s | peak bytes/s | shards |
 * |-------------|------------------------------------------------|-----------|--------|--------------|--------|
 * | orders      | 2.78M orders x 4.3 + 25M SKUs x 0.1 = 14.44M   | 5.57      | 55.7   | 39,009       | 1 -> 2 |
 * | inventory   | 5M lines x 3 movements = 15M                   | 5.79      | 57.9   | 40,509       | 1 -> 2 |
 * | clickstream | 2.78M orders x 40 = 111.1M                     | 42.87     | 428.7  | 300,069      | 1 -> 2 |
 *
 * A shard takes 1,000 records/s and 1 MiB/s; keeping 50% headroom leaves 500 records/s and
 * 524,288 bytes/s per shard, so the busiest prod stream needs ceil(428.7 / 500) = 1 shard by records
 * and ceil(300,069 / 524,288) = 1 by bytes; streams.minShards (2 in prod) lifts every stream to 2
 * shards, which also spreads a producer's hot partition key. Two shards carry the clickstream up to
 * 1,000 peak events/s, about 2.3x the prod volumes; beyond that the derived count grows by itself.
 */
import { EnvironmentConfig, ExpectedVolumes } from './environment-config';
import { STREAM_IDS, StreamId } from '../streams/stream-definitions';
import { TABLE_IDS, TableId } from '../tables/table-definitions';
import { TRANSFORMER_TABLES } from '../../lambdas/shared/runtime-settings';

/** A month taken as 30 days: 30 x 24 x 3600 = 2,592,000 seconds. */
export const SECONDS_PER_MONTH = 30 * 24 * 3600;

/** Records per second one Kinesis shard accepts. */
export const SHARD_RECORDS_PER_SECOND = 1000;

/** Bytes per second one Kinesis shard accepts (1 MiB). */
export const SHARD_BYTES_PER_SECOND = 1024 * 1024;

/** Share of a shard's (or a table's) write capacity the peak may use; the rest is headroom. */
export const CAPACITY_UTILISATION = 0.5;

/** Bytes one DynamoDB write capacity unit writes per second. */
export const WRITE_UNIT_BYTES = 1024;

/** Bytes one DynamoDB read capacity unit reads per second (strongly consistent). */
export const READ_UNIT_BYTES = 4096;

/** The expected load of one stream. */
export interface StreamLoad {
  /** Events a month on the stream. */
  readonly eventsPerMonth: number;
  /** eventsPerMonth / SECONDS_PER_MONTH. */
  readonly averageEventsPerSecond: number;
  /** averageEventsPerSecond x volumes.peakToAverage. */
  readonly peakEventsPerSecond: number;
  /** peakEventsPerSecond x volumes.averageEventBytes. */
  readonly peakBytesPerSecond: number;
}

/** A stream's load and the capacity derived from it. */
export interface StreamSizing extends StreamLoad {
  /** Shards needed by records: ceil(peak events/s / (1000 x 0.5)). */
  readonly shardsForRecords: number;
  /** Shards needed by bytes: ceil(peak bytes/s / (1 MiB x 0.5)). */
  readonly shardsForBytes: number;
  /**
   * Shards to provision: max(shardsForRecords, shardsForBytes, streams.minShards); undefined when the
   * stream is ON_DEMAND (Kinesis scales it).
   */
  readonly shardCount?: number;
  /**
   * Most concurrent transformer invocations the stream can cause: shards x parallelizationFactor
   * (undefined when ON_DEMAND). Recorded for the docs and alarms; not set as reserved concurrency,
   * because a reservation fails on accounts whose concurrency quota is still the default of 10.
   */
  readonly maxTransformerConcurrency?: number;
}

/** Autoscaling bounds of a table in PROVISIONED billing mode. */
export interface TableCapacity {
  /** ceil(average writes/s x write units per item / 0.5), at least 1. */
  readonly minWriteUnits: number;
  /** ceil(peak writes/s x write units per item / 0.5), at least minWriteUnits. */
  readonly maxWriteUnits: number;
  /** ceil(average reads/s x read units per item / 0.5), at least 1. */
  readonly minReadUnits: number;
  /** ceil(peak reads/s x read units per item / 0.5), at least minReadUnits. */
  readonly maxReadUnits: number;
}

/** Everything sized from one environment's volumes. */
export interface PlatformSizing {
  readonly streams: Record<StreamId, StreamSizing>;
  /** Table capacity bounds; used only when dynamoBillingMode is PROVISIONED. */
  readonly tables: Record<TableId, TableCapacity>;
}

/** Orders a month: salesRecordsPerMonth / linesPerOrder (prod: 5,000,000 / 1.8 = 2,777,778). */
export function ordersPerMonth(v: ExpectedVolumes): number {
  return v.salesRecordsPerMonth / v.linesPerOrder;
}

/**
 * Events a month on each stream:
 * - orders: orders x orderEventsPerOrder + skus x skuUpdatesPerMonthRatio (product.metadata_updated);
 * - inventory: salesRecordsPerMonth x movementsPerSalesRecord;
 * - clickstream: orders x interactionsPerOrder (interactions, reviews and application logs).
 */
export function streamEventsPerMonth(v: ExpectedVolumes): Record<StreamId, number> {
  const orders = ordersPerMonth(v);
  return {
    orders: orders * v.orderEventsPerOrder + v.skus * v.skuUpdatesPerMonthRatio,
    inventory: v.salesRecordsPerMonth * v.movementsPerSalesRecord,
    clickstream: orders * v.interactionsPerOrder,
  };
}

/** The average and peak load of each stream. */
export function streamLoads(v: ExpectedVolumes): Record<StreamId, StreamLoad> {
  const perMonth = streamEventsPerMonth(v);
  const load = (eventsPerMonth: number): StreamLoad => {
    const averageEventsPerSecond = eventsPerMonth / SECONDS_PER_MONTH;
    const peakEventsPerSecond = averageEventsPerSecond * v.peakToAverage;
    return {
      eventsPerMonth,
      averageEventsPerSecond,
      peakEventsPerSecond,
      peakBytesPerSecond: peakEventsPerSecond * v.averageEventBytes,
    };
  };
  return {
    orders: load(perMonth.orders),
    inventory: load(perMonth.inventory),
    clickstream: load(perMonth.clickstream),
  };
}

/** Shards for a load: the larger of the record and byte needs at 50% utilisation, and minShards. */
export function shardCountFor(load: StreamLoad, minShards: number): number {
  return Math.max(
    shardsForRecords(load.peakEventsPerSecond),
    shardsForBytes(load.peakBytesPerSecond),
    minShards,
  );
}

function shardsForRecords(peakEventsPerSecond: number): number {
  return Math.max(1, Math.ceil(peakEventsPerSecond / (SHARD_RECORDS_PER_SECOND * CAPACITY_UTILISATION)));
}

function shardsForBytes(peakBytesPerSecond: number): number {
  return Math.max(1, Math.ceil(peakBytesPerSecond / (SHARD_BYTES_PER_SECOND * CAPACITY_UTILISATION)));
}

/**
 * Table capacity from the stream that writes it: every event on a stream may write each of its
 * transformer's tables once (an upper bound) and read it once (the idempotency check). Items are
 * taken at averageEventBytes, so a write costs ceil(bytes / 1 KiB) units and a strongly consistent
 * read ceil(bytes / 4 KiB). Tables written by no stream get the minimum of 1 unit.
 */
function tableCapacity(
  loads: Record<StreamId, StreamLoad>,
  v: ExpectedVolumes,
): Record<TableId, TableCapacity> {
  const writeUnits = Math.ceil(v.averageEventBytes / WRITE_UNIT_BYTES);
  const readUnits = Math.ceil(v.averageEventBytes / READ_UNIT_BYTES);
  const units = (perSecond: number, unitsPerItem: number): number =>
    Math.max(1, Math.ceil((perSecond * unitsPerItem) / CAPACITY_UTILISATION));
  const result = {} as Record<TableId, TableCapacity>;
  for (const table of TABLE_IDS) {
    const writers = STREAM_IDS.filter((s) => TRANSFORMER_TABLES[s].includes(table));
    const average = writers.reduce((sum, s) => sum + loads[s].averageEventsPerSecond, 0);
    const peak = writers.reduce((sum, s) => sum + loads[s].peakEventsPerSecond, 0);
    const minWriteUnits = units(average, writeUnits);
    const minReadUnits = units(average, readUnits);
    result[table] = {
      minWriteUnits,
      maxWriteUnits: Math.max(minWriteUnits, units(peak, writeUnits)),
      minReadUnits,
      maxReadUnits: Math.max(minReadUnits, units(peak, readUnits)),
    };
  }
  return result;
}

/** Sizes every stream and table of an environment from its volumes. */
export function platformSizing(config: EnvironmentConfig): PlatformSizing {
  const loads = streamLoads(config.volumes);
  const provisioned = config.streams.capacityMode === 'PROVISIONED';
  const streams = {} as Record<StreamId, StreamSizing>;
  for (const id of STREAM_IDS) {
    const load = loads[id];
    const shardCount = provisioned ? shardCountFor(load, config.streams.minShards) : undefined;
    streams[id] = {
      ...load,
      shardsForRecords: shardsForRecords(load.peakEventsPerSecond),
      shardsForBytes: shardsForBytes(load.peakBytesPerSecond),
      shardCount,
      maxTransformerConcurrency:
        shardCount === undefined ? undefined : shardCount * config.transformer.parallelizationFactor,
    };
  }
  return { streams, tables: tableCapacity(loads, config.volumes) };
}
