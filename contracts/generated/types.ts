/* eslint-disable */
/**
 * GENERATED from contracts/schemas by scripts/generate-contract-types.ts. Do not edit by hand:
 * change the schema and run `npm run contracts:generate`.
 */

/**
 * A change in an order's life, emitted by the shop backend on the orders stream. order.created carries the lines; later events carry what changed.
 */
export interface OrderEvent {
  /**
   * Idempotency key of an event, unique across all streams. A UUID or any opaque id of 8 to 64 safe characters.
   */
  event_id: string;
  event_type:
    | 'order.created'
    | 'order.paid'
    | 'order.shipped'
    | 'order.delivered'
    | 'order.cancelled'
    | 'order.returned';
  /**
   * RFC 3339 date-time with an offset (Z or +hh:mm). Normalized to UTC with a Z suffix by the transformers.
   */
  event_time: string;
  /**
   * Major version of the contract the producer wrote. A version this platform does not know is rejected, never guessed at.
   */
  schema_version: number;
  /**
   * Order identifier.
   */
  order_id: string;
  /**
   * Customer identifier.
   */
  customer_id?: number;
  channel?: 'web' | 'mobile_app' | 'marketplace' | 'store';
  /**
   * ISO 4217 code in upper case.
   */
  currency?: string;
  /**
   * Campaign the order is attributed to (last touch), if any.
   */
  campaign_id?: string | null;
  /**
   * @minItems 1
   * @maxItems 200
   */
  lines?: OrderLine[];
  /**
   * A non-negative amount with at most 4 decimals, as a JSON number or a decimal string. Normalized to a decimal string with the currency's minor digits.
   */
  shipping_amount?: number | string;
  payment?: {
    method: 'card' | 'paypal' | 'bank_transfer' | 'gift_card' | 'cash_on_delivery';
    /**
     * A non-negative amount with at most 4 decimals, as a JSON number or a decimal string. Normalized to a decimal string with the currency's minor digits.
     */
    amount: number | string;
    provider_reference?: string;
  };
  shipment?: {
    /**
     * Warehouse identifier.
     */
    warehouse_id: string;
    carrier?: string;
    tracking_number?: string;
  };
  /**
   * Why an order was cancelled or returned.
   */
  reason?: string;
  /**
   * Line numbers and quantities returned (order.returned).
   *
   * @minItems 1
   */
  returned_lines?: {
    line_number: number;
    quantity: number;
  }[];
}
/**
 * One line of an order: a SKU, its quantity and price.
 */
export interface OrderLine {
  line_number: number;
  /**
   * Stock keeping unit: a sellable variant of a product.
   */
  sku: string;
  /**
   * Product identifier.
   */
  product_id: number;
  quantity: number;
  /**
   * A non-negative amount with at most 4 decimals, as a JSON number or a decimal string. Normalized to a decimal string with the currency's minor digits.
   */
  unit_price: number | string;
  /**
   * Total discount on the line, in the order currency.
   */
  discount?: number | string;
}

/**
 * A stock movement of one SKU in one warehouse, emitted by the warehouse management system on the inventory stream. quantity is always positive; the event type (and direction, for adjustments) says which way stock moves.
 */
export interface InventoryMovement {
  /**
   * Idempotency key of an event, unique across all streams. A UUID or any opaque id of 8 to 64 safe characters.
   */
  event_id: string;
  event_type:
    | 'inventory.received'
    | 'inventory.reserved'
    | 'inventory.released'
    | 'inventory.shipped'
    | 'inventory.adjusted';
  /**
   * RFC 3339 date-time with an offset (Z or +hh:mm). Normalized to UTC with a Z suffix by the transformers.
   */
  event_time: string;
  /**
   * Major version of the contract the producer wrote. A version this platform does not know is rejected, never guessed at.
   */
  schema_version: number;
  /**
   * Stock keeping unit: a sellable variant of a product.
   */
  sku: string;
  /**
   * Product identifier.
   */
  product_id?: number;
  /**
   * Warehouse identifier.
   */
  warehouse_id: string;
  quantity: number;
  /**
   * For inventory.adjusted: whether the count goes up or down.
   */
  direction?: 'increase' | 'decrease';
  /**
   * The order a reservation, release or shipment belongs to.
   */
  order_id?: string;
  /**
   * Units of available stock below which the SKU should be reordered in this warehouse.
   */
  reorder_point?: number;
  reason?: string;
}

