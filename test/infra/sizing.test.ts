import { ENVIRONMENTS } from '../../lib/config/environments';
import {
  SECONDS_PER_MONTH,
  ordersPerMonth,
  platformSizing,
  shardCountFor,
  streamEventsPerMonth,
  streamLoads,
} from '../../lib/config/sizing';

const prod = ENVIRONMENTS.prod;

describe('sizing with the prod volumes (5M sales records a month, 10M customers, 25M SKUs)', () => {
  test('a month is 2,592,000 seconds', () => {
    expect(SECONDS_PER_MONTH).toBe(2_592_000);
  });

  test('5M sales records at 1.8 lines per order are 2,777,778 orders a month', () => {
    expect(prod.volumes.salesRecordsPerMonth).toBe(5_000_000);
    expect(prod.volumes.customers).toBe(10_000_000);
    expect(prod.volumes.skus).toBe(25_000_000);
    expect(ordersPerMonth(prod.volumes)).toBeCloseTo(2_777_777.8, 1);
  });

  test('events a month per stream', () => {
    const events = streamEventsPerMonth(prod.volumes);
    expect(events.orders).toBeCloseTo((5_000_000 / 1.8) * 4.3 + 25_000_000 * 0.1, 0); // 14.44M
    expect(events.inventory).toBe(5_000_000 * 3); // 15M
    expect(events.clickstream).toBeCloseTo((5_000_000 / 1.8) * 40, 0); // 111.1M
  });

  test('average and peak events per second', () => {
    const loads = streamLoads(prod.volumes);
    expect(loads.orders.averageEventsPerSecond).toBeCloseTo(14_444_444.4 / 2_592_000, 6); // 5.57
    expect(loads.orders.peakEventsPerSecond).toBeCloseTo(55.73, 2);
    expect(loads.inventory.averageEventsPerSecond).toBeCloseTo(5.787, 3);
    expect(loads.inventory.peakEventsPerSecond).toBeCloseTo(57.87, 2);
    expect(loads.clickstream.averageEventsPerSecond).toBeCloseTo(42.867, 3);
    expect(loads.clickstream.peakEventsPerSecond).toBeCloseTo(428.67, 2);
    expect(loads.clickstream.peakBytesPerSecond).toBeCloseTo(300_069, 0); // 428.67 x 700 B
  });

  test('one shard carries each prod stream at 50% headroom; minShards lifts it to 2', () => {
    const sizing = platformSizing(prod);
    for (const stream of Object.values(sizing.streams)) {
      expect(stream.shardsForRecords).toBe(1); // ceil(<= 428.7 / 500)
      expect(stream.shardsForBytes).toBe(1); // ceil(<= 300,069 / 524,288)
      expect(stream.shardCount).toBe(2); // prod streams.minShards
      expect(stream.maxTransformerConcurrency).toBe(2 * prod.transformer.parallelizationFactor);
    }
  });

  test('dev and staging need one shard per stream', () => {
    for (const env of [ENVIRONMENTS.dev, ENVIRONMENTS.staging]) {
      for (const stream of Object.values(platformSizing(env).streams)) expect(stream.shardCount).toBe(1);
    }
  });

  test('ON_DEMAND streams get no shard count', () => {
    const sizing = platformSizing({ ...prod, streams: { ...prod.streams, capacityMode: 'ON_DEMAND' } });
    expect(sizing.streams.clickstream.shardCount).toBeUndefined();
    expect(sizing.streams.clickstream.maxTransformerConcurrency).toBeUndefined();
  });

  test('provisioned table capacity follows the stream that writes the table', () => {
    const { tables } = platformSizing(prod);
    // clickstream tables: average 42.87 writes/s -> ceil(42.87 / 0.5) = 86; peak 428.7 -> 858
    expect(tables['customer-interactions']).toEqual({
      minWriteUnits: 86,
      maxWriteUnits: 858,
      minReadUnits: 86,
      maxReadUnits: 858,
    });
    // inventory tables: 5.79 -> 12; 57.9 -> 116
    expect(tables.stock).toEqual({
      minWriteUnits: 12,
      maxWriteUnits: 116,
      minReadUnits: 12,
      maxReadUnits: 116,
    });
  });
});

describe('shardCountFor', () => {
  const load = (peakEventsPerSecond: number, peakBytesPerSecond: number) => ({
    eventsPerMonth: 0,
    averageEventsPerSecond: 0,
    peakEventsPerSecond,
    peakBytesPerSecond,
  });

  test('records bound: 1,001 events/s need 3 shards at 500 per shard', () => {
    expect(shardCountFor(load(1001, 1000), 1)).toBe(3);
  });

  test('bytes bound: 2 MiB/s needs 4 shards at 0.5 MiB per shard', () => {
    expect(shardCountFor(load(10, 2 * 1024 * 1024), 1)).toBe(4);
  });

  test('never below minShards', () => {
    expect(shardCountFor(load(1, 1), 5)).toBe(5);
  });

  test('ten times the prod volumes need more than minShards on the clickstream', () => {
    const v = { ...prod.volumes, salesRecordsPerMonth: prod.volumes.salesRecordsPerMonth * 10 };
    // 4,287 peak events/s -> ceil(4287 / 500) = 9; 3.0 MB/s -> ceil(3,000,686 / 524,288) = 6
    expect(shardCountFor(streamLoads(v).clickstream, 2)).toBe(9);
  });
});
