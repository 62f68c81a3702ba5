/**
 * The API handler bundled as the platform bundles its Lambdas (esbuild, CommonJS, minified, module
 * entry points first: lib/constructs/platform-function.ts): the bundle loads, carries the contract
 * and the named queries (nothing to copy next to it), routes, validates and answers.
 */
import { build } from 'esbuild';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';

jest.setTimeout(60_000);

const ROOT = join(__dirname, '..', '..');

function event(path: string, query: Record<string, string>): APIGatewayProxyEvent {
  return {
    path,
    httpMethod: 'GET',
    headers: {},
    queryStringParameters: query,
    multiValueQueryStringParameters: Object.fromEntries(Object.entries(query).map(([k, v]) => [k, [v]])),
    requestContext: { path, identity: { userArn: 'arn:aws:iam::123456789012:user/a' } },
  } as unknown as APIGatewayProxyEvent;
}

describe('the API Lambda bundle', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'api-bundle-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('bundles handler.ts, and the bundled factory answers from the embedded contract and queries', async () => {
    for (const [entry, out] of [
      ['lambdas/api/handler.ts', 'handler.js'],
      ['test/api/bundle-entry.ts', 'entry.js'],
    ]) {
      const result = await build({
        entryPoints: [join(ROOT, entry)],
        bundle: true,
        platform: 'node',
        target: 'node20',
        format: 'cjs',
        minify: true,
        mainFields: ['module', 'main'],
        outfile: join(dir, out),
        logLevel: 'silent',
      });
      expect(result.errors).toEqual([]);
    }
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    expect(typeof require(join(dir, 'handler.js')).handler).toBe('function');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const bundled = require(join(dir, 'entry.js')) as {
      sampleHandler: () => (e: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;
      sqlOfFreshness: () => string;
    };
    const handler = bundled.sampleHandler();
    const bad = await handler(
      event('/v1/sales/trend', { grain: 'day', from: '2024-02-01', to: '2024-01-01' }),
    );
    expect(bad.statusCode).toBe(400);
    const ok = await handler(event('/v1/customers/segments', {}));
    expect(ok.statusCode).toBe(200);
    expect(JSON.parse(ok.body).items[0].segment).toBe('Champions');
    expect(bundled.sqlOfFreshness()).toMatch(/^-- getFreshness/);
  });
});
