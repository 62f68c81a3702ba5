/**
 * The Kinesis streams of the platform, defined once: what each carries, how producers choose the
 * partition key, and which transformer consumes it. The ingestion stack, the local twin and the data
 * generator all read this.
 */
import { EventContractName } from '../../contracts/registry';

export type StreamId = 'orders' | 'inventory' | 'clickstream';

export interface StreamDefinition {
  readonly id: StreamId;
  readonly description: string;
  /** Event contracts accepted on this stream; any other event type is rejected with a reason. */
  readonly contracts: readonly EventContractName[];
  /**
   * The field whose value producers use as the partition key. It keeps all events of one order,
   * one SKU in one warehouse, or one session on one shard, in order.
   */
  readonly partitionKeyRule: string;
  /** Folder under lambdas/ of the transformer that consumes the stream. */
  readonly transformer: string;
}

export const STREAMS: Record<StreamId, StreamDefinition> = {
  orders: {
    id: 'orders',
    description: 'Order lifecycle events and product catalogue updates from the shop backend.',
    contracts: ['order-event', 'product-metadata-event'],
    partitionKeyRule: 'order_id (product_id for product.metadata_updated)',
    transformer: 'orders-transformer',
  },
  inventory: {
    id: 'inventory',
    description: 'Stock movements per SKU and warehouse from the warehouse management system.',
    contracts: ['inventory-movement'],
    partitionKeyRule: 'sku#warehouse_id',
    transformer: 'inventory-transformer',
  },
  clickstream: {
    id: 'clickstream',
    description: 'Interactions, reviews and application logs from the web shop and the app.',
    contracts: ['clickstream-event', 'review-event', 'application-log-event'],
    partitionKeyRule: 'interaction_details.session_id (product_id for reviews, log_id for logs)',
    transformer: 'clickstream-transformer',
  },
};

export const STREAM_IDS = Object.keys(STREAMS) as StreamId[];

/** The physical name of a stream for a platform prefix. */
export function streamName(prefix: string, id: StreamId): string {
  return `${prefix}-${id}`;
}
