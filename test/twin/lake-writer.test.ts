/**
 * The Firehose stand-in: every raw record lands in the lake folder, partitioned by event date with the
 * shared layout, and records without a usable event_time go to the unparsed prefix with Firehose's
 * error-record shape.
 */
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  PutRecordsCommand,
} from '@aws-sdk/client-kinesis';
import { Emulators, startEmulators } from '../../twin/emulators';
import { LakeWriter, partitionRawRecord } from '../../twin/lake-writer';

let emulators: Emulators;
let root: string;

beforeAll(async () => {
  emulators = await startEmulators();
  root = await mkdtemp(join(tmpdir(), 'lake-writer-'));
});

afterAll(async () => {
  await emulators.stop();
  await rm(root, { recursive: true, force: true });
});

async function newStream(name: string, shards: number): Promise<void> {
  await emulators.kinesis.send(new CreateStreamCommand({ StreamName: name, ShardCount: shards }));
  for (;;) {
    const d = await emulators.kinesis.send(new DescribeStreamSummaryCommand({ StreamName: name }));
    if (d.StreamDescriptionSummary?.StreamStatus === 'ACTIVE') return;
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function files(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) out.push(relative(dir, join(e.parentPath, e.name)));
  }
  return out.sort();
}

describe('partitionRawRecord', () => {
  test.each([
    ['JSON with event_time', '{"event_time":"2024-09-18T14:15:00Z","x":1}', '2024-09-18'],
    ['JSON with a date-only event_time', '{"event_time":"2024-09-18"}', '2024-09-18'],
  ])('%s is partitioned by its date', (_label, text, date) => {
    // Act
    const p = partitionRawRecord(Buffer.from(text));
    // Assess
    expect(p).toEqual({ ok: true, date, line: text });
  });

  test.each([
    ['malformed JSON', Buffer.from('{"event_time": "2024-09-18'), /not JSON/],
    ['bytes that are not UTF-8', Buffer.from([0xff, 0xfe, 0x00, 0x80]), /not UTF-8/],
    ['JSON without event_time', Buffer.from('{"event_type":"order.created"}'), /event_time/],
    ['a JSON array', Buffer.from('[1,2]'), /event_time/],
    ['an event_time that is not a date', Buffer.from('{"event_time":"yesterday"}'), /event_time/],
  ])('%s cannot be partitioned', (_label, bytes, message) => {
    // Act
    const p = partitionRawRecord(bytes);
    // Assess
    expect(p.ok).toBe(false);
    expect(p.ok ? '' : p.message).toMatch(message);
  });

  test('a pretty-printed record is written on one line', () => {
    // Act
    const p = partitionRawRecord(Buffer.from('{\n  "event_time": "2024-09-18T00:00:00Z"\n}'));
    // Assess
    expect(p).toEqual({ ok: true, date: '2024-09-18', line: '{"event_time":"2024-09-18T00:00:00Z"}' });
  });
});

describe('LakeWriter', () => {
  test('writes every record once, by event date, and the unparsable ones to the error prefix', async () => {
    // Prepare
    await newStream('lake-test-orders', 2);
    const lakeRoot = join(root, 'lake', 'raw');
    const valid = [
      { event_id: 'e-00000001', event_time: '2024-09-18T10:00:00Z', order_id: 'o-1' },
      { event_id: 'e-00000002', event_time: '2024-09-19T10:00:00Z', order_id: 'o-2' },
      { event_id: 'e-00000003', event_time: '2024-09-18T11:00:00Z', quantity: -5 },
    ].map((v) => Buffer.from(JSON.stringify(v)));
    const invalid = [Buffer.from('{"event_time": "2024-09-18T1'), Buffer.from([0xc3, 0x28])];
    await emulators.kinesis.send(
      new PutRecordsCommand({
        StreamName: 'lake-test-orders',
        Records: [...valid, ...invalid].map((Data, i) => ({ Data, PartitionKey: `k${i}` })),
      }),
    );
    const writer = new LakeWriter({
      kinesis: emulators.kinesis,
      lakeRoot,
      streams: [{ streamId: 'orders', streamName: 'lake-test-orders' }],
    });
    // Act
    await writer.drain();
    await writer.drain(); // a second pass finds nothing new
    // Assess
    const written = await files(lakeRoot);
    expect(written.filter((f) => f.startsWith('events/'))).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^events\/stream=orders\/event_date=2024-09-18\/orders-shardId-\d+-\d+\.jsonl$/,
        ),
        expect.stringMatching(/^events\/stream=orders\/event_date=2024-09-19\//),
      ]),
    );
    const stats = writer.stats().orders;
    expect(stats.records).toBe(3);
    expect(stats.unparsedRecords).toBe(2);
    expect(stats.objects).toBe(written.filter((f) => f.startsWith('events/')).length);
    const lines: string[] = [];
    for (const f of written.filter((x) => x.startsWith('events/'))) {
      lines.push(...(await readFile(join(lakeRoot, f), 'utf8')).trim().split('\n'));
    }
    expect(lines.sort()).toEqual(valid.map((b) => b.toString()).sort());
    const unparsed = written.filter((f) => f.startsWith('events-unparsed/'));
    expect(
      unparsed.every((f) =>
        /^events-unparsed\/stream=orders\/partitioning-failed\/\d{4}-\d{2}-\d{2}\//.test(f),
      ),
    ).toBe(true);
    const errors = [];
    for (const f of unparsed) {
      for (const l of (await readFile(join(lakeRoot, f), 'utf8')).trim().split('\n'))
        errors.push(JSON.parse(l));
    }
    expect(errors.map((e) => Buffer.from(e.rawData, 'base64').toString('hex')).sort()).toEqual(
      invalid.map((b) => b.toString('hex')).sort(),
    );
    expect(errors[0]).toMatchObject({
      errorCode: 'DynamicPartitioning.MetadataExtractionFailed',
      attemptsMade: 1,
    });
  });
});
