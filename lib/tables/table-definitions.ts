/**
 * The DynamoDB tables of the platform, defined once. The storage stack builds them with CDK, and the
 * local twin creates the same tables in the emulator from these definitions, so no key schema is
 * written twice. Each table lists the access patterns its keys serve (docs/DESIGN.md explains them).
 */

export type AttributeKind = 'S' | 'N';

export interface KeyAttribute {
  readonly name: string;
  readonly type: AttributeKind;
}

export interface IndexDefinition {
  readonly indexName: string;
  readonly partitionKey: KeyAttribute;
  readonly sortKey?: KeyAttribute;
  /** Attributes projected besides the keys; `ALL` projects the whole item. */
  readonly projection: 'ALL' | 'KEYS_ONLY' | readonly string[];
}

export interface AccessPattern {
  readonly pattern: string;
  /** How it is served: the operation and the key condition. */
  readonly how: string;
}

export interface TableDefinition {
  /** Logical id, also the suffix of the physical table name. */
  readonly id: TableId;
  readonly description: string;
  readonly partitionKey: KeyAttribute;
  readonly sortKey?: KeyAttribute;
  readonly globalIndexes: readonly IndexDefinition[];
  /** Attribute holding an epoch-seconds expiry, when items expire. */
  readonly ttlAttribute?: string;
  readonly accessPatterns: readonly AccessPattern[];
}

export type TableId =
  | 'orders'
  | 'stock'
  | 'stock-ledger'
  | 'customer-interactions'
  | 'product-metadata'
  | 'product-reviews'
  | 'sessions'
  | 'application-logs';

