/**
 * The twin's streaming ingestion resumes where it stopped when a shard iterator expires (a pass
 * slower than the iterator's five minutes under load), instead of failing every later pass or
 * reading the shard again from the trim horizon. And the stream materialized views are materialized
 * and refreshed incrementally on each append, as Redshift's streaming MVs: records appended in many
 * passes give the same rows and monitoring answers as one pass, each record's row is computed once
 * (from the new records only), malformed records keep their row, a re-run of migrate keeps the rows,
 * an MV created over a relation that already holds records is filled from all of them, and a failed
 * refresh appends nothing.
 */
import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  ListShardsCommand,
  _Record,
} from '@aws-sdk/client-kinesis';
import { copyFile, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MIGRATIONS, SQL_ROOT, VIEWS } from '../../sql/registry';
import { LocalWarehouse, Row, TWIN_STREAMS } from '../../twin/warehouse/local-warehouse';
import { KINESIS_SCHEMA, StreamIngestion } from '../../twin/warehouse/stream-ingestion';
import { movement, orderCreated, orderEvent } from '../fixtures/events';

jest.setTimeout(120_000);

/** One shard of three records; the iterator after the first record expires once. */
class FakeKinesis {
  readonly iteratorRequests: Record<string, unknown>[] = [];
  private expired = false;
  private readonly records: _Record[] = [1, 2, 3].map((i) => ({
    SequenceNumber: `4960000000000000000000000000000000000000000000000000000${i}`,
    PartitionKey: `k${i}`,
    ApproximateArrivalTimestamp: new Date('2026-11-27T08:00:00Z'),
    Data: Buffer.from(JSON.stringify({ event_id: `evt-0000000${i}` })),
  }));

  async send(command: object): Promise<unknown> {
    if (command instanceof ListShardsCommand) return { Shards: [{ ShardId: 'shardId-000000000000' }] };
    if (command instanceof GetShardIteratorCommand) {
      this.iteratorRequests.push({ ...command.input });
      const after = command.input.StartingSequenceNumber;
      const from = after ? this.records.findIndex((r) => r.SequenceNumber === after) + 1 : 0;
      return { ShardIterator: `at-${from}` };
    }
    if (command instanceof GetRecordsCommand) {
      const from = Number(command.input.ShardIterator!.slice(3));
      if (from === 1 && !this.expired) {
        this.expired = true;
        const e = new Error('Iterator expired');
        e.name = 'ExpiredIteratorException';
        throw e;
      }
      const records = this.records.slice(from, from + 1);
      return {
        Records: records,
        NextShardIterator: `at-${from + records.length}`,
        MillisBehindLatest: from < 2 ? 1 : 0,
      };
    }
    throw new Error(`unexpected ${command.constructor.name}`);
  }
}

test('an expired iterator is re-acquired after the last record appended, and no record is read twice', async () => {
  const wh = await LocalWarehouse.open();
  try {
    await wh.migrate(MIGRATIONS, []);
    const kinesis = new FakeKinesis();
    const ingestion = new StreamIngestion(kinesis as unknown as KinesisClient, wh, {
      orders: TWIN_STREAMS.ordersStream,
      inventory: TWIN_STREAMS.inventoryStream,
    });
    await ingestion.poll();
    const rows = await wh.query(
      `SELECT sequence_number FROM kinesis_streams."${TWIN_STREAMS.ordersStream}" ORDER BY sequence_number`,
    );
    expect(rows.map((r) => String(r.sequence_number).slice(-1))).toEqual(['1', '2', '3']);
    const orders = kinesis.iteratorRequests.filter((r) => r.StreamName === TWIN_STREAMS.ordersStream);
    expect(orders.map((r) => r.ShardIteratorType)).toEqual(['TRIM_HORIZON', 'AFTER_SEQUENCE_NUMBER']);
    expect(orders[1].StartingSequenceNumber).toMatch(/1$/);
  } finally {
    wh.close();
  }
});

// ---------------------------------------------------------------------------------------------
// The stream materialized views, refreshed incrementally per append

/**
 * Two shards per stream; the test releases the records put so far with {@link StreamKinesis.release}
 * and a GetRecords call returns at most `page` records, so a pass makes several appends per shard
 * (the shards' appends run concurrently, as with the emulator).
 */
