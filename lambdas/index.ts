/**
 * The transformers' public surface for the local twin, the benchmark and the integration tests: the
 * factories that build a handler with any clients and destinations, the pure per-record pipeline,
 * and the dead-letter sinks. Re-exports only.
 */
export { createOrdersTransformer, ordersApplier } from './orders-transformer/transformer';
export { createInventoryTransformer, inventoryApplier } from './inventory-transformer/transformer';
export { createClickstreamTransformer, clickstreamApplier } from './clickstream-transformer/transformer';
export {
  createKinesisTransformer,
  publishBatchMetrics,
  SkippedRecordError,
} from './shared/kinesis-transformer';
export type {
  ApplyEvent,
  ApplyOutcome,
  BatchOutcome,
  KinesisTransformer,
  KinesisTransformerOptions,
  TransformerLogger,
} from './shared/kinesis-transformer';
export { prepareRecord } from './shared/prepare-record';
export type { PrepareSettings, PreparedRecord } from './shared/prepare-record';
export { decodeRecordData } from './shared/decode';
export { normalizeEvent, NormalizationError } from './shared/normalize';
export type { NormalizedEvent, NormalizedOrderEvent, NormalizedOrderLine } from './shared/normalize';
export { LocalFolderDeadLetterSink, S3DeadLetterSink, deadLetterObjects } from './shared/dead-letter';
export type { DeadLetterObject, DeadLetterSink } from './shared/dead-letter';
export { REJECTION_CODES } from './shared/rejection';
export type { Rejection, RejectionCode } from './shared/rejection';
export type { ApplyDeps, TransformerDeps } from './shared/transformer-deps';
export { DOCUMENT_MARSHALL_OPTIONS } from './shared/clients';