export const TABLES: Record<TableId, TableDefinition> = {
  orders: {
    id: 'orders',
    description: 'Live order status: one item per order with its lines and the time of each status reached.',
    partitionKey: { name: 'order_id', type: 'S' },
    globalIndexes: [
      {
        indexName: 'by-customer',
        partitionKey: { name: 'customer_id', type: 'N' },
        sortKey: { name: 'created_at', type: 'S' },
        projection: ['status', 'order_total', 'currency', 'updated_at'],
      },
      {
        indexName: 'by-status',
        partitionKey: { name: 'status', type: 'S' },
        sortKey: { name: 'status_changed_at', type: 'S' },
        projection: ['customer_id', 'order_total', 'currency', 'created_at'],
      },
    ],
    accessPatterns: [
      { pattern: 'An order by id', how: 'GetItem order_id' },
      {
        pattern: "A customer's orders, newest first",
        how: 'Query by-customer customer_id, ScanIndexForward=false',
      },
      {
        pattern: 'Orders in a status since a time (for example paid but not shipped for 24 h)',
        how: 'Query by-status status = :s AND status_changed_at < :t',
      },
    ],
  },
  stock: {
    id: 'stock',
    description:
      'Live stock per SKU and warehouse: on hand, reserved, available, and headroom above the reorder point.',
    partitionKey: { name: 'sku', type: 'S' },
    sortKey: { name: 'warehouse_id', type: 'S' },
    globalIndexes: [
      {
        indexName: 'by-warehouse-headroom',
        partitionKey: { name: 'warehouse_id', type: 'S' },
        sortKey: { name: 'headroom', type: 'N' },
        projection: ['available', 'on_hand', 'reserved', 'reorder_point', 'updated_at'],
      },
    ],
    accessPatterns: [
      { pattern: "A SKU's stock in every warehouse", how: 'Query sku = :sku' },
      { pattern: 'A SKU in one warehouse', how: 'GetItem sku, warehouse_id' },
      {
        pattern: 'SKUs below their reorder point in a warehouse, most urgent first',
        how: 'Query by-warehouse-headroom warehouse_id = :w AND headroom < 0 (headroom = available - reorder_point)',
      },
    ],
  },
  'stock-ledger': {
    id: 'stock-ledger',
    description:
      'Inventory movements already applied to stock, by event_id: what makes a replayed or duplicated movement change nothing.',
    partitionKey: { name: 'event_id', type: 'S' },
    globalIndexes: [],
    ttlAttribute: 'expires_at',
    accessPatterns: [{ pattern: 'Was this movement applied?', how: 'GetItem event_id (consistent read)' }],
  },
  'customer-interactions': {
    id: 'customer-interactions',
    description: 'customer_interactions documents: every interaction of a customer, newest first.',
    partitionKey: { name: 'customer_id', type: 'N' },
    sortKey: { name: 'interaction_key', type: 'S' },
    globalIndexes: [
      {
        indexName: 'by-product',
        partitionKey: { name: 'product_id', type: 'N' },
        sortKey: { name: 'interaction_key', type: 'S' },
        projection: 'KEYS_ONLY',
      },
    ],
    ttlAttribute: 'expires_at',
    accessPatterns: [
      {
        pattern: "A customer's recent interactions",
        how: 'Query customer_id = :c, ScanIndexForward=false, Limit (interaction_key = timestamp#event_id)',
      },
      { pattern: 'Who interacted with a product recently', how: 'Query by-product product_id = :p' },
    ],
  },
  'product-metadata': {
    id: 'product-metadata',
    description: 'product_metadata documents: specifications, images and tags of a product.',
    partitionKey: { name: 'product_id', type: 'N' },
    globalIndexes: [],
    accessPatterns: [{ pattern: "A product's metadata", how: 'GetItem product_id' }],
  },
  'product-reviews': {
    id: 'product-reviews',
    description: 'product_reviews documents: the reviews of a product, newest first.',
    partitionKey: { name: 'product_id', type: 'N' },
    sortKey: { name: 'review_key', type: 'S' },
    globalIndexes: [
      {
        indexName: 'by-customer',
        partitionKey: { name: 'customer_id', type: 'N' },
        sortKey: { name: 'review_date', type: 'S' },
        projection: ['rating', 'product_id', 'review_id'],
      },
    ],
    accessPatterns: [
      {
        pattern: "A product's reviews, newest first",
        how: 'Query product_id = :p, ScanIndexForward=false (review_key = review_date#review_id)',
      },
      { pattern: "A customer's reviews", how: 'Query by-customer customer_id = :c' },
    ],
  },
  sessions: {
    id: 'sessions',
    description: 'session_data documents: the pages visited and actions taken in a session.',
    partitionKey: { name: 'session_id', type: 'S' },
    globalIndexes: [
      {
        indexName: 'by-customer',
        partitionKey: { name: 'customer_id', type: 'N' },
        sortKey: { name: 'start_time', type: 'S' },
        projection: ['end_time', 'page_count', 'action_count'],
      },
    ],
    ttlAttribute: 'expires_at',
    accessPatterns: [
      { pattern: 'A session by id', how: 'GetItem session_id' },
      {
        pattern: "A customer's sessions, newest first",
        how: 'Query by-customer customer_id = :c, ScanIndexForward=false',
      },
    ],
  },
  'application-logs': {
    id: 'application-logs',
    description: 'application_logs documents, by level and day.',
    partitionKey: { name: 'log_partition', type: 'S' },
    sortKey: { name: 'log_key', type: 'S' },
    globalIndexes: [],
    ttlAttribute: 'expires_at',
    accessPatterns: [
      {
        pattern: 'The errors of a day, newest first',
        how: 'Query log_partition = ERROR#2024-09-18, ScanIndexForward=false (log_key = timestamp#log_id)',
      },
    ],
  },
};

export const TABLE_IDS = Object.keys(TABLES) as TableId[];

/** The physical name of a table for a platform prefix (for example `ecom-dev`). */
export function tableName(prefix: string, id: TableId): string {
  return `${prefix}-${id}`;
}

/** The environment variable through which a Lambda learns a table's name. */
export function tableEnvVar(id: TableId): string {
  return `TABLE_${id.toUpperCase().replace(/-/g, '_')}`;
}

/**
 * The document tables: semi-structured documents the lake keeps a curated copy of (exported to the
 * raw zone and curated by glue-scripts/jobs/dynamodb_documents_to_curated.py). The others (orders,
 * stock, stock-ledger) are live state whose history the lake has from the events.
 */
export const DOCUMENT_TABLE_IDS = [
  'customer-interactions',
  'product-reviews',
  'sessions',
  'product-metadata',
  'application-logs',
] as const satisfies readonly TableId[];

/** The id of a document table. */
export type DocumentTableId = (typeof DOCUMENT_TABLE_IDS)[number];
