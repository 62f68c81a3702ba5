/**
 * The `stock-ledger` table's two operations, batched across the records in flight: "was this
 * movement already applied?" (a consistent read by event_id) and "record it as applied" (a put).
 *
 * The batch loop runs up to 32 records of different SKUs at once, and each reads and writes the
 * ledger once. Rather than one GetItem and one PutItem per movement, the reads asked for in the same
 * turn of the event loop go out as one BatchGetItem (up to 100 keys, consistent) and the writes as
 * one BatchWriteItem (up to 25 items), through DataLoader with its cache turned off (every answer
 * comes from the table, never from memory). A movement of 3 calls becomes about 1 plus a share of
 * two batched calls: half the DynamoDB requests of a mixed stream, the same items and the same
 * guarantees. And before a batch applies anything, {@link StockLedger.prefetch} reads the ledger for
 * all of its event ids, so that a movement's chain is the stock update and the ledger write only.
 *
 * Each caller still waits for its own answer, so the order of applyMovement's steps is unchanged:
 * the ledger write of a movement has finished before the next movement of its SKU and warehouse
 * starts. A batched call that fails fails every movement in it (each is retried, and finds what it
 * needs in `stock.last_event_id` and the ledger); keys or items DynamoDB leaves unprocessed
 * (throttling) are sent again with backoff, and a call that still leaves some after
 * {@link LEDGER_BATCH_ATTEMPTS} attempts fails those movements.
 */
