/**
 * Interactions → `sessions`: the session_data document built incrementally, one UpdateItem per
 * interaction.
 *
 * - A browse interaction appends { page_name, visit_timestamp, product_id? } to pages_visited; any
 *   other appends { action: interaction_type, product_id?, timestamp, status? } to actions.
 * - The session item keeps a string set of the event ids it has applied; every update adds the event
 *   id under the condition that it is not in the set yet, so a replay appends nothing.
 * - start_time is the earliest and end_time the latest interaction timestamp. DynamoDB cannot take a
 *   min or max in an update expression, so the common case (an interaction newer than the session's
 *   end) is one conditional write that sets end_time, guarded by `end_time <= :ts`. When that guard
 *   fails, the item is read (consistently) and the update is repeated with start_time and end_time
 *   computed and the read values as an optimistic condition. Each write is atomic, so the result is
 *   exact and idempotent whatever the arrival order.
 * - The set is bounded: a session takes at most {@link MAX_SESSION_EVENTS} interactions; later ones
 *   are still stored in customer-interactions but no longer appended to the session. The bound keeps
 *   the item far below DynamoDB's 400 KB limit (a write over it would fail the batch on every retry)
 *   and bounds the cost of an append, since an update consumes write units for the whole item
 *   (about 200 bytes per interaction: 40 KB, hence up to 40 WCU per append, at the bound).
 */
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { ClickstreamEvent, Session } from '../../contracts/generated/types';
import { expiresAt } from '../shared/normalize';
import type { ApplyOutcome } from '../shared/kinesis-transformer';
import { Expression, isConditionalCheckFailed } from '../shared/dynamo';
import { ApplyDeps, clockOf, requireTable } from '../shared/transformer-deps';

/** The most interactions one session item takes. */
export const MAX_SESSION_EVENTS = 200;

/** Attributes of a sessions item that are not part of the session_data document. */
export const SESSION_STORAGE_ATTRIBUTES = [
  'event_ids',
  'page_count',
  'action_count',
  'expires_at',
  'updated_at',
] as const;

const MAX_ATTEMPTS = 5;

type PageVisit = Session['pages_visited'][number];
type SessionAction = Session['actions'][number];

/** What an interaction adds to its session: a page visit or an action. */
export type SessionEntry =
  | { readonly list: 'pages_visited'; readonly entry: PageVisit }
  | { readonly list: 'actions'; readonly entry: SessionAction };

/** The session entry of an interaction. */
export function sessionEntry(e: ClickstreamEvent): SessionEntry {
  const product = e.product_id !== undefined ? { product_id: e.product_id } : {};
  if (e.interaction_type === 'browse') {
    return { list: 'pages_visited', entry: { page_name: e.page, visit_timestamp: e.timestamp, ...product } };
  }
  const status = e.interaction_details.status;
  return {
    list: 'actions',
    entry: {
      action: e.interaction_type,
      ...product,
      timestamp: e.timestamp,
      ...(status !== undefined ? { status } : {}),
    },
  };
}

/** The stored fields the slow path reads. */
interface SessionBounds {
  readonly start_time?: string;
  readonly end_time?: string;
  readonly event_ids?: Set<string>;
}

/**
 * Appends one interaction to its session. 'applied' when appended, 'duplicate' when it was already
 * there or the session is full.
 */
export async function applySessionInteraction(deps: ApplyDeps, e: ClickstreamEvent): Promise<ApplyOutcome> {
  const tableName = requireTable(deps.settings, 'sessions');
  const key = { session_id: e.interaction_details.session_id };
  const ts = e.timestamp;
  const ttlDays = deps.settings.ttlDays.sessions;

  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    // Fast path: the interaction is the newest of its session (or the session is new).
    const fast = appendExpression(deps, e);
    fast.setOnce('start_time', ts).set('end_time', ts).set('expires_at', expiresAt(ts, ttlDays));
    const end = fast.n('end_time');
    try {
      await send(
        deps,
        tableName,
        key,
        fast,
        `${notAppliedYet(fast, e.event_id)} AND (attribute_not_exists(${end}) OR ${end} <= ${fast.v(ts)})`,
      );
      return 'applied';
    } catch (err) {
      if (!isConditionalCheckFailed(err)) throw err;
    }

    // Slow path: read why, then write start/end computed from what was read.
    const read = await deps.documents.send(
      new GetCommand({
        TableName: tableName,
        Key: key,
        ConsistentRead: true,
        ProjectionExpression: '#s, #e, #i',
        ExpressionAttributeNames: { '#s': 'start_time', '#e': 'end_time', '#i': 'event_ids' },
      }),
    );
    const stored = read.Item as SessionBounds | undefined;
    if (!stored) continue; // deleted (expired) in between: start over
    const ids = stored.event_ids ?? new Set<string>();
    if (ids.has(e.event_id)) return 'duplicate';
    if (ids.size >= MAX_SESSION_EVENTS) return 'duplicate';
    const start = stored.start_time !== undefined && stored.start_time < ts ? stored.start_time : ts;
    const finish = stored.end_time !== undefined && stored.end_time > ts ? stored.end_time : ts;
    const slow = appendExpression(deps, e);
    slow.set('start_time', start).set('end_time', finish).set('expires_at', expiresAt(finish, ttlDays));
    const same = (attribute: 'start_time' | 'end_time'): string =>
      stored[attribute] === undefined
        ? `attribute_not_exists(${slow.n(attribute)})`
        : `${slow.n(attribute)} = ${slow.v(stored[attribute])}`;
    try {
      await send(
        deps,
        tableName,
        key,
        slow,
        `${notAppliedYet(slow, e.event_id)} AND ${same('start_time')} AND ${same('end_time')}`,
      );
      return 'applied';
    } catch (err) {
      if (!isConditionalCheckFailed(err)) throw err;
      // Changed between the read and the write: try again.
    }
  }
  throw new Error(
    `session ${key.session_id} kept changing while event ${e.event_id} was appended (${MAX_ATTEMPTS} attempts); the batch will be retried`,
  );
}

/** The part of the update shared by both paths: the entry, the counters, the id set, the customer. */
function appendExpression(deps: ApplyDeps, e: ClickstreamEvent): Expression {
  const { list, entry } = sessionEntry(e);
  const other = list === 'pages_visited' ? 'actions' : 'pages_visited';
  const x = new Expression();
  const target = x.n(list);
  x.setClause(`${target} = list_append(if_not_exists(${target}, ${x.v([])}), ${x.v([entry])})`)
    .setOnce(other, [])
    .setOnce('customer_id', e.customer_id)
    .set('updated_at', clockOf(deps)().toISOString())
    .add('event_ids', new Set([e.event_id]))
    .add('page_count', list === 'pages_visited' ? 1 : 0)
    .add('action_count', list === 'actions' ? 1 : 0);
  return x;
}

/** The condition that the event is not in the session yet and the session is not full. */
function notAppliedYet(x: Expression, eventId: string): string {
  const ids = x.n('event_ids');
  return `(attribute_not_exists(${ids}) OR (NOT contains(${ids}, ${x.v(eventId)}) AND size(${ids}) < ${x.v(MAX_SESSION_EVENTS)}))`;
}

async function send(
  deps: ApplyDeps,
  tableName: string,
  key: Record<string, unknown>,
  x: Expression,
  condition: string,
): Promise<void> {
  await deps.documents.send(
    new UpdateCommand({
      TableName: tableName,
      Key: key,
      UpdateExpression: x.updateExpression,
      ConditionExpression: condition,
      ...x.attributes,
    }),
  );
}