/**
 * A customer interaction on the clickstream stream: the envelope plus a customer_interactions document.
 */
export interface ClickstreamEvent {
  /**
   * Idempotency key of an event, unique across all streams. A UUID or any opaque id of 8 to 64 safe characters.
   */
  event_id: string;
  event_type: 'clickstream.interaction';
  /**
   * RFC 3339 date-time with an offset (Z or +hh:mm). Normalized to UTC with a Z suffix by the transformers.
   */
  event_time: string;
  /**
   * Major version of the contract the producer wrote. A version this platform does not know is rejected, never guessed at.
   */
  schema_version: number;
  /**
   * Customer identifier.
   */
  customer_id: number;
  interaction_type:
    | 'browse'
    | 'search'
    | 'click'
    | 'add_to_cart'
    | 'remove_from_cart'
    | 'wishlist'
    | 'checkout_attempt'
    | 'purchase';
  /**
   * RFC 3339 date-time with an offset (Z or +hh:mm). Normalized to UTC with a Z suffix by the transformers.
   */
  timestamp: string;
  page: string;
  /**
   * Product identifier.
   */
  product_id?: number;
  search_query?: string;
  interaction_details: {
    action?: string;
    clicked_element?: string;
    /**
     * Web or app session identifier.
     */
    session_id: string;
    status?: string;
    referrer?: string;
    device?: 'desktop' | 'mobile' | 'tablet' | 'app';
  };
}

/**
 * A review submitted or edited, on the clickstream stream: the envelope plus a product_reviews document.
 */
export interface ReviewEvent {
  /**
   * Idempotency key of an event, unique across all streams. A UUID or any opaque id of 8 to 64 safe characters.
   */
  event_id: string;
  event_type: 'review.submitted' | 'review.updated';
  /**
   * RFC 3339 date-time with an offset (Z or +hh:mm). Normalized to UTC with a Z suffix by the transformers.
   */
  event_time: string;
  /**
   * Major version of the contract the producer wrote. A version this platform does not know is rejected, never guessed at.
   */
  schema_version: number;
  review_id: number;
  /**
   * Product identifier.
   */
  product_id: number;
  /**
   * Customer identifier.
   */
  customer_id: number;
  rating: number;
  title?: string;
  review_text?: string;
  /**
   * RFC 3339 date-time with an offset (Z or +hh:mm). Normalized to UTC with a Z suffix by the transformers.
   */
  review_date: string;
  verified_purchase?: boolean;
  /**
   * @maxItems 20
   */
  review_media?: {
    media_type: 'image' | 'video';
    url: string;
  }[];
}

/**
 * A product metadata change from the catalogue service, on the orders stream: the envelope plus a product_metadata document.
 */
export interface ProductMetadataEvent {
  /**
   * Idempotency key of an event, unique across all streams. A UUID or any opaque id of 8 to 64 safe characters.
   */
  event_id: string;
  event_type: 'product.metadata_updated';
  /**
   * RFC 3339 date-time with an offset (Z or +hh:mm). Normalized to UTC with a Z suffix by the transformers.
   */
  event_time: string;
  /**
   * Major version of the contract the producer wrote. A version this platform does not know is rejected, never guessed at.
   */
  schema_version: number;
  /**
   * Product identifier.
   */
  product_id: number;
  metadata: {
    specifications: {
      [k: string]: string | number | boolean;
    };
    /**
     * @maxItems 50
     */
    images?: {
      url: string;
      alt_text?: string;
    }[];
    /**
     * @maxItems 100
     */
    tags?: string[];
  };
}

