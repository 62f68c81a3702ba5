/**
 * Every schema file, imported statically so that esbuild bundles them into each Lambda: a deployed
 * function reads no file at cold start. test/contracts checks that this list and the folder agree.
 */
import applicationLogEvent from './schemas/application-log-event.schema.json';
import applicationLog from './schemas/application-log.schema.json';
import campaignSpend from './schemas/campaign-spend.schema.json';
import campaign from './schemas/campaign.schema.json';
import clickstreamEvent from './schemas/clickstream-event.schema.json';
import common from './schemas/common.schema.json';
import customerInteraction from './schemas/customer-interaction.schema.json';
import customer from './schemas/customer.schema.json';
import inventoryMovement from './schemas/inventory-movement.schema.json';
import orderEvent from './schemas/order-event.schema.json';
import orderHeader from './schemas/order-header.schema.json';
import paymentSettlement from './schemas/payment-settlement.schema.json';
import productMetadataEvent from './schemas/product-metadata-event.schema.json';
import productMetadata from './schemas/product-metadata.schema.json';
import productReview from './schemas/product-review.schema.json';
import product from './schemas/product.schema.json';
import reviewEvent from './schemas/review-event.schema.json';
import session from './schemas/session.schema.json';
import warehouse from './schemas/warehouse.schema.json';

/** The parsed schema files by file name. */
export const SCHEMA_FILES: Readonly<Record<string, Record<string, unknown>>> = {
  'application-log-event.schema.json': applicationLogEvent,
  'application-log.schema.json': applicationLog,
  'campaign-spend.schema.json': campaignSpend,
  'campaign.schema.json': campaign,
  'clickstream-event.schema.json': clickstreamEvent,
  'common.schema.json': common,
  'customer-interaction.schema.json': customerInteraction,
  'customer.schema.json': customer,
  'inventory-movement.schema.json': inventoryMovement,
  'order-event.schema.json': orderEvent,
  'order-header.schema.json': orderHeader,
  'payment-settlement.schema.json': paymentSettlement,
  'product-metadata-event.schema.json': productMetadataEvent,
  'product-metadata.schema.json': productMetadata,
  'product-review.schema.json': productReview,
  'product.schema.json': product,
  'review-event.schema.json': reviewEvent,
  'session.schema.json': session,
  'warehouse.schema.json': warehouse,
};