class StreamKinesis {
  private readonly put = new Map<string, _Record[][]>();
  private readonly released = new Map<string, number[]>();

  constructor(
    streams: readonly string[],
    private readonly page = 3,
  ) {
    for (const s of streams) {
      this.put.set(s, [[], []]);
      this.released.set(s, [0, 0]);
    }
  }

  /** Puts records on a stream (alternating shards); they are readable once released. */
  add(stream: string, data: readonly Uint8Array[]): void {
    const shards = this.put.get(stream)!;
    for (const d of data) {
      const n = shards[0].length + shards[1].length;
      const shard = shards[n % 2];
      shard.push({
        SequenceNumber: `4960${String(n).padStart(52, '0')}`,
        PartitionKey: `pk-${n}`,
        ApproximateArrivalTimestamp: new Date(Date.UTC(2026, 10, 27, 8, 0, n)),
        Data: d,
      });
    }
  }

  /** Makes every record put so far readable. */
  release(): void {
    for (const [s, shards] of this.put)
      this.released.set(
        s,
        shards.map((r) => r.length),
      );
  }

  async send(command: object): Promise<unknown> {
    if (command instanceof ListShardsCommand)
      return { Shards: [{ ShardId: 'shardId-000000000000' }, { ShardId: 'shardId-000000000001' }] };
    if (command instanceof GetShardIteratorCommand) {
      const { StreamName, ShardId, StartingSequenceNumber } = command.input;
      const shard = Number(ShardId!.slice(-1));
      const records = this.put.get(StreamName!)![shard];
      const from = StartingSequenceNumber
        ? records.findIndex((r) => r.SequenceNumber === StartingSequenceNumber) + 1
        : 0;
      return { ShardIterator: JSON.stringify([StreamName, shard, from]) };
    }
    if (command instanceof GetRecordsCommand) {
      const [stream, shard, from] = JSON.parse(command.input.ShardIterator!) as [string, number, number];
      const until = this.released.get(stream)![shard];
      const records = this.put.get(stream)![shard].slice(from, Math.min(until, from + this.page));
      const next = from + records.length;
      return {
        Records: records,
        NextShardIterator: JSON.stringify([stream, shard, next]),
        MillisBehindLatest: next < until ? 1 : 0,
      };
    }
    throw new Error(`unexpected ${command.constructor.name}`);
  }
}

const ORDERS = TWIN_STREAMS.ordersStream;
const INVENTORY = TWIN_STREAMS.inventoryStream;
const STREAMS = { orders: ORDERS, inventory: INVENTORY };
const json = (o: unknown): Uint8Array => Buffer.from(JSON.stringify(o));
/** A record that is not UTF-8, one that is not JSON, and one that is JSON but not an object. */
const MALFORMED: readonly Uint8Array[] = [
  Buffer.from([0xff, 0xfe, 0x7b, 0x00, 0xc3]),
  Buffer.from('order.created ORD-9'),
  Buffer.from('[1, 2]'),
];

/** Orders and movements, with duplicates and malformed records (the same for every warehouse). */
const WORKLOAD = ((): { orders: Uint8Array[]; inventory: Uint8Array[] } => {
  const orders: Uint8Array[] = [];
  const inventory: Uint8Array[] = [];
  for (let i = 1; i <= 12; i += 1) {
    const orderId = `ORD-MV-${String(i).padStart(4, '0')}`;
    const created = orderCreated({ order_id: orderId, event_time: `2026-11-27T07:${10 + i}:00Z` });
    orders.push(json(created));
    if (i % 2 === 0)
      orders.push(json(orderEvent('order.paid', `2026-11-27T07:${30 + i}:00Z`, { order_id: orderId })));
    if (i % 4 === 0) orders.push(json(created)); // a producer retry: the same event again
    inventory.push(json(movement('inventory.received', 10 + i, { sku: `SKU-MV-${i % 3}` })));
    if (i % 3 === 0) inventory.push(json(movement('inventory.reserved', 2, { sku: `SKU-MV-${i % 3}` })));
  }
  orders.splice(5, 0, ...MALFORMED);
  inventory.splice(3, 0, MALFORMED[0], MALFORMED[1]);
  return { orders, inventory };
})();

