/**
 * Where rejected records go: one JSON Lines object per batch (per shard) under the dead-letter prefix
 * of the raw bucket, `dead-letter/stream=<stream>/reject_date=<YYYY-MM-DD>/<shardId>-<first>-<last>.jsonl`.
 * The key is a function of the rejected records alone (their shard, first and last sequence numbers
 * and the arrival date of the first), so a retried batch overwrites its object instead of adding a
 * duplicate. The S3 sink and the local-folder sink share the layout; only the destination differs.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { deadLetterPrefix } from '../../lib/lake/lake-layout';
import type { Rejection } from './rejection';

/** Receives the rejections of a batch. A failed write must throw: the records are then retried. */
export interface DeadLetterSink {
  /** Writes the rejections of one batch (a no-op for an empty list). */
  write(rejections: readonly Rejection[]): Promise<void>;
}

/** One dead-letter object: its key (relative to the bucket or folder root) and its JSON Lines body. */
export interface DeadLetterObject {
  readonly key: string;
  readonly body: string;
}

function compareSequenceNumbers(a: string, b: string): number {
  // Kinesis sequence numbers are decimal strings of up to 128 bits: compare by length, then text.
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

/**
 * Lays out rejections as dead-letter objects: one per stream and shard (a Lambda batch always comes
 * from one shard), records in sequence order, one JSON object per line.
 */
export function deadLetterObjects(rejections: readonly Rejection[]): DeadLetterObject[] {
  const groups = new Map<string, Rejection[]>();
  for (const r of rejections) {
    const group = `${r.stream}\u0000${r.shardId}`;
    const list = groups.get(group);
    if (list) list.push(r);
    else groups.set(group, [r]);
  }
  return [...groups.values()].map((list) => {
    const sorted = [...list].sort((a, b) => compareSequenceNumbers(a.sequenceNumber, b.sequenceNumber));
    const first = sorted[0];
    const last = sorted[sorted.length - 1];
    const date = first.approximateArrivalTimestamp.slice(0, 10);
    const key = `${deadLetterPrefix(first.stream, date)}${first.shardId}-${first.sequenceNumber}-${last.sequenceNumber}.jsonl`;
    return { key, body: sorted.map((r) => JSON.stringify(r)).join('\n') + '\n' };
  });
}

/** Properties of {@link S3DeadLetterSink}. */
export interface S3DeadLetterSinkProps {
  /** The S3 client (created once per container). */
  readonly client: S3Client;
  /** The raw bucket; objects are encrypted with the bucket's default encryption. */
  readonly bucket: string;
}

/** Writes dead-letter objects to the raw bucket with PutObject. */
export class S3DeadLetterSink implements DeadLetterSink {
  constructor(private readonly props: S3DeadLetterSinkProps) {}

  async write(rejections: readonly Rejection[]): Promise<void> {
    for (const object of deadLetterObjects(rejections)) {
      await this.props.client.send(
        new PutObjectCommand({
          Bucket: this.props.bucket,
          Key: object.key,
          Body: object.body,
          ContentType: 'application/x-ndjson',
        }),
      );
    }
  }
}

/** Properties of {@link LocalFolderDeadLetterSink}. */
export interface LocalFolderDeadLetterSinkProps {
  /** The folder that stands for the raw bucket (the local twin's lake folder, or a test's temp folder). */
  readonly root: string;
}

/** Writes dead-letter objects under a local folder laid out like the raw bucket (used by the twin and tests). */
export class LocalFolderDeadLetterSink implements DeadLetterSink {
  constructor(private readonly props: LocalFolderDeadLetterSinkProps) {}

  async write(rejections: readonly Rejection[]): Promise<void> {
    for (const object of deadLetterObjects(rejections)) {
      const file = path.join(this.props.root, ...object.key.split('/'));
      await fs.mkdir(path.dirname(file), { recursive: true });
      // Write then rename, so a reader never sees half an object and a retry replaces it whole.
      const temp = `${file}.${process.pid}.${Date.now()}.tmp`;
      await fs.writeFile(temp, object.body, 'utf8');
      await fs.rename(temp, file);
    }
  }
}
