/**
 * GENERATED from api/openapi.yaml by scripts/generate-api-types.ts. Do not edit by hand:
 * change the source and run `npx tsx scripts/generate-api-types.ts`.
 */

export interface paths {
  '/v1/sales/trend': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Revenue, orders, units and average order value per day, week or month
     * @description One item per period (day, ISO week starting on Monday, or calendar month) whose start lies
     *     between `from` and `to` (inclusive), oldest first. Without filters the figures are those of
     *     analytics.sales_daily / sales_weekly / sales_monthly; with `category`, `channel` or `region`
     *     they are aggregated from analytics.sales_lines with the filters (orders = distinct orders
     *     with a matching line). Periods without sales have zeros. `from` and `to` must lie between
     *     2000-01-01 and 2100-12-31, `from` <= `to`, at most 3,660 days apart.
     */
    get: operations['getSalesTrend'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/products/top': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * The SKUs that earned the most in a month
     * @description From analytics.top_products_monthly (the month's top 100, ranked by revenue; ties by units, then SKU). A month without sales has no items.
     */
    get: operations['getTopProducts'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/categories/top': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * The categories that earned the most in a month
     * @description From analytics.top_categories_monthly (category at order time). A month without sales has no items.
     */
    get: operations['getTopCategories'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/customers/segments': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * The size of each RFM segment, in customers and in revenue
     * @description From analytics.customer_segments, the largest revenue first.
     */
    get: operations['listCustomerSegments'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/customers/{customer_id}/segment': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * A customer's RFM scores and segment
     * @description From analytics.customer_rfm. A customer without an order (or unknown) is 404.
     */
    get: operations['getCustomerSegment'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/campaigns/{campaign_id}/performance': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * What a campaign cost and brought in
     * @description From analytics.campaign_performance. An unknown campaign is 404.
     */
    get: operations['getCampaignPerformance'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/campaigns/ranking': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Campaigns ranked by return on ad spend, revenue, orders or conversion rate
     * @description From analytics.campaign_performance, the best first; campaigns whose measure is NULL (no
     *     spend, no clicks) come last; ties are broken by campaign_id. `rank` is 1-based over the
     *     whole ranking, not the page.
     */
    get: operations['listCampaignRanking'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/stock/below-reorder-point': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * The SKUs of a warehouse whose available stock is below their reorder point, most urgent first
     * @description Live, from the DynamoDB `stock` table (index `by-warehouse-headroom`: headroom = available -
     *     reorder point < 0), the lowest headroom first. A warehouse without such SKUs (or unknown)
     *     has no items.
     */
    get: operations['listSkusBelowReorderPoint'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/stock/{sku}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * A SKU's live stock in every warehouse
     * @description Live, from the DynamoDB `stock` table. A SKU without stock positions is 404.
     */
    get: operations['getSkuStock'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/orders/{order_id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * An order's live status
     * @description Live, from the DynamoDB `orders` table. An unknown order is 404.
     */
    get: operations['getOrder'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/freshness': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * How fresh each dataset is
     * @description `datasets`: analytics.data_freshness (per fact table: newest event loaded, latest load, rows);
     *     `streams`: realtime.stream_lag (per stream read by streaming ingestion: newest event, lag).
     */
    get: operations['getFreshness'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/queries/{query_id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Poll a warehouse query that was answered 202
     * @description 202 while the query runs (poll again after `Retry-After` seconds); 200 with the answer the
     *     original operation would have given (`result`, of the operation `operation_id`); 404 when
     *     the id is unknown, is not a query of this API, or its result has expired (after 24 hours).
     */
    get: operations['getQueryResult'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
}
export type webhooks = Record<string, never>;
export interface components {
  schemas: {
    /**
     * @description RFC 9457 problem details. `type` is one of (base https://docs.ecommerce-data-platform.example/problems/):
     *     `invalid-parameter` (400), `unknown-parameter` (400), `invalid-page-token` (400),
     *     `unauthenticated` (403), `forbidden` (403, a request the gateway's firewall refused),
     *     `not-found` (404), `throttled` (429, from API Gateway), `internal` (500), `query-failed` (502).
     */
    Problem: {
      /** @enum {string} */
      type:
        | 'https://docs.ecommerce-data-platform.example/problems/invalid-parameter'
        | 'https://docs.ecommerce-data-platform.example/problems/unknown-parameter'
        | 'https://docs.ecommerce-data-platform.example/problems/invalid-page-token'
        | 'https://docs.ecommerce-data-platform.example/problems/unauthenticated'
        | 'https://docs.ecommerce-data-platform.example/problems/forbidden'
        | 'https://docs.ecommerce-data-platform.example/problems/throttled'
        | 'https://docs.ecommerce-data-platform.example/problems/not-found'
        | 'https://docs.ecommerce-data-platform.example/problems/internal'
        | 'https://docs.ecommerce-data-platform.example/problems/query-failed';
      title: string;
      status: number;
      detail: string;
      /** @description the path of the request */
      instance?: string;
      request_id?: string;
      invalid_params?: {
        name: string;
        /** @enum {string} */
        in?: 'query' | 'path' | 'header';
        reason: string;
      }[];
    };
    QueryRunning: {
      query_id: components['schemas']['QueryId'];
      /** @enum {string} */
      status: 'running';
      /** @description the URL path to poll */
      location: string;
    };
    QueryResult: {
      query_id: components['schemas']['QueryId'];
      /** @enum {string} */
      status: 'finished';
      /** @enum {string} */
      operation_id:
        | 'getSalesTrend'
        | 'getTopProducts'
        | 'getTopCategories'
        | 'listCustomerSegments'
        | 'getCustomerSegment'
        | 'getCampaignPerformance'
        | 'listCampaignRanking'
        | 'getFreshness';
      result:
        | components['schemas']['SalesTrendPage']
        | components['schemas']['TopProducts']
        | components['schemas']['TopCategories']
        | components['schemas']['CustomerSegments']
        | components['schemas']['CustomerSegment']
        | components['schemas']['CampaignPerformance']
        | components['schemas']['CampaignRankingPage']
        | components['schemas']['Freshness'];
    };
    /** @description a Redshift Data API statement id (a UUID) */
    QueryId: string;
    /** Format: date */
    Date: string;
    /** Format: date-time */
    DateTime: string;
    /** @description EUR */
    Money: number;
    /** @description EUR (null when not defined) */
    NullableMoney: number | null;
    /** @description a fraction (0.12 = 12%); null when its denominator is 0 or missing */
    Ratio: number | null;
    Category: string;
    /** @enum {string} */
    SalesChannel: 'web' | 'mobile_app' | 'marketplace' | 'store';
    CountryCode: string;
    Sku: string;
    WarehouseId: string;
    OrderId: string;
    CampaignId: string;
    /** @description pass as `page_token` for the next page; null on the last page */
    NextPageToken: string | null;
    SalesPeriod: {
      period_start: components['schemas']['Date'];
      orders: number;
      units: number;
      revenue: components['schemas']['Money'];
      average_order_value: components['schemas']['NullableMoney'];
    };
    SalesTrendPage: {
      /** @enum {string} */
      grain: 'day' | 'week' | 'month';
      from: components['schemas']['Date'];
      to: components['schemas']['Date'];
      filters: {
        category?: string;
        channel?: string;
        region?: string;
      };
      items: components['schemas']['SalesPeriod'][];
      next_page_token: components['schemas']['NextPageToken'];
    };
    TopProduct: {
      rank: number;
      sku: string;
      product_name: string | null;
      category: string | null;
      brand: string | null;
      orders: number;
      units: number;
      revenue: components['schemas']['Money'];
      revenue_share: components['schemas']['Ratio'];
    };
    TopProducts: {
      /** @description YYYY-MM */
      month: string;
      items: components['schemas']['TopProduct'][];
    };
    TopCategory: {
      rank: number;
      category: string | null;
      orders: number;
      units: number;
      revenue: components['schemas']['Money'];
      revenue_share: components['schemas']['Ratio'];
      revenue_prev_month: components['schemas']['NullableMoney'];
      revenue_change_prev_month: components['schemas']['Ratio'];
    };
    TopCategories: {
      /** @description YYYY-MM */
      month: string;
      items: components['schemas']['TopCategory'][];
    };
    SegmentSize: {
      segment: string;
      customers: number;
      customer_share: components['schemas']['Ratio'];
      revenue: components['schemas']['Money'];
      revenue_share: components['schemas']['Ratio'];
      avg_recency_days: number | null;
      avg_frequency: number | null;
      avg_monetary: components['schemas']['NullableMoney'];
    };
    CustomerSegments: {
      items: components['schemas']['SegmentSize'][];
    };
    CustomerSegment: {
      customer_id: number;
      segment: string;
      rfm_cell: number;
      r_score: number;
      f_score: number;
      m_score: number;
      recency_days: number;
      frequency: number;
      monetary: components['schemas']['Money'];
      first_order_date: components['schemas']['Date'];
      last_order_date: components['schemas']['Date'];
    };
    CampaignPerformance: {
      campaign_id: string;
      campaign_name: string | null;
      channel: string | null;
      /** Format: date */
      start_date: string | null;
      /** Format: date */
      end_date: string | null;
      budget: components['schemas']['NullableMoney'];
      spend: components['schemas']['NullableMoney'];
      /**
       * Format: date
       * @description The latest day whose spend the partners have reported (they report a day's spend the day after). The attributed orders and revenue, and so roas, cpa and conversion_rate, count the orders placed on or before it; null while no spend is loaded.
       */
      spend_reported_through?: string | null;
      impressions?: number | null;
      clicks?: number | null;
      reported_conversions?: number | null;
      attributed_orders: number | null;
      attributed_revenue: components['schemas']['NullableMoney'];
      click_through_rate?: components['schemas']['Ratio'];
      conversion_rate?: components['schemas']['Ratio'];
      roas: components['schemas']['Ratio'];
      cpa?: components['schemas']['NullableMoney'];
      campaign_days_observed?: number | null;
      avg_daily_revenue_during?: components['schemas']['NullableMoney'];
      avg_daily_revenue_baseline?: components['schemas']['NullableMoney'];
      revenue_uplift?: components['schemas']['Ratio'];
    };
    CampaignRank: {
      rank: number;
      campaign_id: string;
      campaign_name: string | null;
      channel: string | null;
      spend: components['schemas']['NullableMoney'];
      attributed_orders: number | null;
      attributed_revenue: components['schemas']['NullableMoney'];
      roas: components['schemas']['Ratio'];
      conversion_rate: components['schemas']['Ratio'];
      cpa: components['schemas']['NullableMoney'];
    };
    CampaignRankingPage: {
      /** @enum {string} */
      by: 'roas' | 'revenue' | 'orders' | 'conversion_rate';
      items: components['schemas']['CampaignRank'][];
      next_page_token: components['schemas']['NextPageToken'];
    };
    StockPosition: {
      sku: string;
      warehouse_id: string;
      on_hand: number;
      reserved: number;
      available: number;
      reorder_point?: number | null;
      /** @description available - reorder point */
      headroom?: number | null;
      updated_at?: string | null;
    };
    SkuStock: {
      sku: string;
      warehouses: components['schemas']['StockPosition'][];
      totals: {
        on_hand: number;
        reserved: number;
        available: number;
      };
    };
    StockPositionPage: {
      warehouse_id: string;
      items: components['schemas']['StockPosition'][];
      next_page_token: components['schemas']['NextPageToken'];
    };
    OrderLine: {
      line_number: number;
      sku: string;
      product_id?: number | null;
      quantity: number;
      /** @description decimal string in the order's currency */
      unit_price: string;
      /** @description decimal string in the order's currency */
      discount?: string | null;
    };
    Order: {
      order_id: string;
      /** @enum {string} */
      status: 'created' | 'paid' | 'shipped' | 'delivered' | 'cancelled' | 'returned';
      /** @description event time of the status */
      status_changed_at: string;
      customer_id?: number | null;
      channel?: string | null;
      currency?: string | null;
      campaign_id?: string | null;
      /** @description decimal string in the order's currency (lines net of discounts plus shipping) */
      order_total?: string | null;
      shipping_amount?: string | null;
      item_count?: number | null;
      lines?: components['schemas']['OrderLine'][] | null;
      /** @description the event time at which the order reached each status it reached */
      status_times?: {
        created?: string;
        paid?: string;
        shipped?: string;
        delivered?: string;
        cancelled?: string;
        returned?: string;
      };
      cancellation_reason?: string | null;
      return_reason?: string | null;
      updated_at: string;
    };
    DatasetFreshness: {
      table_name: string;
      dataset: string | null;
      row_count: number;
      latest_event_time: string | null;
      latest_loaded_at: string | null;
      latest_partition?: string | null;
      loads?: number | null;
      hours_since_last_load: number | null;
    };
    StreamFreshness: {
      stream: string;
      newest_event_time: string | null;
      newest_arrival_time?: string | null;
      lag_seconds: number | null;
      records_last_5_minutes?: number | null;
      events?: number | null;
      unparsed_records?: number | null;
    };
    Freshness: {
      datasets: components['schemas']['DatasetFreshness'][];
      streams: components['schemas']['StreamFreshness'][];
    };
  };
  responses: {
    /** @description the warehouse query is still running; poll `Location` */
    QueryRunning: {
      headers: {
        Location: components['headers']['Location'];
        'Retry-After': components['headers']['RetryAfter'];
        [name: string]: unknown;
      };
      content: {
        'application/json': components['schemas']['QueryRunning'];
      };
    };
    /**
     * @description bad input: `invalid-parameter` (wrong type, format, range, or a parameter given twice),
     *     `unknown-parameter`, `invalid-page-token`
     */
    BadRequest: {
      headers: {
        [name: string]: unknown;
      };
      content: {
        'application/problem+json': components['schemas']['Problem'];
      };
    };
    /** @description `unauthenticated`: the request is not signed, or its signature is not valid (`forbidden`: refused by the gateway's firewall) */
    Unauthenticated: {
      headers: {
        [name: string]: unknown;
      };
      content: {
        'application/problem+json': components['schemas']['Problem'];
      };
    };
    /** @description `throttled`: API Gateway's throttling or the daily quota; retry after `Retry-After` seconds */
    TooManyRequests: {
      headers: {
        'Retry-After': components['headers']['RetryAfter'];
        [name: string]: unknown;
      };
      content: {
        'application/problem+json': components['schemas']['Problem'];
      };
    };
    /** @description `not-found`: no such resource */
    NotFound: {
      headers: {
        [name: string]: unknown;
      };
      content: {
        'application/problem+json': components['schemas']['Problem'];
      };
    };
    /** @description `internal`: an unexpected failure of the service (never bad input) */
    InternalError: {
      headers: {
        [name: string]: unknown;
      };
      content: {
        'application/problem+json': components['schemas']['Problem'];
      };
    };
    /** @description `query-failed`: the warehouse or table could not answer (never bad input) */
    QueryFailed: {
      headers: {
        [name: string]: unknown;
      };
      content: {
        'application/problem+json': components['schemas']['Problem'];
      };
    };
  };
  parameters: {
    /** @description items per page (1 to 500) */
    PageSize: number;
    /** @description the `next_page_token` of the previous page, as given (opaque, signed) */
    PageToken: string;
    /** @description the calendar month, `YYYY-MM` (2000-01 to 2100-12) */
    Month: string;
  };
  requestBodies: never;
  headers: {
    /** @description where to poll the query (`/v1/queries/{query_id}`) */
    Location: string;
    /** @description seconds to wait before polling */
    RetryAfter: number;
  };
  pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
  getSalesTrend: {
    parameters: {
      query: {
        grain: 'day' | 'week' | 'month';
        /** @description first period start (inclusive) */
        from: components['schemas']['Date'];
        /** @description last period start (inclusive) */
        to: components['schemas']['Date'];
        /** @description product category at order time, e.g. `Electronics` */
        category?: components['schemas']['Category'];
        /** @description sales channel of the order */
        channel?: components['schemas']['SalesChannel'];
        /** @description the customer's country at order time (ISO 3166-1 alpha-2) */
        region?: components['schemas']['CountryCode'];
        /** @description items per page (1 to 500) */
        page_size?: components['parameters']['PageSize'];
        /** @description the `next_page_token` of the previous page, as given (opaque, signed) */
        page_token?: components['parameters']['PageToken'];
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description the periods of the page */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['SalesTrendPage'];
        };
      };
      202: components['responses']['QueryRunning'];
      400: components['responses']['BadRequest'];
      403: components['responses']['Unauthenticated'];
      429: components['responses']['TooManyRequests'];
      500: components['responses']['InternalError'];
      502: components['responses']['QueryFailed'];
    };
  };
  getTopProducts: {
    parameters: {
      query: {
        /** @description the calendar month, `YYYY-MM` (2000-01 to 2100-12) */
        month: components['parameters']['Month'];
        /** @description how many of the top SKUs (1 to 100) */
        limit?: number;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description the month's top SKUs, best first */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['TopProducts'];
        };
      };
      202: components['responses']['QueryRunning'];
      400: components['responses']['BadRequest'];
      403: components['responses']['Unauthenticated'];
      429: components['responses']['TooManyRequests'];
      500: components['responses']['InternalError'];
      502: components['responses']['QueryFailed'];
    };
  };
  getTopCategories: {
    parameters: {
      query: {
        /** @description the calendar month, `YYYY-MM` (2000-01 to 2100-12) */
        month: components['parameters']['Month'];
        /** @description how many of the top categories (1 to 100) */
        limit?: number;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description the month's categories, best first */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['TopCategories'];
        };
      };
      202: components['responses']['QueryRunning'];
      400: components['responses']['BadRequest'];
      403: components['responses']['Unauthenticated'];
      429: components['responses']['TooManyRequests'];
      500: components['responses']['InternalError'];
      502: components['responses']['QueryFailed'];
    };
  };
  listCustomerSegments: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description every segment that has customers */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['CustomerSegments'];
        };
      };
      202: components['responses']['QueryRunning'];
      400: components['responses']['BadRequest'];
      403: components['responses']['Unauthenticated'];
      429: components['responses']['TooManyRequests'];
      500: components['responses']['InternalError'];
      502: components['responses']['QueryFailed'];
    };
  };
  getCustomerSegment: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        customer_id: number;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description the customer's segment */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['CustomerSegment'];
        };
      };
      202: components['responses']['QueryRunning'];
      400: components['responses']['BadRequest'];
      403: components['responses']['Unauthenticated'];
      404: components['responses']['NotFound'];
      429: components['responses']['TooManyRequests'];
      500: components['responses']['InternalError'];
      502: components['responses']['QueryFailed'];
    };
  };
  getCampaignPerformance: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        campaign_id: components['schemas']['CampaignId'];
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description the campaign's performance */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['CampaignPerformance'];
        };
      };
      202: components['responses']['QueryRunning'];
      400: components['responses']['BadRequest'];
      403: components['responses']['Unauthenticated'];
      404: components['responses']['NotFound'];
      429: components['responses']['TooManyRequests'];
      500: components['responses']['InternalError'];
      502: components['responses']['QueryFailed'];
    };
  };
  listCampaignRanking: {
    parameters: {
      query?: {
        by?: 'roas' | 'revenue' | 'orders' | 'conversion_rate';
        /** @description items per page (1 to 500) */
        page_size?: components['parameters']['PageSize'];
        /** @description the `next_page_token` of the previous page, as given (opaque, signed) */
        page_token?: components['parameters']['PageToken'];
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description a page of the ranking */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['CampaignRankingPage'];
        };
      };
      202: components['responses']['QueryRunning'];
      400: components['responses']['BadRequest'];
      403: components['responses']['Unauthenticated'];
      429: components['responses']['TooManyRequests'];
      500: components['responses']['InternalError'];
      502: components['responses']['QueryFailed'];
    };
  };
  listSkusBelowReorderPoint: {
    parameters: {
      query: {
        warehouse_id: components['schemas']['WarehouseId'];
        /** @description items per page (1 to 500) */
        page_size?: components['parameters']['PageSize'];
        /** @description the `next_page_token` of the previous page, as given (opaque, signed) */
        page_token?: components['parameters']['PageToken'];
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description a page of the SKUs below their reorder point */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['StockPositionPage'];
        };
      };
      400: components['responses']['BadRequest'];
      403: components['responses']['Unauthenticated'];
      429: components['responses']['TooManyRequests'];
      500: components['responses']['InternalError'];
    };
  };
  getSkuStock: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        sku: components['schemas']['Sku'];
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description the SKU's positions and their totals */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['SkuStock'];
        };
      };
      400: components['responses']['BadRequest'];
      403: components['responses']['Unauthenticated'];
      404: components['responses']['NotFound'];
      429: components['responses']['TooManyRequests'];
      500: components['responses']['InternalError'];
    };
  };
  getOrder: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        order_id: components['schemas']['OrderId'];
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description the order */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Order'];
        };
      };
      400: components['responses']['BadRequest'];
      403: components['responses']['Unauthenticated'];
      404: components['responses']['NotFound'];
      429: components['responses']['TooManyRequests'];
      500: components['responses']['InternalError'];
    };
  };
  getFreshness: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description the freshness of every dataset and stream */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Freshness'];
        };
      };
      202: components['responses']['QueryRunning'];
      400: components['responses']['BadRequest'];
      403: components['responses']['Unauthenticated'];
      429: components['responses']['TooManyRequests'];
      500: components['responses']['InternalError'];
      502: components['responses']['QueryFailed'];
    };
  };
  getQueryResult: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        query_id: components['schemas']['QueryId'];
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description the query finished */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['QueryResult'];
        };
      };
      202: components['responses']['QueryRunning'];
      400: components['responses']['BadRequest'];
      403: components['responses']['Unauthenticated'];
      404: components['responses']['NotFound'];
      429: components['responses']['TooManyRequests'];
      500: components['responses']['InternalError'];
      502: components['responses']['QueryFailed'];
    };
  };
}