/** The workload in `batches` batches per stream. */
function workload(batches: number): { orders: Uint8Array[][]; inventory: Uint8Array[][] } {
  const split = (records: Uint8Array[]): Uint8Array[][] =>
    Array.from({ length: batches }, (_, b) =>
      records.slice(
        Math.floor((b * records.length) / batches),
        Math.floor(((b + 1) * records.length) / batches),
      ),
    );
  return { orders: split(WORKLOAD.orders), inventory: split(WORKLOAD.inventory) };
}

/** A migrated warehouse fed the workload in `batches` passes (one pass per batch). */
async function fed(batches: number): Promise<{ wh: LocalWarehouse; ingestion: StreamIngestion }> {
  const wh = await LocalWarehouse.open();
  await wh.migrate(MIGRATIONS, VIEWS);
  const kinesis = new StreamKinesis([ORDERS, INVENTORY]);
  const ingestion = new StreamIngestion(kinesis as unknown as KinesisClient, wh, STREAMS);
  const w = workload(batches);
  for (let b = 0; b < batches; b += 1) {
    kinesis.add(ORDERS, w.orders[b]);
    kinesis.add(INVENTORY, w.inventory[b]);
    kinesis.release();
    await ingestion.poll();
  }
  return { wh, ingestion };
}

const MVS = ['realtime.orders_stream', 'realtime.inventory_stream'] as const;
const relationOf = (mv: (typeof MVS)[number]): string =>
  `${KINESIS_SCHEMA}."${mv === 'realtime.orders_stream' ? ORDERS : INVENTORY}"`;

/** An MV's rows but refresh_time (the time of the pass), in stream order. */
async function mvRows(wh: LocalWarehouse, mv: string): Promise<Row[]> {
  return wh.query(`SELECT * EXCLUDE (refresh_time) FROM ${mv} ORDER BY shard_id, sequence_number`);
}

/** The monitoring views whose answers do not depend on the time they are asked at. */
const MONITORING = [
  'SELECT * FROM realtime.order_events ORDER BY event_id',
  'SELECT * FROM realtime.inventory_events ORDER BY event_id',
  'SELECT * FROM realtime.stream_errors ORDER BY stream, shard_id, sequence_number',
  'SELECT * FROM realtime.order_status ORDER BY order_id',
  'SELECT * FROM realtime.order_values ORDER BY order_id',
  'SELECT * FROM realtime.stock_levels ORDER BY sku, warehouse_id',
];

/** Each record of the relation has exactly one row in the MV, and the pending tables are empty. */
async function expectOneRowPerRecord(wh: LocalWarehouse): Promise<void> {
  for (const mv of MVS) {
    const [counts] = await wh.query(
      `SELECT (SELECT count(*) FROM ${relationOf(mv)}) AS records,
              (SELECT count(*) FROM ${mv}) AS mv_rows,
              (SELECT count(DISTINCT (shard_id, sequence_number)) FROM ${mv}) AS distinct_rows,
              (SELECT count(*) FROM ${relationOf(mv)} r ANTI JOIN ${mv} m USING (shard_id, sequence_number)) AS missing`,
    );
    expect([mv, counts]).toEqual([
      mv,
      { records: counts.records, mv_rows: counts.records, distinct_rows: counts.records, missing: 0 },
    ]);
  }
  const [pending] = await wh.query(
    `SELECT sum(estimated_size) AS n FROM duckdb_tables() WHERE schema_name = 'twin_streaming' AND table_name LIKE 'pending%'`,
  );
  expect(Number(pending.n)).toBe(0);
}