/**
 * An application log entry shipped on the clickstream stream: the envelope plus an application_logs document.
 */
export interface ApplicationLogEvent {
  /**
   * Idempotency key of an event, unique across all streams. A UUID or any opaque id of 8 to 64 safe characters.
   */
  event_id: string;
  event_type: 'app.log';
  /**
   * RFC 3339 date-time with an offset (Z or +hh:mm). Normalized to UTC with a Z suffix by the transformers.
   */
  event_time: string;
  /**
   * Major version of the contract the producer wrote. A version this platform does not know is rejected, never guessed at.
   */
  schema_version: number;
  log_id: number;
  log_level: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'FATAL';
  message: string;
  /**
   * RFC 3339 date-time with an offset (Z or +hh:mm). Normalized to UTC with a Z suffix by the transformers.
   */
  timestamp: string;
  service?: string;
  /**
   * Product identifier.
   */
  product_id?: number;
  /**
   * Customer identifier.
   */
  customer_id?: number;
  error_code?: string;
  request_id?: string;
}

/**
 * One interaction of a customer with the shop (a page view, a click, a search, a cart change), as stored in the customer_interactions table. The root is closed; $defs.Fields is the open form that the matching event extends.
 */
export interface CustomerInteraction {
  /**
   * Customer identifier.
   */
  customer_id: number;
  interaction_type:
    | 'browse'
    | 'search'
    | 'click'
    | 'add_to_cart'
    | 'remove_from_cart'
    | 'wishlist'
    | 'checkout_attempt'
    | 'purchase';
  /**
   * RFC 3339 date-time with an offset (Z or +hh:mm). Normalized to UTC with a Z suffix by the transformers.
   */
  timestamp: string;
  page: string;
  /**
   * Product identifier.
   */
  product_id?: number;
  search_query?: string;
  interaction_details: {
    action?: string;
    clicked_element?: string;
    /**
     * Web or app session identifier.
     */
    session_id: string;
    status?: string;
    referrer?: string;
    device?: 'desktop' | 'mobile' | 'tablet' | 'app';
  };
}

/**
 * Semi-structured description of a product: free-form specifications, images and tags, as stored in the product_metadata table. The root is closed; $defs.Fields is the open form that the matching event extends.
 */
export interface ProductMetadata {
  /**
   * Product identifier.
   */
  product_id: number;
  metadata: {
    specifications: {
      [k: string]: string | number | boolean;
    };
    /**
     * @maxItems 50
     */
    images?: {
      url: string;
      alt_text?: string;
    }[];
    /**
     * @maxItems 100
     */
    tags?: string[];
  };
}

/**
 * A customer review of a product, as stored in the product_reviews table. The root is closed; $defs.Fields is the open form that the matching event extends.
 */
export interface ProductReview {
  review_id: number;
  /**
   * Product identifier.
   */
  product_id: number;
  /**
   * Customer identifier.
   */
  customer_id: number;
  rating: number;
  title?: string;
  review_text?: string;
  /**
   * RFC 3339 date-time with an offset (Z or +hh:mm). Normalized to UTC with a Z suffix by the transformers.
   */
  review_date: string;
  verified_purchase?: boolean;
  /**
   * @maxItems 20
   */
  review_media?: {
    media_type: 'image' | 'video';
    url: string;
  }[];
}

/**
 * A browsing session: the pages visited and the actions taken, as stored in the session_data table. Built by the clickstream transformer from interactions. The root is closed; $defs.Fields is the open form that the matching event extends.
 */
