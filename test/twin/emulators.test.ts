import { GetRecordsCommand, GetShardIteratorCommand, PutRecordCommand } from '@aws-sdk/client-kinesis';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { createStreams, createTables, startEmulatorsInChildProcess } from '../../twin/emulators';

describe('startEmulatorsInChildProcess', () => {
  test('serves Kinesis and DynamoDB from two child processes and ends both on stop', async () => {
    const emulators = await startEmulatorsInChildProcess();
    try {
      // Two services, two ports.
      expect(emulators.kinesisEndpoint).not.toBe(emulators.dynamoEndpoint);
      const [streams, tables] = await Promise.all([
        createStreams(emulators.kinesis, 'child-test', () => 1),
        createTables(emulators.dynamo, 'child-test'),
      ]);

      await emulators.kinesis.send(
        new PutRecordCommand({
          StreamName: streams.orders,
          PartitionKey: 'k',
          Data: new TextEncoder().encode('{"a":1}'),
        }),
      );
      const iterator = await emulators.kinesis.send(
        new GetShardIteratorCommand({
          StreamName: streams.orders,
          ShardId: 'shardId-000000000000',
          ShardIteratorType: 'TRIM_HORIZON',
        }),
      );
      const read = await emulators.kinesis.send(
        new GetRecordsCommand({ ShardIterator: iterator.ShardIterator }),
      );
      await emulators.documents.send(
        new PutCommand({ TableName: tables.orders, Item: { order_id: 'ORD-CHILD-1', status: 'created' } }),
      );
      const item = await emulators.documents.send(
        new GetCommand({ TableName: tables.orders, Key: { order_id: 'ORD-CHILD-1' }, ConsistentRead: true }),
      );

      expect(read.Records?.map((r) => new TextDecoder().decode(r.Data))).toEqual(['{"a":1}']);
      expect(item.Item).toEqual({ order_id: 'ORD-CHILD-1', status: 'created' });
    } finally {
      await emulators.stop();
    }

    // Nothing listens on either port any more: both processes have exited.
    await expect(fetch(emulators.kinesisEndpoint)).rejects.toThrow();
    await expect(fetch(emulators.dynamoEndpoint)).rejects.toThrow();
  });
});
