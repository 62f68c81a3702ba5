/**
 * The registry of data contracts: one JSON Schema file per event, document and entity in
 * `contracts/schemas/` is the single source of truth. TypeScript types are generated from it
 * (`contracts/generated/types.ts`, `npm run contracts:generate`), the transformers validate with it,
 * and the Glue jobs read the same files.
 */

/** Every contract, by the name used across the platform. */
export const CONTRACTS = {
  // events
  'order-event': 'order-event.schema.json',
  'inventory-movement': 'inventory-movement.schema.json',
  'clickstream-event': 'clickstream-event.schema.json',
  'review-event': 'review-event.schema.json',
  'product-metadata-event': 'product-metadata-event.schema.json',
  'application-log-event': 'application-log-event.schema.json',
  // documents (DynamoDB)
  'customer-interaction': 'customer-interaction.schema.json',
  'product-metadata': 'product-metadata.schema.json',
  'product-review': 'product-review.schema.json',
  session: 'session.schema.json',
  'application-log': 'application-log.schema.json',
  // entities (OLTP)
  customer: 'customer.schema.json',
  product: 'product.schema.json',
  campaign: 'campaign.schema.json',
  warehouse: 'warehouse.schema.json',
  'order-header': 'order-header.schema.json',
  // third-party files (raw zone drops)
  'campaign-spend': 'campaign-spend.schema.json',
  'payment-settlement': 'payment-settlement.schema.json',
} as const;

export type ContractName = keyof typeof CONTRACTS;

/** Contracts that are events on a stream, each with the event types it defines. */
export const EVENT_CONTRACTS = {
  'order-event': [
    'order.created',
    'order.paid',
    'order.shipped',
    'order.delivered',
    'order.cancelled',
    'order.returned',
  ],
  'inventory-movement': [
    'inventory.received',
    'inventory.reserved',
    'inventory.released',
    'inventory.shipped',
    'inventory.adjusted',
  ],
  'clickstream-event': ['clickstream.interaction'],
  'review-event': ['review.submitted', 'review.updated'],
  'product-metadata-event': ['product.metadata_updated'],
  'application-log-event': ['app.log'],
} as const satisfies Partial<Record<ContractName, readonly string[]>>;

export type EventContractName = keyof typeof EVENT_CONTRACTS;
export type EventType = (typeof EVENT_CONTRACTS)[EventContractName][number];

/** The newest schema_version of each event contract that this code understands. */
export const SUPPORTED_SCHEMA_VERSION = 1;

/** Every event type with the contract that defines it, built once. */
const CONTRACT_OF_EVENT_TYPE: ReadonlyMap<string, EventContractName> = new Map(
  (Object.entries(EVENT_CONTRACTS) as [EventContractName, readonly string[]][]).flatMap(([name, types]) =>
    types.map((type) => [type, name] as const),
  ),
);

/** Which contract defines an event type. */
export function contractOfEventType(eventType: string): EventContractName | undefined {
  return CONTRACT_OF_EVENT_TYPE.get(eventType);
}
