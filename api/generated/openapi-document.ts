/**
 * GENERATED from api/openapi.yaml by scripts/generate-api-types.ts. Do not edit by hand:
 * change the source and run `npx tsx scripts/generate-api-types.ts`.
 */

/** api/openapi.yaml, parsed. */
export const OPENAPI_DOCUMENT: Record<string, unknown> = {
  openapi: '3.0.3',
  info: {
    title: 'E-commerce data platform API',
    version: '1.0.0',
    description:
      "Read-only API over the warehouse's analytics views (Redshift Serverless, through the Data API)\nand the live DynamoDB tables (order status, stock). This document is the contract: API Gateway\nis built from it, the Lambda handler routes and validates requests with it, and the TypeScript\ntypes in api/generated/ are generated from it (`npx tsx scripts/generate-api-types.ts`).\n\nConventions:\n- Every call is signed with AWS Signature Version 4 (service `execute-api`); an unsigned or badly\n  signed call is answered 403 by API Gateway (and by the local twin's server).\n- Unknown query parameters are refused (400 `unknown-parameter`), never ignored. A parameter\n  given twice is refused (400 `invalid-parameter`).\n- Errors are `application/problem+json` (RFC 9457) with one stable `type` per failure (see the\n  `Problem` schema).\n- Lists are paginated: `page_size` (default 50, at most 500) and the opaque `page_token` of the\n  previous page's `next_page_token` (null on the last page). A token is signed: it is only valid\n  for the same operation with the same filters.\n- A warehouse query that is still running after the wait (QUERY_WAIT_SECONDS, below API Gateway's\n  29 s) is answered 202 with a `Location` to poll (`GET /v1/queries/{query_id}`).\n- Money is EUR. Revenue, orders, units and the other measures are those of\n  docs/analytics-guide.md (revenue = net line amount of orders not cancelled minus returns,\n  booked on the order date). Dates are `YYYY-MM-DD`, times RFC 3339 UTC.\n",
    license: { name: 'Apache-2.0' },
  },
  servers: [{ url: 'http://localhost:8787', description: 'the local twin (npx tsx api/local-server.ts)' }],
  security: [{ sigv4: [], api_key: [] }],
  tags: [
    { name: 'sales' },
    { name: 'customers' },
    { name: 'campaigns' },
    { name: 'stock' },
    { name: 'orders' },
    { name: 'operations' },
  ],
  paths: {
    '/v1/sales/trend': {
      get: {
        operationId: 'getSalesTrend',
        tags: ['sales'],
        summary: 'Revenue, orders, units and average order value per day, week or month',
        description:
          'One item per period (day, ISO week starting on Monday, or calendar month) whose start lies\nbetween `from` and `to` (inclusive), oldest first. Without filters the figures are those of\nanalytics.sales_daily / sales_weekly / sales_monthly; with `category`, `channel` or `region`\nthey are aggregated from analytics.sales_lines with the filters (orders = distinct orders\nwith a matching line). Periods without sales have zeros. `from` and `to` must lie between\n2000-01-01 and 2100-12-31, `from` <= `to`, at most 3,660 days apart.\n',
        parameters: [
          {
            name: 'grain',
            in: 'query',
            required: true,
            schema: { type: 'string', enum: ['day', 'week', 'month'] },
          },
          {
            name: 'from',
            in: 'query',
            required: true,
            description: 'first period start (inclusive)',
            schema: { $ref: '#/components/schemas/Date' },
          },
          {
            name: 'to',
            in: 'query',
            required: true,
            description: 'last period start (inclusive)',
            schema: { $ref: '#/components/schemas/Date' },
          },
          {
            name: 'category',
            in: 'query',
            description: 'product category at order time, e.g. `Electronics`',
            schema: { $ref: '#/components/schemas/Category' },
          },
          {
            name: 'channel',
            in: 'query',
            description: 'sales channel of the order',
            schema: { $ref: '#/components/schemas/SalesChannel' },
          },
          {
            name: 'region',
            in: 'query',
            description: "the customer's country at order time (ISO 3166-1 alpha-2)",
            schema: { $ref: '#/components/schemas/CountryCode' },
          },
          { $ref: '#/components/parameters/PageSize' },
          { $ref: '#/components/parameters/PageToken' },
        ],
        responses: {
          '200': {
            description: 'the periods of the page',
            content: { 'application/json': { schema: { $ref: '#/components/schemas/SalesTrendPage' } } },
          },
          '202': { $ref: '#/components/responses/QueryRunning' },
          '400': { $ref: '#/components/responses/BadRequest' },
          '403': { $ref: '#/components/responses/Unauthenticated' },
          '429': { $ref: '#/components/responses/TooManyRequests' },
          '500': { $ref: '#/components/responses/InternalError' },
          '502': { $ref: '#/components/responses/QueryFailed' },
        },
      },
    },
    '/v1/products/top': {
      get: {
        operationId: 'getTopProducts',
        tags: ['sales'],
        summary: 'The SKUs that earned the most in a month',
        description:
          "From analytics.top_products_monthly (the month's top 100, ranked by revenue; ties by units, then SKU). A month without sales has no items.",
        parameters: [
          { $ref: '#/components/parameters/Month' },
          {
            name: 'limit',
            in: 'query',
            description: 'how many of the top SKUs (1 to 100)',
            schema: { type: 'integer', minimum: 1, maximum: 100, default: 10 },
          },
        ],
        responses: {
          '200': {
            description: "the month's top SKUs, best first",
            content: { 'application/json': { schema: { $ref: '#/components/schemas/TopProducts' } } },
          },
          '202': { $ref: '#/components/responses/QueryRunning' },
          '400': { $ref: '#/components/responses/BadRequest' },
          '403': { $ref: '#/components/responses/Unauthenticated' },
          '429': { $ref: '#/components/responses/TooManyRequests' },
          '500': { $ref: '#/components/responses/InternalError' },
          '502': { $ref: '#/components/responses/QueryFailed' },
        },
      },
    },
    '/v1/categories/top': {
      get: {
        operationId: 'getTopCategories',
        tags: ['sales'],
        summary: 'The categories that earned the most in a month',
        description:
          'From analytics.top_categories_monthly (category at order time). A month without sales has no items.',
        parameters: [
          { $ref: '#/components/parameters/Month' },
          {
            name: 'limit',
            in: 'query',
            description: 'how many of the top categories (1 to 100)',
            schema: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
          },
        ],
        responses: {
          '200': {
            description: "the month's categories, best first",
            content: { 'application/json': { schema: { $ref: '#/components/schemas/TopCategories' } } },
          },
          '202': { $ref: '#/components/responses/QueryRunning' },
          '400': { $ref: '#/components/responses/BadRequest' },
          '403': { $ref: '#/components/responses/Unauthenticated' },
          '429': { $ref: '#/components/responses/TooManyRequests' },
          '500': { $ref: '#/components/responses/InternalError' },
          '502': { $ref: '#/components/responses/QueryFailed' },
        },
      },
    },
    '/v1/customers/segments': {
      get: {
        operationId: 'listCustomerSegments',
        tags: ['customers'],
        summary: 'The size of each RFM segment, in customers and in revenue',
        description: 'From analytics.customer_segments, the largest revenue first.',
        responses: {
          '200': {
            description: 'every segment that has customers',
            content: { 'application/json': { schema: { $ref: '#/components/schemas/CustomerSegments' } } },
          },
          '202': { $ref: '#/components/responses/QueryRunning' },
          '400': { $ref: '#/components/responses/BadRequest' },
          '403': { $ref: '#/components/responses/Unauthenticated' },
          '429': { $ref: '#/components/responses/TooManyRequests' },
          '500': { $ref: '#/components/responses/InternalError' },
          '502': { $ref: '#/components/responses/QueryFailed' },
        },
      },
    },
    '/v1/customers/{customer_id}/segment': {
      get: {
        operationId: 'getCustomerSegment',
        tags: ['customers'],
        summary: "A customer's RFM scores and segment",
        description: 'From analytics.customer_rfm. A customer without an order (or unknown) is 404.',
        parameters: [
          {
            name: 'customer_id',
            in: 'path',
            required: true,
            schema: { type: 'integer', format: 'int64', minimum: 1, maximum: 9007199254740991 },
          },
        ],
        responses: {
          '200': {
            description: "the customer's segment",
            content: { 'application/json': { schema: { $ref: '#/components/schemas/CustomerSegment' } } },
          },
          '202': { $ref: '#/components/responses/QueryRunning' },
          '400': { $ref: '#/components/responses/BadRequest' },
          '403': { $ref: '#/components/responses/Unauthenticated' },
          '404': { $ref: '#/components/responses/NotFound' },
          '429': { $ref: '#/components/responses/TooManyRequests' },
          '500': { $ref: '#/components/responses/InternalError' },
          '502': { $ref: '#/components/responses/QueryFailed' },
        },
      },
    },
    '/v1/campaigns/{campaign_id}/performance': {
      get: {
        operationId: 'getCampaignPerformance',
        tags: ['campaigns'],
        summary: 'What a campaign cost and brought in',
        description: 'From analytics.campaign_performance. An unknown campaign is 404.',
        parameters: [
          {
            name: 'campaign_id',
            in: 'path',
            required: true,
            schema: { $ref: '#/components/schemas/CampaignId' },
          },
        ],
        responses: {
          '200': {
            description: "the campaign's performance",
            content: { 'application/json': { schema: { $ref: '#/components/schemas/CampaignPerformance' } } },
          },
          '202': { $ref: '#/components/responses/QueryRunning' },
          '400': { $ref: '#/components/responses/BadRequest' },
          '403': { $ref: '#/components/responses/Unauthenticated' },
          '404': { $ref: '#/components/responses/NotFound' },
          '429': { $ref: '#/components/responses/TooManyRequests' },
          '500': { $ref: '#/components/responses/InternalError' },
          '502': { $ref: '#/components/responses/QueryFailed' },
        },
      },
    },
    '/v1/campaigns/ranking': {
      get: {
        operationId: 'listCampaignRanking',
        tags: ['campaigns'],
        summary: 'Campaigns ranked by return on ad spend, revenue, orders or conversion rate',
        description:
          'From analytics.campaign_performance, the best first; campaigns whose measure is NULL (no\nspend, no clicks) come last; ties are broken by campaign_id. `rank` is 1-based over the\nwhole ranking, not the page.\n',
        parameters: [
          {
            name: 'by',
            in: 'query',
            schema: {
              type: 'string',
              enum: ['roas', 'revenue', 'orders', 'conversion_rate'],
              default: 'roas',
            },
          },
          { $ref: '#/components/parameters/PageSize' },
          { $ref: '#/components/parameters/PageToken' },
        ],
        responses: {
          '200': {
            description: 'a page of the ranking',
            content: { 'application/json': { schema: { $ref: '#/components/schemas/CampaignRankingPage' } } },
          },
          '202': { $ref: '#/components/responses/QueryRunning' },
          '400': { $ref: '#/components/responses/BadRequest' },
          '403': { $ref: '#/components/responses/Unauthenticated' },
          '429': { $ref: '#/components/responses/TooManyRequests' },
          '500': { $ref: '#/components/responses/InternalError' },
          '502': { $ref: '#/components/responses/QueryFailed' },
        },
      },
    },
    '/v1/stock/below-reorder-point': {
      get: {
        operationId: 'listSkusBelowReorderPoint',
        tags: ['stock'],
        summary:
          'The SKUs of a warehouse whose available stock is below their reorder point, most urgent first',
        description:
          'Live, from the DynamoDB `stock` table (index `by-warehouse-headroom`: headroom = available -\nreorder point < 0), the lowest headroom first. A warehouse without such SKUs (or unknown)\nhas no items.\n',
        parameters: [
          {
            name: 'warehouse_id',
            in: 'query',
            required: true,
            schema: { $ref: '#/components/schemas/WarehouseId' },
          },
          { $ref: '#/components/parameters/PageSize' },
          { $ref: '#/components/parameters/PageToken' },
        ],
        responses: {
          '200': {
            description: 'a page of the SKUs below their reorder point',
            content: { 'application/json': { schema: { $ref: '#/components/schemas/StockPositionPage' } } },
          },
          '400': { $ref: '#/components/responses/BadRequest' },
          '403': { $ref: '#/components/responses/Unauthenticated' },
          '429': { $ref: '#/components/responses/TooManyRequests' },
          '500': { $ref: '#/components/responses/InternalError' },
        },
      },
    },
    '/v1/stock/{sku}': {
      get: {
        operationId: 'getSkuStock',
        tags: ['stock'],
        summary: "A SKU's live stock in every warehouse",
        description: 'Live, from the DynamoDB `stock` table. A SKU without stock positions is 404.',
        parameters: [
          { name: 'sku', in: 'path', required: true, schema: { $ref: '#/components/schemas/Sku' } },
        ],
        responses: {
          '200': {
            description: "the SKU's positions and their totals",
            content: { 'application/json': { schema: { $ref: '#/components/schemas/SkuStock' } } },
          },
          '400': { $ref: '#/components/responses/BadRequest' },
          '403': { $ref: '#/components/responses/Unauthenticated' },
          '404': { $ref: '#/components/responses/NotFound' },
          '429': { $ref: '#/components/responses/TooManyRequests' },
          '500': { $ref: '#/components/responses/InternalError' },
        },
      },
    },
    '/v1/orders/{order_id}': {
      get: {
        operationId: 'getOrder',
        tags: ['orders'],
        summary: "An order's live status",
        description: 'Live, from the DynamoDB `orders` table. An unknown order is 404.',
        parameters: [
          { name: 'order_id', in: 'path', required: true, schema: { $ref: '#/components/schemas/OrderId' } },
        ],
        responses: {
          '200': {
            description: 'the order',
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Order' } } },
          },
          '400': { $ref: '#/components/responses/BadRequest' },
          '403': { $ref: '#/components/responses/Unauthenticated' },
          '404': { $ref: '#/components/responses/NotFound' },
          '429': { $ref: '#/components/responses/TooManyRequests' },
          '500': { $ref: '#/components/responses/InternalError' },
        },
      },
    },
    '/v1/freshness': {
      get: {
        operationId: 'getFreshness',
        tags: ['operations'],
        summary: 'How fresh each dataset is',
        description:
          '`datasets`: analytics.data_freshness (per fact table: newest event loaded, latest load, rows);\n`streams`: realtime.stream_lag (per stream read by streaming ingestion: newest event, lag).\n',
        responses: {
          '200': {
            description: 'the freshness of every dataset and stream',
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Freshness' } } },
          },
          '202': { $ref: '#/components/responses/QueryRunning' },
          '400': { $ref: '#/components/responses/BadRequest' },
          '403': { $ref: '#/components/responses/Unauthenticated' },
          '429': { $ref: '#/components/responses/TooManyRequests' },
          '500': { $ref: '#/components/responses/InternalError' },
          '502': { $ref: '#/components/responses/QueryFailed' },
        },
      },
    },
    '/v1/queries/{query_id}': {
      get: {
        operationId: 'getQueryResult',
        tags: ['operations'],
        summary: 'Poll a warehouse query that was answered 202',
        description:
          '202 while the query runs (poll again after `Retry-After` seconds); 200 with the answer the\noriginal operation would have given (`result`, of the operation `operation_id`); 404 when\nthe id is unknown, is not a query of this API, or its result has expired (after 24 hours).\n',
        parameters: [
          { name: 'query_id', in: 'path', required: true, schema: { $ref: '#/components/schemas/QueryId' } },
        ],
        responses: {
          '200': {
            description: 'the query finished',
            content: { 'application/json': { schema: { $ref: '#/components/schemas/QueryResult' } } },
          },
          '202': { $ref: '#/components/responses/QueryRunning' },
          '400': { $ref: '#/components/responses/BadRequest' },
          '403': { $ref: '#/components/responses/Unauthenticated' },
          '404': { $ref: '#/components/responses/NotFound' },
          '429': { $ref: '#/components/responses/TooManyRequests' },
          '500': { $ref: '#/components/responses/InternalError' },
          '502': { $ref: '#/components/responses/QueryFailed' },
        },
      },
    },
  },
  components: {
    securitySchemes: {
      sigv4: {
        type: 'apiKey',
        name: 'Authorization',
        in: 'header',
        description: 'AWS Signature Version 4 (service `execute-api`), IAM authorization',
        'x-amazon-apigateway-authtype': 'awsSigv4',
      },
      api_key: {
        type: 'apiKey',
        name: 'x-api-key',
        in: 'header',
        description:
          "The key of the caller's usage plan (throttling and quota per client). It is not an identity: every call is also authorized by its SigV4 signature.",
      },
    },
    parameters: {
      PageSize: {
        name: 'page_size',
        in: 'query',
        description: 'items per page (1 to 500)',
        schema: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
      },
      PageToken: {
        name: 'page_token',
        in: 'query',
        description: 'the `next_page_token` of the previous page, as given (opaque, signed)',
        schema: { type: 'string', minLength: 1, maxLength: 2048 },
      },
      Month: {
        name: 'month',
        in: 'query',
        required: true,
        description: 'the calendar month, `YYYY-MM` (2000-01 to 2100-12)',
        schema: { type: 'string', pattern: '^(20[0-9]{2}|2100)-(0[1-9]|1[0-2])$' },
      },
    },
    headers: {
      Location: {
        description: 'where to poll the query (`/v1/queries/{query_id}`)',
        schema: { type: 'string' },
      },
      RetryAfter: { description: 'seconds to wait before polling', schema: { type: 'integer', minimum: 1 } },
    },
    responses: {
      QueryRunning: {
        description: 'the warehouse query is still running; poll `Location`',
        headers: {
          Location: { $ref: '#/components/headers/Location' },
          'Retry-After': { $ref: '#/components/headers/RetryAfter' },
        },
        content: { 'application/json': { schema: { $ref: '#/components/schemas/QueryRunning' } } },
      },
      BadRequest: {
        description:
          'bad input: `invalid-parameter` (wrong type, format, range, or a parameter given twice),\n`unknown-parameter`, `invalid-page-token`\n',
        content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
      },
      Unauthenticated: {
        description:
          "`unauthenticated`: the request is not signed, or its signature is not valid (`forbidden`: refused by the gateway's firewall)",
        content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
      },
      TooManyRequests: {
        description:
          "`throttled`: API Gateway's throttling or the daily quota; retry after `Retry-After` seconds",
        headers: { 'Retry-After': { $ref: '#/components/headers/RetryAfter' } },
        content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
      },
      NotFound: {
        description: '`not-found`: no such resource',
        content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
      },
      InternalError: {
        description: '`internal`: an unexpected failure of the service (never bad input)',
        content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
      },
      QueryFailed: {
        description: '`query-failed`: the warehouse or table could not answer (never bad input)',
        content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
      },
    },
    schemas: {
      Problem: {
        type: 'object',
        description:
          "RFC 9457 problem details. `type` is one of (base https://docs.ecommerce-data-platform.example/problems/):\n`invalid-parameter` (400), `unknown-parameter` (400), `invalid-page-token` (400),\n`unauthenticated` (403), `forbidden` (403, a request the gateway's firewall refused),\n`not-found` (404), `throttled` (429, from API Gateway), `internal` (500), `query-failed` (502).\n",
        required: ['type', 'title', 'status', 'detail'],
        properties: {
          type: {
            type: 'string',
            enum: [
              'https://docs.ecommerce-data-platform.example/problems/invalid-parameter',
              'https://docs.ecommerce-data-platform.example/problems/unknown-parameter',
              'https://docs.ecommerce-data-platform.example/problems/invalid-page-token',
              'https://docs.ecommerce-data-platform.example/problems/unauthenticated',
              'https://docs.ecommerce-data-platform.example/problems/forbidden',
              'https://docs.ecommerce-data-platform.example/problems/throttled',
              'https://docs.ecommerce-data-platform.example/problems/not-found',
              'https://docs.ecommerce-data-platform.example/problems/internal',
              'https://docs.ecommerce-data-platform.example/problems/query-failed',
            ],
          },
          title: { type: 'string' },
          status: { type: 'integer', minimum: 400, maximum: 599 },
          detail: { type: 'string' },
          instance: { type: 'string', description: 'the path of the request' },
          request_id: { type: 'string' },
          invalid_params: {
            type: 'array',
            items: {
              type: 'object',
              required: ['name', 'reason'],
              properties: {
                name: { type: 'string' },
                in: { type: 'string', enum: ['query', 'path', 'header'] },
                reason: { type: 'string' },
              },
            },
          },
        },
      },
      QueryRunning: {
        type: 'object',
        required: ['query_id', 'status', 'location'],
        properties: {
          query_id: { $ref: '#/components/schemas/QueryId' },
          status: { type: 'string', enum: ['running'] },
          location: { type: 'string', description: 'the URL path to poll' },
        },
      },
      QueryResult: {
        type: 'object',
        required: ['query_id', 'status', 'operation_id', 'result'],
        properties: {
          query_id: { $ref: '#/components/schemas/QueryId' },
          status: { type: 'string', enum: ['finished'] },
          operation_id: {
            type: 'string',
            enum: [
              'getSalesTrend',
              'getTopProducts',
              'getTopCategories',
              'listCustomerSegments',
              'getCustomerSegment',
              'getCampaignPerformance',
              'listCampaignRanking',
              'getFreshness',
            ],
          },
          result: {
            anyOf: [
              { $ref: '#/components/schemas/SalesTrendPage' },
              { $ref: '#/components/schemas/TopProducts' },
              { $ref: '#/components/schemas/TopCategories' },
              { $ref: '#/components/schemas/CustomerSegments' },
              { $ref: '#/components/schemas/CustomerSegment' },
              { $ref: '#/components/schemas/CampaignPerformance' },
              { $ref: '#/components/schemas/CampaignRankingPage' },
              { $ref: '#/components/schemas/Freshness' },
            ],
          },
        },
      },
      QueryId: {
        type: 'string',
        description: 'a Redshift Data API statement id (a UUID)',
        pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$',
      },
      Date: { type: 'string', format: 'date', pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' },
      DateTime: { type: 'string', format: 'date-time' },
      Money: { type: 'number', description: 'EUR' },
      NullableMoney: { type: 'number', nullable: true, description: 'EUR (null when not defined)' },
      Ratio: {
        type: 'number',
        nullable: true,
        description: 'a fraction (0.12 = 12%); null when its denominator is 0 or missing',
      },
      Category: {
        type: 'string',
        minLength: 1,
        maxLength: 64,
        pattern: '^[A-Za-z0-9][A-Za-z0-9 &/-]{0,63}$',
      },
      SalesChannel: { type: 'string', enum: ['web', 'mobile_app', 'marketplace', 'store'] },
      CountryCode: { type: 'string', pattern: '^[A-Z]{2}$' },
      Sku: { type: 'string', pattern: '^[A-Z0-9][A-Z0-9-]{2,63}$' },
      WarehouseId: { type: 'string', pattern: '^[A-Z0-9][A-Z0-9-]{1,31}$' },
      OrderId: { type: 'string', pattern: '^[A-Za-z0-9-]{4,64}$' },
      CampaignId: { type: 'string', pattern: '^[A-Za-z0-9-]{2,64}$' },
      NextPageToken: {
        type: 'string',
        nullable: true,
        description: 'pass as `page_token` for the next page; null on the last page',
      },
      SalesPeriod: {
        type: 'object',
        required: ['period_start', 'orders', 'units', 'revenue', 'average_order_value'],
        properties: {
          period_start: { $ref: '#/components/schemas/Date' },
          orders: { type: 'integer' },
          units: { type: 'integer' },
          revenue: { $ref: '#/components/schemas/Money' },
          average_order_value: { $ref: '#/components/schemas/NullableMoney' },
        },
      },
      SalesTrendPage: {
        type: 'object',
        required: ['grain', 'from', 'to', 'filters', 'items', 'next_page_token'],
        properties: {
          grain: { type: 'string', enum: ['day', 'week', 'month'] },
          from: { $ref: '#/components/schemas/Date' },
          to: { $ref: '#/components/schemas/Date' },
          filters: {
            type: 'object',
            properties: {
              category: { type: 'string' },
              channel: { type: 'string' },
              region: { type: 'string' },
            },
          },
          items: { type: 'array', items: { $ref: '#/components/schemas/SalesPeriod' } },
          next_page_token: { $ref: '#/components/schemas/NextPageToken' },
        },
      },
      TopProduct: {
        type: 'object',
        required: [
          'rank',
          'sku',
          'product_name',
          'category',
          'brand',
          'orders',
          'units',
          'revenue',
          'revenue_share',
        ],
        properties: {
          rank: { type: 'integer' },
          sku: { type: 'string' },
          product_name: { type: 'string', nullable: true },
          category: { type: 'string', nullable: true },
          brand: { type: 'string', nullable: true },
          orders: { type: 'integer' },
          units: { type: 'integer' },
          revenue: { $ref: '#/components/schemas/Money' },
          revenue_share: { $ref: '#/components/schemas/Ratio' },
        },
      },
      TopProducts: {
        type: 'object',
        required: ['month', 'items'],
        properties: {
          month: { type: 'string', description: 'YYYY-MM' },
          items: { type: 'array', items: { $ref: '#/components/schemas/TopProduct' } },
        },
      },
      TopCategory: {
        type: 'object',
        required: [
          'rank',
          'category',
          'orders',
          'units',
          'revenue',
          'revenue_share',
          'revenue_prev_month',
          'revenue_change_prev_month',
        ],
        properties: {
          rank: { type: 'integer' },
          category: { type: 'string', nullable: true },
          orders: { type: 'integer' },
          units: { type: 'integer' },
          revenue: { $ref: '#/components/schemas/Money' },
          revenue_share: { $ref: '#/components/schemas/Ratio' },
          revenue_prev_month: { $ref: '#/components/schemas/NullableMoney' },
          revenue_change_prev_month: { $ref: '#/components/schemas/Ratio' },
        },
      },
      TopCategories: {
        type: 'object',
        required: ['month', 'items'],
        properties: {
          month: { type: 'string', description: 'YYYY-MM' },
          items: { type: 'array', items: { $ref: '#/components/schemas/TopCategory' } },
        },
      },
      SegmentSize: {
        type: 'object',
        required: [
          'segment',
          'customers',
          'customer_share',
          'revenue',
          'revenue_share',
          'avg_recency_days',
          'avg_frequency',
          'avg_monetary',
        ],
        properties: {
          segment: { type: 'string' },
          customers: { type: 'integer' },
          customer_share: { $ref: '#/components/schemas/Ratio' },
          revenue: { $ref: '#/components/schemas/Money' },
          revenue_share: { $ref: '#/components/schemas/Ratio' },
          avg_recency_days: { type: 'number', nullable: true },
          avg_frequency: { type: 'number', nullable: true },
          avg_monetary: { $ref: '#/components/schemas/NullableMoney' },
        },
      },
      CustomerSegments: {
        type: 'object',
        required: ['items'],
        properties: { items: { type: 'array', items: { $ref: '#/components/schemas/SegmentSize' } } },
      },
      CustomerSegment: {
        type: 'object',
        required: [
          'customer_id',
          'segment',
          'rfm_cell',
          'r_score',
          'f_score',
          'm_score',
          'recency_days',
          'frequency',
          'monetary',
          'first_order_date',
          'last_order_date',
        ],
        properties: {
          customer_id: { type: 'integer' },
          segment: { type: 'string' },
          rfm_cell: { type: 'integer' },
          r_score: { type: 'integer' },
          f_score: { type: 'integer' },
          m_score: { type: 'integer' },
          recency_days: { type: 'integer' },
          frequency: { type: 'integer' },
          monetary: { $ref: '#/components/schemas/Money' },
          first_order_date: { $ref: '#/components/schemas/Date' },
          last_order_date: { $ref: '#/components/schemas/Date' },
        },
      },
      CampaignPerformance: {
        type: 'object',
        required: [
          'campaign_id',
          'campaign_name',
          'channel',
          'start_date',
          'end_date',
          'budget',
          'spend',
          'attributed_orders',
          'attributed_revenue',
          'roas',
        ],
        properties: {
          campaign_id: { type: 'string' },
          campaign_name: { type: 'string', nullable: true },
          channel: { type: 'string', nullable: true },
          start_date: { type: 'string', format: 'date', nullable: true },
          end_date: { type: 'string', format: 'date', nullable: true },
          budget: { $ref: '#/components/schemas/NullableMoney' },
          spend: { $ref: '#/components/schemas/NullableMoney' },
          spend_reported_through: {
            description:
              "The latest day whose spend the partners have reported (they report a day's spend the day after). The attributed orders and revenue, and so roas, cpa and conversion_rate, count the orders placed on or before it; null while no spend is loaded.",
            type: 'string',
            format: 'date',
            nullable: true,
          },
          impressions: { type: 'integer', nullable: true },
          clicks: { type: 'integer', nullable: true },
          reported_conversions: { type: 'integer', nullable: true },
          attributed_orders: { type: 'integer', nullable: true },
          attributed_revenue: { $ref: '#/components/schemas/NullableMoney' },
          click_through_rate: { $ref: '#/components/schemas/Ratio' },
          conversion_rate: { $ref: '#/components/schemas/Ratio' },
          roas: { $ref: '#/components/schemas/Ratio' },
          cpa: { $ref: '#/components/schemas/NullableMoney' },
          campaign_days_observed: { type: 'integer', nullable: true },
          avg_daily_revenue_during: { $ref: '#/components/schemas/NullableMoney' },
          avg_daily_revenue_baseline: { $ref: '#/components/schemas/NullableMoney' },
          revenue_uplift: { $ref: '#/components/schemas/Ratio' },
        },
      },
      CampaignRank: {
        type: 'object',
        required: [
          'rank',
          'campaign_id',
          'campaign_name',
          'channel',
          'spend',
          'attributed_orders',
          'attributed_revenue',
          'roas',
          'conversion_rate',
          'cpa',
        ],
        properties: {
          rank: { type: 'integer' },
          campaign_id: { type: 'string' },
          campaign_name: { type: 'string', nullable: true },
          channel: { type: 'string', nullable: true },
          spend: { $ref: '#/components/schemas/NullableMoney' },
          attributed_orders: { type: 'integer', nullable: true },
          attributed_revenue: { $ref: '#/components/schemas/NullableMoney' },
          roas: { $ref: '#/components/schemas/Ratio' },
          conversion_rate: { $ref: '#/components/schemas/Ratio' },
          cpa: { $ref: '#/components/schemas/NullableMoney' },
        },
      },
      CampaignRankingPage: {
        type: 'object',
        required: ['by', 'items', 'next_page_token'],
        properties: {
          by: { type: 'string', enum: ['roas', 'revenue', 'orders', 'conversion_rate'] },
          items: { type: 'array', items: { $ref: '#/components/schemas/CampaignRank' } },
          next_page_token: { $ref: '#/components/schemas/NextPageToken' },
        },
      },
      StockPosition: {
        type: 'object',
        required: ['sku', 'warehouse_id', 'on_hand', 'reserved', 'available'],
        properties: {
          sku: { type: 'string' },
          warehouse_id: { type: 'string' },
          on_hand: { type: 'integer' },
          reserved: { type: 'integer' },
          available: { type: 'integer' },
          reorder_point: { type: 'integer', nullable: true },
          headroom: { type: 'integer', nullable: true, description: 'available - reorder point' },
          updated_at: { type: 'string', nullable: true },
        },
      },
      SkuStock: {
        type: 'object',
        required: ['sku', 'warehouses', 'totals'],
        properties: {
          sku: { type: 'string' },
          warehouses: { type: 'array', items: { $ref: '#/components/schemas/StockPosition' } },
          totals: {
            type: 'object',
            required: ['on_hand', 'reserved', 'available'],
            properties: {
              on_hand: { type: 'integer' },
              reserved: { type: 'integer' },
              available: { type: 'integer' },
            },
          },
        },
      },
      StockPositionPage: {
        type: 'object',
        required: ['warehouse_id', 'items', 'next_page_token'],
        properties: {
          warehouse_id: { type: 'string' },
          items: { type: 'array', items: { $ref: '#/components/schemas/StockPosition' } },
          next_page_token: { $ref: '#/components/schemas/NextPageToken' },
        },
      },
      OrderLine: {
        type: 'object',
        required: ['line_number', 'sku', 'quantity', 'unit_price'],
        properties: {
          line_number: { type: 'integer' },
          sku: { type: 'string' },
          product_id: { type: 'integer', nullable: true },
          quantity: { type: 'integer' },
          unit_price: { type: 'string', description: "decimal string in the order's currency" },
          discount: { type: 'string', nullable: true, description: "decimal string in the order's currency" },
        },
      },
      Order: {
        type: 'object',
        required: ['order_id', 'status', 'status_changed_at', 'updated_at'],
        properties: {
          order_id: { type: 'string' },
          status: {
            type: 'string',
            enum: ['created', 'paid', 'shipped', 'delivered', 'cancelled', 'returned'],
          },
          status_changed_at: { type: 'string', description: 'event time of the status' },
          customer_id: { type: 'integer', nullable: true },
          channel: { type: 'string', nullable: true },
          currency: { type: 'string', nullable: true },
          campaign_id: { type: 'string', nullable: true },
          order_total: {
            type: 'string',
            nullable: true,
            description: "decimal string in the order's currency (lines net of discounts plus shipping)",
          },
          shipping_amount: { type: 'string', nullable: true },
          item_count: { type: 'integer', nullable: true },
          lines: { type: 'array', nullable: true, items: { $ref: '#/components/schemas/OrderLine' } },
          status_times: {
            type: 'object',
            description: 'the event time at which the order reached each status it reached',
            properties: {
              created: { type: 'string' },
              paid: { type: 'string' },
              shipped: { type: 'string' },
              delivered: { type: 'string' },
              cancelled: { type: 'string' },
              returned: { type: 'string' },
            },
          },
          cancellation_reason: { type: 'string', nullable: true },
          return_reason: { type: 'string', nullable: true },
          updated_at: { type: 'string' },
        },
      },
      DatasetFreshness: {
        type: 'object',
        required: [
          'table_name',
          'dataset',
          'row_count',
          'latest_event_time',
          'latest_loaded_at',
          'hours_since_last_load',
        ],
        properties: {
          table_name: { type: 'string' },
          dataset: { type: 'string', nullable: true },
          row_count: { type: 'integer' },
          latest_event_time: { type: 'string', nullable: true },
          latest_loaded_at: { type: 'string', nullable: true },
          latest_partition: { type: 'string', nullable: true },
          loads: { type: 'integer', nullable: true },
          hours_since_last_load: { type: 'number', nullable: true },
        },
      },
      StreamFreshness: {
        type: 'object',
        required: ['stream', 'newest_event_time', 'lag_seconds'],
        properties: {
          stream: { type: 'string' },
          newest_event_time: { type: 'string', nullable: true },
          newest_arrival_time: { type: 'string', nullable: true },
          lag_seconds: { type: 'number', nullable: true },
          records_last_5_minutes: { type: 'integer', nullable: true },
          events: { type: 'integer', nullable: true },
          unparsed_records: { type: 'integer', nullable: true },
        },
      },
      Freshness: {
        type: 'object',
        required: ['datasets', 'streams'],
        properties: {
          datasets: { type: 'array', items: { $ref: '#/components/schemas/DatasetFreshness' } },
          streams: { type: 'array', items: { $ref: '#/components/schemas/StreamFreshness' } },
        },
      },
    },
  },
};