describe('stream materialized views', () => {
  test('are tables refreshed per append: many passes give the rows and answers of one pass', async () => {
    const one = await fed(1);
    const many = await fed(5);
    try {
      for (const mv of MVS) {
        const [{ table_type }] = await many.wh.query(
          `SELECT table_type FROM information_schema.tables WHERE table_schema || '.' || table_name = '${mv}'`,
        );
        expect(table_type).toBe('BASE TABLE');
        const rows = await mvRows(one.wh, mv);
        expect(rows.length).toBeGreaterThanOrEqual(18);
        expect(await mvRows(many.wh, mv)).toEqual(rows);
      }
      expect(many.ingestion.stats().records).toEqual(one.ingestion.stats().records);
      for (const q of MONITORING) {
        const answer = await one.wh.query(q);
        expect([q, answer.length > 0]).toEqual([q, true]);
        expect([q, await many.wh.query(q)]).toEqual([q, answer]);
      }
      await expectOneRowPerRecord(one.wh);
      await expectOneRowPerRecord(many.wh);
    } finally {
      one.wh.close();
      many.wh.close();
    }
  });

  test('keep a malformed record (not JSON, not UTF-8) with body NULL, listed in stream_errors', async () => {
    const { wh } = await fed(3);
    try {
      const rows = await wh.query(
        `SELECT m.partition_key, m.body, m.event_id, m.record_bytes
         FROM realtime.orders_stream m JOIN ${relationOf('realtime.orders_stream')} r USING (shard_id, sequence_number)
         WHERE r.kinesis_data IN (${MALFORMED.map((d) => `from_hex('${Buffer.from(d).toString('hex')}')`).join(', ')})
         ORDER BY m.record_bytes`,
      );
      expect(rows.map((r) => [r.body, r.event_id, r.record_bytes])).toEqual(
        MALFORMED.map((d) => [null, null, d.length]).sort((a, b) => Number(a[2]) - Number(b[2])),
      );
      const errors = await wh.query(
        "SELECT partition_key, reason FROM realtime.stream_errors WHERE stream = 'orders' ORDER BY partition_key",
      );
      expect(errors).toEqual(
        rows
          .map((r) => ({ partition_key: r.partition_key, reason: 'not_json_object' }))
          .sort((a, b) => String(a.partition_key).localeCompare(String(b.partition_key))),
      );
    } finally {
      wh.close();
    }
  });

  test('parse each record once: an append computes the rows of its own records only', async () => {
    const wh = await LocalWarehouse.open();
    try {
      await wh.migrate(MIGRATIONS, []);
      const kinesis = new StreamKinesis([ORDERS, INVENTORY]);
      const ingestion = new StreamIngestion(kinesis as unknown as KinesisClient, wh, STREAMS);
      const first = orderCreated({ order_id: 'ORD-ONCE-1' });
      kinesis.add(ORDERS, [json(first)]);
      kinesis.release();
      await ingestion.poll();
      // Were the old records parsed again, this row's event_id would change.
      await wh.run(
        `UPDATE ${relationOf('realtime.orders_stream')} SET kinesis_data = '{"event_id": "rewritten"}'::BLOB`,
      );
      for (let pass = 2; pass <= 4; pass += 1) {
        kinesis.add(ORDERS, [json(orderCreated({ order_id: `ORD-ONCE-${pass}` }))]);
        kinesis.release();
        await ingestion.poll();
      }
      const rows = await wh.query('SELECT event_id, order_id FROM realtime.orders_stream ORDER BY order_id');
      expect(rows[0]).toEqual({ event_id: first.event_id, order_id: 'ORD-ONCE-1' });
      expect(rows.map((r) => r.order_id)).toEqual(['ORD-ONCE-1', 'ORD-ONCE-2', 'ORD-ONCE-3', 'ORD-ONCE-4']);
      await expectOneRowPerRecord(wh);
    } finally {
      wh.close();
    }
  });

  test('keep their rows when migrate runs again, and go on refreshing', async () => {
    const { wh, ingestion } = await fed(2);
    try {
      const before = await Promise.all(MVS.map((mv) => mvRows(wh, mv)));
      const answers = await Promise.all(MONITORING.map((q) => wh.query(q)));
      expect((await wh.migrate(MIGRATIONS, VIEWS)).applied).toEqual([]);
      expect(await Promise.all(MVS.map((mv) => mvRows(wh, mv)))).toEqual(before);
      expect(await Promise.all(MONITORING.map((q) => wh.query(q)))).toEqual(answers);
      await expectOneRowPerRecord(wh);
      await ingestion.poll(); // nothing new
      expect(await Promise.all(MVS.map((mv) => mvRows(wh, mv)))).toEqual(before);
    } finally {
      wh.close();
    }
  });

  test('created over a relation that holds records: filled from all of them, then refreshed; dropped cleanly', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'stream-mv-'));
    const root = join(dir, 'sql');
    await mkdir(join(root, 'migrations'), { recursive: true });
    for (const f of await readdir(join(SQL_ROOT, 'migrations')))
      await copyFile(join(SQL_ROOT, 'migrations', f), join(root, 'migrations', f));
    const file = (v: number, name: string) => ({
      version: v,
      name,
      file: `migrations/V${String(v).padStart(3, '0')}__${name}.sql`,
    });
    const create = file(MIGRATIONS.length + 1, 'order_keys');
    const drop = file(MIGRATIONS.length + 2, 'drop_order_keys');
    await writeFile(
      join(root, create.file),
      `CREATE MATERIALIZED VIEW realtime.order_keys AUTO REFRESH YES AS
SELECT s.shard_id, s.sequence_number,
  JSON_EXTRACT_PATH_TEXT(FROM_VARBYTE(s.kinesis_data, 'utf-8'), 'order_id', TRUE) AS order_id
FROM kinesis_streams."{{orders_stream}}" s
WHERE s.partition_key <> 'pk-0';
`,
    );
    await writeFile(join(root, drop.file), 'DROP MATERIALIZED VIEW realtime.order_keys;\n');
    const wh = await LocalWarehouse.open(':memory:', root);
    try {
      await wh.migrate(MIGRATIONS, []);
      const kinesis = new StreamKinesis([ORDERS, INVENTORY]);
      const ingestion = new StreamIngestion(kinesis as unknown as KinesisClient, wh, STREAMS);
      const orderIds = (n: number, m: number) =>
        Array.from({ length: m - n + 1 }, (_, i) => `ORD-K-${n + i}`);
      kinesis.add(
        ORDERS,
        orderIds(1, 7).map((id) => json(orderCreated({ order_id: id }))),
      );
      kinesis.release();
      await ingestion.poll();

      expect((await wh.migrate([...MIGRATIONS, create], [])).applied).toEqual([create.file]);
      const keys = async () =>
        (await wh.query('SELECT order_id FROM realtime.order_keys ORDER BY order_id')).map((r) => r.order_id);
      expect(await keys()).toEqual(orderIds(2, 7)); // pk-0 (ORD-K-1) is filtered out by the view
      kinesis.add(
        ORDERS,
        orderIds(8, 9).map((id) => json(orderCreated({ order_id: id }))),
      );
      kinesis.release();
      await ingestion.poll();
      expect(await keys()).toEqual(orderIds(2, 9));
      await expectOneRowPerRecord(wh);

      expect((await wh.migrate([...MIGRATIONS, create, drop], [])).applied).toEqual([drop.file]);
      expect(
        await wh.query("SELECT count(*) AS n FROM information_schema.tables WHERE table_name = 'order_keys'"),
      ).toEqual([{ n: 0 }]);
      kinesis.add(ORDERS, [json(orderCreated({ order_id: 'ORD-K-10' }))]);
      kinesis.release();
      await ingestion.poll();
      await expectOneRowPerRecord(wh);
    } finally {
      wh.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('a refresh that fails appends nothing: the records, the MV rows and the pending table are as before', async () => {
    const wh = await LocalWarehouse.open();
    try {
      await wh.migrate(MIGRATIONS, []);
      const record = {
        approximateArrivalTimestamp: new Date(),
        partitionKey: 'k',
        shardId: 'shardId-000000000000',
        sequenceNumber: '1',
        refreshTime: new Date(),
        kinesisData: json(orderCreated()),
      };
      expect(await wh.appendToStream(KINESIS_SCHEMA, ORDERS, [record])).toEqual(['realtime.orders_stream']);
      await wh.run('DROP VIEW twin_streaming."refresh__realtime__orders_stream"');
      await expect(
        wh.appendToStream(KINESIS_SCHEMA, ORDERS, [{ ...record, sequenceNumber: '2' }]),
      ).rejects.toThrow(/refresh__realtime__orders_stream/);
      expect(await wh.query(`SELECT sequence_number FROM ${relationOf('realtime.orders_stream')}`)).toEqual([
        { sequence_number: '1' },
      ]);
      await expectOneRowPerRecord(wh);
    } finally {
      wh.close();
    }
  });
});