export interface Session {
  /**
   * Web or app session identifier.
   */
  session_id: string;
  /**
   * Customer identifier.
   */
  customer_id: number;
  /**
   * RFC 3339 date-time with an offset (Z or +hh:mm). Normalized to UTC with a Z suffix by the transformers.
   */
  start_time: string;
  /**
   * RFC 3339 date-time with an offset (Z or +hh:mm). Normalized to UTC with a Z suffix by the transformers.
   */
  end_time?: string;
  pages_visited: {
    page_name: string;
    /**
     * RFC 3339 date-time with an offset (Z or +hh:mm). Normalized to UTC with a Z suffix by the transformers.
     */
    visit_timestamp: string;
    /**
     * Product identifier.
     */
    product_id?: number;
  }[];
  actions: {
    action: string;
    /**
     * Product identifier.
     */
    product_id?: number;
    /**
     * RFC 3339 date-time with an offset (Z or +hh:mm). Normalized to UTC with a Z suffix by the transformers.
     */
    timestamp: string;
    status?: string;
  }[];
}

/**
 * One application log entry of the shop, as stored in the application_logs table. The root is closed; $defs.Fields is the open form that the matching event extends.
 */
export interface ApplicationLog {
  log_id: number;
  log_level: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'FATAL';
  message: string;
  /**
   * RFC 3339 date-time with an offset (Z or +hh:mm). Normalized to UTC with a Z suffix by the transformers.
   */
  timestamp: string;
  service?: string;
  /**
   * Product identifier.
   */
  product_id?: number;
  /**
   * Customer identifier.
   */
  customer_id?: number;
  error_code?: string;
  request_id?: string;
}

/**
 * A customer of the shop (OLTP entity; SCD type 2 in the warehouse).
 */
export interface Customer {
  /**
   * Customer identifier.
   */
  customer_id: number;
  email: string;
  first_name?: string;
  last_name?: string;
  /**
   * ISO 3166-1 alpha-2.
   */
  country: string;
  city?: string;
  loyalty_tier?: 'none' | 'silver' | 'gold' | 'platinum';
  /**
   * Calendar date, YYYY-MM-DD.
   */
  signup_date: string;
  /**
   * RFC 3339 date-time with an offset (Z or +hh:mm). Normalized to UTC with a Z suffix by the transformers.
   */
  updated_at: string;
}

/**
 * A sellable SKU with its product, category and list price (OLTP entity; SCD type 2 in the warehouse).
 */
export interface Product {
  /**
   * Stock keeping unit: a sellable variant of a product.
   */
  sku: string;
  /**
   * Product identifier.
   */
  product_id: number;
  name: string;
  category: string;
  subcategory?: string;
  brand?: string;
  /**
   * A non-negative amount with at most 4 decimals, as a JSON number or a decimal string. Normalized to a decimal string with the currency's minor digits.
   */
  list_price: number | string;
  /**
   * ISO 4217 code in upper case.
   */
  currency: string;
  reorder_point?: number;
  active: boolean;
  /**
   * RFC 3339 date-time with an offset (Z or +hh:mm). Normalized to UTC with a Z suffix by the transformers.
   */
  updated_at: string;
}

/**
 * A marketing campaign with its channel, dates and budget.
 */
export interface Campaign {
  /**
   * Campaign identifier.
   */
  campaign_id: string;
  name: string;
  channel: 'email' | 'social' | 'search' | 'display' | 'affiliate';
  /**
   * Calendar date, YYYY-MM-DD.
   */
  start_date: string;
  /**
   * Calendar date, YYYY-MM-DD.
   */
  end_date: string;
  /**
   * A non-negative amount with at most 4 decimals, as a JSON number or a decimal string. Normalized to a decimal string with the currency's minor digits.
   */
  budget: number | string;
  /**
   * ISO 4217 code in upper case.
   */
  currency: string;
  discount_pct?: number;
  /**
   * RFC 3339 date-time with an offset (Z or +hh:mm). Normalized to UTC with a Z suffix by the transformers.
   */
  updated_at: string;
}

/**
 * A warehouse that holds stock.
 */
