/** The entry test/api/bundle.test.ts bundles: the factory with a fake warehouse, and a named query's text. */
import { createApiHandler } from '../../lambdas/api/api-handler';
import { PageTokens } from '../../lambdas/api/page-token';
import { querySql } from '../../lambdas/api/queries/registry';

export function sampleHandler(): ReturnType<typeof createApiHandler> {
  return createApiHandler({
    warehouse: {
      run: async () => ({
        state: 'finished',
        rows: [
          { segment: 'Champions', customers: 3, customer_share: 0.5, revenue: '10.5000', revenue_share: 0.7 },
        ],
      }),
      poll: async () => ({ state: 'unknown' }),
    },
    documents: { send: async () => ({}) } as never,
    tables: { orders: 'orders', stock: 'stock' },
    pageTokens: new PageTokens('b'.repeat(32)),
  });
}

export function sqlOfFreshness(): string {
  return querySql('freshness');
}
