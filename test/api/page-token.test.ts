/** Page tokens: issued and verified with an HMAC; anything altered, foreign or malformed is refused. */
import { createHmac } from 'node:crypto';
import { PageTokens } from '../../lambdas/api/page-token';
import { ApiProblem } from '../../lambdas/api/problems';

const KEY = 'k'.repeat(32);

function refusal(call: () => unknown): ApiProblem {
  try {
    call();
  } catch (e) {
    if (e instanceof ApiProblem) return e;
    throw e;
  }
  throw new Error('expected a refusal');
}

describe('PageTokens', () => {
  const tokens = new PageTokens(KEY);
  const scope = PageTokens.scopeOf('listCampaignRanking', { by: 'roas' });

  it('round-trips an offset and a DynamoDB key', () => {
    expect(tokens.verify(tokens.issue(scope, { offset: 150 }), scope)).toEqual({ offset: 150 });
    const key = { sku: 'SKU-1', warehouse_id: 'WH-1', headroom: -3 };
    expect(tokens.verify(tokens.issue(scope, { key }), scope)).toEqual({ key });
  });

  it('is URL-safe and opaque', () => {
    expect(tokens.issue(scope, { offset: 50 })).toMatch(/^v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
  });

  it('scopes by operation and every filter, in any order', () => {
    expect(PageTokens.scopeOf('op', { a: '1', b: '2' })).toBe(PageTokens.scopeOf('op', { b: '2', a: '1' }));
    expect(PageTokens.scopeOf('op', { a: '1' })).not.toBe(PageTokens.scopeOf('op', { a: '2' }));
    expect(PageTokens.scopeOf('op', { a: '1' })).not.toBe(PageTokens.scopeOf('other', { a: '1' }));
    const t = tokens.issue(scope, { offset: 10 });
    const p = refusal(() => tokens.verify(t, PageTokens.scopeOf('listCampaignRanking', { by: 'revenue' })));
    expect(p.kind).toBe('invalid-page-token');
    expect(p.detail).toMatch(/other filters/);
  });

  it('refuses a changed payload, a changed signature, another key and garbage', () => {
    const t = tokens.issue(scope, { offset: 10 });
    const [v, payload, sig] = t.split('.');
    const changed = Buffer.from(JSON.stringify({ s: scope, o: 0 })).toString('base64url');
    const bad = [
      `${v}.${changed}.${sig}`,
      `${v}.${payload}.${Buffer.alloc(32).toString('base64url')}`,
      `${v}.${payload}.${sig.slice(0, 10)}`,
      new PageTokens('x'.repeat(32)).issue(scope, { offset: 10 }),
      `v2.${payload}.${sig}`,
      'garbage',
      '',
      "' OR 1=1 --",
      `${v}.${payload}.${sig}.extra`,
    ];
    for (const token of bad)
      expect(refusal(() => tokens.verify(token, scope)).kind).toBe('invalid-page-token');
  });

  it('refuses a genuinely signed payload of the wrong shape', () => {
    // Only reachable with the key; still never trusted blindly.
    const forge = (body: unknown): string => {
      const payload = Buffer.from(JSON.stringify(body)).toString('base64url');
      const sig = createHmac('sha256', KEY).update(`v1.${payload}`).digest('base64url');
      return `v1.${payload}.${sig}`;
    };
    for (const body of [
      { s: scope, o: -1 },
      { s: scope, o: 1.5 },
      { s: scope, k: { a: {} } },
      { s: scope },
      [1],
    ])
      expect(refusal(() => tokens.verify(forge(body), scope)).kind).toBe('invalid-page-token');
  });

  it('wants a key of at least 32 bytes', () => {
    expect(() => new PageTokens('short')).toThrow(/32 bytes/);
  });
});