export interface Warehouse {
  /**
   * Warehouse identifier.
   */
  warehouse_id: string;
  name: string;
  /**
   * ISO 3166-1 alpha-2.
   */
  country: string;
  city?: string;
  capacity_units?: number;
  /**
   * RFC 3339 date-time with an offset (Z or +hh:mm). Normalized to UTC with a Z suffix by the transformers.
   */
  updated_at: string;
}

/**
 * An order's header row in the shop's OLTP database: who ordered, through which channel, the total and the current status (OLTP entity; its status history is kept in the lake). Derived in the twin from the order events.
 */
export interface OrderHeader {
  /**
   * Order identifier.
   */
  order_id: string;
  /**
   * Customer identifier.
   */
  customer_id: number;
  /**
   * The order's current status: the event type of its latest order event without the `order.` prefix.
   */
  status: 'created' | 'paid' | 'shipped' | 'delivered' | 'cancelled' | 'returned';
  channel: 'web' | 'mobile_app' | 'marketplace' | 'store';
  /**
   * ISO 4217 code in upper case.
   */
  currency: string;
  /**
   * Campaign the order is attributed to (last touch), if any.
   */
  campaign_id?: string | null;
  /**
   * Sum of the lines (quantity x unit price - discount) plus shipping, in the order currency.
   */
  order_total: number | string;
  line_count?: number;
  /**
   * When the order was created (order.created event_time).
   */
  placed_at: string;
  /**
   * RFC 3339 date-time with an offset (Z or +hh:mm). Normalized to UTC with a Z suffix by the transformers.
   */
  updated_at: string;
}

/**
 * What an ad platform reports it spent on one campaign, on one channel, on one day (UTC): a row of the daily third-party campaign spend file (CSV or JSON Lines). The natural key is spend_date, campaign_id, channel and source; a platform that restates a day sends the whole row again in a later file.
 */
export interface CampaignSpend {
  /**
   * The day the spend was incurred (UTC), YYYY-MM-DD.
   */
  spend_date: string;
  /**
   * Campaign identifier.
   */
  campaign_id: string;
  channel: 'email' | 'social' | 'search' | 'display' | 'affiliate';
  /**
   * The platform that reports the spend (google_ads, meta_ads, ...), lower case.
   */
  source: string;
  impressions: number;
  clicks: number;
  /**
   * Conversions the platform attributes to the campaign that day (its own attribution).
   */
  conversions?: number;
  /**
   * A non-negative amount with at most 4 decimals, as a JSON number or a decimal string. Normalized to a decimal string with the currency's minor digits.
   */
  spend: number | string;
  /**
   * ISO 4217 code in upper case.
   */
  currency: string;
  /**
   * When the platform produced the report.
   */
  reported_at?: string;
}

/**
 * One line of the payment provider's settlement report (JSON Lines or CSV): money that moved for an order. Amounts are non-negative; the direction comes from status: settled credits the shop (net = amount - fee), refunded and chargeback debit it (net = amount + fee). The natural key is settlement_id.
 */
export interface PaymentSettlement {
  /**
   * The provider's id of this settlement line, unique across its reports.
   */
  settlement_id: string;
  /**
   * Order identifier.
   */
  order_id: string;
  /**
   * The provider's payment reference (order.paid payment.provider_reference), if any.
   */
  payment_reference?: string;
  status: 'settled' | 'refunded' | 'chargeback';
  payment_method?: 'card' | 'paypal' | 'bank_transfer' | 'gift_card' | 'cash_on_delivery';
  /**
   * Gross amount of the payment, refund or chargeback.
   */
  amount: number | string;
  /**
   * The provider's fee on this line.
   */
  fee: number | string;
  /**
   * What reaches (settled) or leaves (refunded, chargeback) the shop's account.
   */
  net: number | string;
  /**
   * ISO 4217 code in upper case.
   */
  currency: string;
  /**
   * RFC 3339 date-time with an offset (Z or +hh:mm). Normalized to UTC with a Z suffix by the transformers.
   */
  settled_at: string;
  /**
   * The payment provider, lower case.
   */
  provider?: string;
}