import { BatchGetCommand, BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import DataLoader from 'dataloader';

/** BatchGetItem's limit of keys per call. */
const MAX_GET_KEYS = 100;
/** BatchWriteItem's limit of items per call. */
const MAX_WRITE_ITEMS = 25;
/** Attempts at a batched call's unprocessed keys or items before its movements fail. */
export const LEDGER_BATCH_ATTEMPTS = 5;

/** A ledger entry; `event_id` is the table's key. */
export interface LedgerEntry extends Record<string, unknown> {
  readonly event_id: string;
}

/** What {@link StockLedger} needs: the client and the table, and optionally the pause between attempts. */
export interface StockLedgerOptions {
  readonly documents: DynamoDBDocumentClient;
  readonly table: string;
  /**
   * Waits before attempt `attempt` (2, 3, ...) at unprocessed keys or items.
   * @default - 50 ms × 2^(attempt − 2), with jitter
   */
  readonly pause?: (attempt: number) => Promise<void>;
}

function defaultPause(attempt: number): Promise<void> {
  const ms = 50 * 2 ** (attempt - 2) * (0.5 + Math.random() / 2);
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The error of the movements whose ledger call DynamoDB left unprocessed after every attempt. */
export class LedgerUnprocessedError extends Error {
  constructor(operation: string, count: number) {
    super(
      `${operation} left ${count} ledger key(s) unprocessed after ${LEDGER_BATCH_ATTEMPTS} attempts (throttled); the movements are retried`,
    );
    this.name = 'LedgerUnprocessedError';
  }
}

/** Reads and writes `stock-ledger`, batching the calls of the records in flight. */
export class StockLedger {
  private readonly reads: DataLoader<string, boolean>;
  private readonly writes: DataLoader<LedgerEntry, void, string>;
  private readonly pause: (attempt: number) => Promise<void>;
  /**
   * The prefetched answers of the batches under way: what the ledger held when each batch began,
   * turned true when the batch records the id (a later copy of it in the batch is a duplicate).
   */
  private readonly held = new Map<string, boolean>();

  constructor(private readonly options: StockLedgerOptions) {
    this.pause = options.pause ?? defaultPause;
    const batchScheduleFn = (send: () => void) => setImmediate(send);
    this.reads = new DataLoader((ids) => this.readBatch(ids), {
      cache: false,
      maxBatchSize: MAX_GET_KEYS,
      batchScheduleFn,
    });
    this.writes = new DataLoader((entries) => this.writeBatch(entries), {
      cache: false,
      maxBatchSize: MAX_WRITE_ITEMS,
      batchScheduleFn,
    });
  }

  /**
   * Reads, before a batch applies anything, whether the ledger holds each of its event ids (consistent
   * BatchGetItem calls of up to 100 keys, sent together), so that {@link has} answers a movement of
   * the batch without a call in its chain: from these reads, or true once the batch itself recorded
   * the id (a copy of an event later in the same batch). That is exact because nothing else writes
   * these ids meanwhile: a copy of an event shares its partition key, hence its shard, and a shard's
   * batches run one at a time. Returns the function that forgets them when the batch is done. An id
   * whose read failed is not kept, and its movement reads for itself.
   */
  async prefetch(eventIds: readonly string[]): Promise<() => void> {
    const ids = [...new Set(eventIds)];
    const chunks: string[][] = [];
    for (let i = 0; i < ids.length; i += MAX_GET_KEYS) chunks.push(ids.slice(i, i + MAX_GET_KEYS));
    const answers = await Promise.all(chunks.map((c) => this.readBatch(c)));
    chunks.forEach((c, k) =>
      c.forEach((id, j) => {
        const a = answers[k][j];
        if (typeof a === 'boolean') this.held.set(id, a);
      }),
    );
    return () => {
      for (const id of ids) this.held.delete(id);
    };
  }

  /** Whether the ledger holds `eventId`: a consistent read, unless the batch's prefetch answered it. */
  has(eventId: string): Promise<boolean> {
    const held = this.held.get(eventId);
    if (held !== undefined) return Promise.resolve(held);
    return this.reads.load(eventId);
  }

  /** Records an applied movement; resolves once the item is stored. */
  async record(entry: LedgerEntry): Promise<void> {
    await this.writes.load(entry);
    if (this.held.has(entry.event_id)) this.held.set(entry.event_id, true);
  }

  private async readBatch(ids: readonly string[]): Promise<(boolean | Error)[]> {
    const { documents, table } = this.options;
    const found = new Set<string>();
    // BatchGetItem refuses a key listed twice; two records of one event_id may be in flight at once.
    let pending = [...new Set(ids)].map((event_id) => ({ event_id }));
    for (let attempt = 1; pending.length > 0; attempt++) {
      if (attempt > LEDGER_BATCH_ATTEMPTS) {
        const left = new Set(pending.map((k) => k.event_id));
        const error = new LedgerUnprocessedError('BatchGetItem', left.size);
        return ids.map((id) => (left.has(id) ? error : found.has(id)));
      }
      if (attempt > 1) await this.pause(attempt);
      const out = await documents.send(
        new BatchGetCommand({
          RequestItems: {
            [table]: { Keys: pending, ConsistentRead: true, ProjectionExpression: 'event_id' },
          },
        }),
      );
      for (const item of out.Responses?.[table] ?? []) found.add(String(item.event_id));
      pending = (out.UnprocessedKeys?.[table]?.Keys ?? []) as { event_id: string }[];
    }
    return ids.map((id) => found.has(id));
  }

  private async writeBatch(entries: readonly LedgerEntry[]): Promise<(void | Error)[]> {
    const { documents, table } = this.options;
    // BatchWriteItem refuses an item key twice in one call; the later entry of an event_id wins.
    const byId = new Map<string, LedgerEntry>();
    for (const e of entries) byId.set(e.event_id, e);
    let pending = [...byId.values()].map((Item) => ({ PutRequest: { Item } }));
    for (let attempt = 1; pending.length > 0; attempt++) {
      if (attempt > LEDGER_BATCH_ATTEMPTS) {
        const left = new Set(pending.map((r) => String(r.PutRequest.Item.event_id)));
        const error = new LedgerUnprocessedError('BatchWriteItem', left.size);
        return entries.map((e) => (left.has(e.event_id) ? error : undefined));
      }
      if (attempt > 1) await this.pause(attempt);
      const out = await documents.send(new BatchWriteCommand({ RequestItems: { [table]: pending } }));
      pending = (out.UnprocessedItems?.[table] ?? []) as { PutRequest: { Item: LedgerEntry } }[];
    }
    return entries.map(() => undefined);
  }
}
