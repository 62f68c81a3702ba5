/**
 * The orders transformer: order events → `orders`, product.metadata_updated → `product-metadata`.
 */
import {
  ApplyEvent,
  BusinessMetricName,
  KinesisTransformer,
  createKinesisTransformer,
} from '../shared/kinesis-transformer';
import { ApplyDeps, TransformerDeps, assertStream, requireTable } from '../shared/transformer-deps';
import { applyOrderEvent } from './apply-order-event';
import { applyProductMetadata } from './apply-product-metadata';

/** The apply function of the orders stream. */
export function ordersApplier(deps: ApplyDeps): ApplyEvent {
  requireTable(deps.settings, 'orders');
  requireTable(deps.settings, 'product-metadata');
  return async (normalized, business) => {
    switch (normalized.contract) {
      case 'order-event':
        return applyOrderEvent(deps, normalized.event, business);
      case 'product-metadata-event':
        return applyProductMetadata(deps, normalized.event);
      default:
        throw new Error(`the orders transformer cannot apply ${normalized.contract} events`);
    }
  };
}

/**
 * The business metrics of the orders stream, published with every batch (0 in a batch without a new
 * order, so that the orders-per-minute alarm sees a quiet stream as 0 and a silent one as missing).
 */
export const ORDERS_BUSINESS_METRICS: readonly BusinessMetricName[] = ['orders_created', 'order_revenue'];

/**
 * Builds the orders transformer (the deployed handler and the local twin use the same factory).
 *
 * @example
 * const transform = createOrdersTransformer({ settings, documents, deadLetter: new LocalFolderDeadLetterSink({ root }) });
 * const { batchItemFailures } = await transform(kinesisEvent);
 */
export function createOrdersTransformer(deps: TransformerDeps): KinesisTransformer {
  assertStream(deps.settings, 'orders', 'the orders transformer');
  return createKinesisTransformer({
    ...deps,
    applyEvent: ordersApplier(deps),
    businessMetrics: ORDERS_BUSINESS_METRICS,
  });
}
