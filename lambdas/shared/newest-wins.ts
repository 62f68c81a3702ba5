/**
 * "Newest event wins" for documents that an event replaces whole (product metadata, reviews): a
 * conditional PutItem that only lands if the event is newer than the stored one, by (event_time,
 * event_id). event_id breaks ties so that two events with the same time end in the same state
 * whatever their arrival order; a replay of the stored event changes nothing.
 */
import { PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ApplyOutcome } from './kinesis-transformer';
import { Expression, isConditionalCheckFailed } from './dynamo';

/** The item and the bookkeeping attributes of a newest-wins put. */
export interface NewestWinsPut {
  readonly tableName: string;
  /** The full item, including the key, `timeAttribute` and `idAttribute`. */
  readonly item: Record<string, unknown>;
  /** An attribute of the key (its absence means the item does not exist). */
  readonly keyAttribute: string;
  /** Attribute holding the event_time of the stored version (normalized UTC, so it sorts as text). */
  readonly timeAttribute: string;
  /** Attribute holding the event_id of the stored version. */
  readonly idAttribute: string;
}

/** Puts the item if its event is newer than the stored one; 'duplicate' when it is not. */
export async function putIfNewer(
  documents: DynamoDBDocumentClient,
  put: NewestWinsPut,
): Promise<ApplyOutcome> {
  const x = new Expression();
  const t = x.n(put.timeAttribute);
  const id = x.n(put.idAttribute);
  const time = x.v(put.item[put.timeAttribute]);
  const eventId = x.v(put.item[put.idAttribute]);
  try {
    await documents.send(
      new PutCommand({
        TableName: put.tableName,
        Item: put.item,
        ConditionExpression: `attribute_not_exists(${x.n(put.keyAttribute)}) OR ${t} < ${time} OR (${t} = ${time} AND ${id} < ${eventId})`,
        ...x.attributes,
      }),
    );
    return 'applied';
  } catch (err) {
    if (isConditionalCheckFailed(err)) return 'duplicate';
    throw err;
  }
}

/** Puts the item only if no item has its key: for documents that never change once written. */
export async function putIfAbsent(
  documents: DynamoDBDocumentClient,
  tableName: string,
  item: Record<string, unknown>,
  keyAttribute: string,
): Promise<ApplyOutcome> {
  try {
    await documents.send(
      new PutCommand({
        TableName: tableName,
        Item: item,
        ConditionExpression: 'attribute_not_exists(#key)',
        ExpressionAttributeNames: { '#key': keyAttribute },
      }),
    );
    return 'applied';
  } catch (err) {
    if (isConditionalCheckFailed(err)) return 'duplicate';
    throw err;
  }
}
