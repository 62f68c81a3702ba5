/**
 * The twin's streaming ingestion resumes where it stopped when a shard iterator expires (a pass
 * slower than the iterator's five minutes under load), instead of failing every later pass or
 * reading the shard again from the trim horizon.
 */
import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  ListShardsCommand,
  _Record,
} from '@aws-sdk/client-kinesis';
import { MIGRATIONS } from '../../sql/registry';
import { LocalWarehouse, TWIN_STREAMS } from '../../twin/warehouse/local-warehouse';
import { StreamIngestion } from '../../twin/warehouse/stream-ingestion';

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
