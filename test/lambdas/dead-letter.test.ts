import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LocalFolderDeadLetterSink, deadLetterObjects } from '../../lambdas/shared/dead-letter';
import { Rejection } from '../../lambdas/shared/rejection';

function rejection(sequenceNumber: string, overrides: Partial<Rejection> = {}): Rejection {
  return {
    code: 'MALFORMED_JSON',
    message: 'payload is not valid JSON',
    stream: 'orders',
    shardId: 'shardId-000000000001',
    sequenceNumber,
    partitionKey: 'ORD-1',
    approximateArrivalTimestamp: '2024-09-18T23:59:59.000Z',
    data: 'e30=',
    truncated: false,
    rejectedAt: '2024-09-19T00:00:01.000Z',
    ...overrides,
  };
}

describe('deadLetterObjects', () => {
  test('writes one JSON Lines object per shard, keyed by its first and last sequence numbers', () => {
    // Prepare: sequence numbers compare as numbers, not text ("9" < "10").
    const rejections = [rejection('10'), rejection('9'), rejection('123')];

    // Act
    const objects = deadLetterObjects(rejections);

    // Assess
    expect(objects).toHaveLength(1);
    expect(objects[0].key).toBe(
      'dead-letter/stream=orders/reject_date=2024-09-18/shardId-000000000001-9-123.jsonl',
    );
    const lines = objects[0].body
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Rejection);
    expect(lines.map((l) => l.sequenceNumber)).toEqual(['9', '10', '123']);
  });

  test('separates shards', () => {
    const objects = deadLetterObjects([rejection('1'), rejection('2', { shardId: 'shardId-000000000002' })]);

    expect(objects.map((o) => o.key).sort()).toEqual([
      'dead-letter/stream=orders/reject_date=2024-09-18/shardId-000000000001-1-1.jsonl',
      'dead-letter/stream=orders/reject_date=2024-09-18/shardId-000000000002-2-2.jsonl',
    ]);
  });

  test('gives a retried batch the same key, whenever it is retried', () => {
    const first = deadLetterObjects([rejection('5'), rejection('7')]);
    const retry = deadLetterObjects([
      rejection('5', { rejectedAt: '2024-09-20T08:00:00.000Z' }),
      rejection('7'),
    ]);

    expect(retry[0].key).toBe(first[0].key);
  });
});

describe('LocalFolderDeadLetterSink', () => {
  let root: string;

  beforeEach(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'dead-letter-'));
  });

  afterEach(async () => {
    await fs.rm(root, { recursive: true, force: true });
  });

  test('lays objects out like the raw bucket and overwrites on retry', async () => {
    // Prepare
    const sink = new LocalFolderDeadLetterSink({ root });

    // Act
    await sink.write([rejection('5'), rejection('7')]);
    await sink.write([rejection('5'), rejection('7')]);

    // Assess
    const dir = path.join(root, 'dead-letter', 'stream=orders', 'reject_date=2024-09-18');
    expect(await fs.readdir(dir)).toEqual(['shardId-000000000001-5-7.jsonl']);
    const body = await fs.readFile(path.join(dir, 'shardId-000000000001-5-7.jsonl'), 'utf8');
    expect(body.trimEnd().split('\n')).toHaveLength(2);
  });

  test('writes nothing for an empty list', async () => {
    await new LocalFolderDeadLetterSink({ root }).write([]);

    expect(await fs.readdir(root)).toEqual([]);
  });
});
