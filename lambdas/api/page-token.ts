/**
 * Page tokens: opaque to the client, signed by the service. A token is
 * `v1.<base64url(JSON payload)>.<base64url(HMAC-SHA256(key, "v1." + payload))>`, the payload holding
 * the position of the next page (a row offset, or DynamoDB's exclusive start key) and the scope it
 * was issued for (a hash of the operation and its filters). A token that was altered, forged without
 * the key, issued for another operation or other filters, or is not a token at all is refused with
 * 400 `invalid-page-token`; it never reaches a query.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { ApiProblem } from './problems';

/** Where the next page starts. */
export type PagePosition =
  { readonly offset: number } | { readonly key: Readonly<Record<string, string | number>> };

const VERSION = 'v1';
const MAX_OFFSET = 1_000_000_000;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

function refuse(detail: string): ApiProblem {
  return new ApiProblem('invalid-page-token', detail, [{ name: 'page_token', in: 'query', reason: detail }]);
}

/** Issues and verifies page tokens with one HMAC key (at least 32 bytes). */
export class PageTokens {
  private readonly key: Buffer;

  constructor(key: string | Uint8Array) {
    this.key = typeof key === 'string' ? Buffer.from(key, 'utf8') : Buffer.from(key);
    if (this.key.length < 32) throw new Error('PageTokens: the HMAC key must be at least 32 bytes');
  }

  /** The scope of a query: its operation and every filter that shapes its rows (not the page size). */
  static scopeOf(
    operationId: string,
    filters: Readonly<Record<string, string | number | undefined>>,
  ): string {
    const canonical = JSON.stringify([
      operationId,
      ...Object.keys(filters)
        .sort()
        .map((k) => [k, filters[k] ?? null]),
    ]);
    return createHash('sha256').update(canonical).digest('base64url').slice(0, 22);
  }

  private sign(payload: string): Buffer {
    return createHmac('sha256', this.key).update(`${VERSION}.${payload}`).digest();
  }

  /** A token for the page at `position` of the query of `scope`. */
  issue(scope: string, position: PagePosition): string {
    const body: Record<string, unknown> = { s: scope };
    if ('offset' in position) body.o = position.offset;
    else body.k = position.key;
    const payload = Buffer.from(JSON.stringify(body), 'utf8').toString('base64url');
    return `${VERSION}.${payload}.${this.sign(payload).toString('base64url')}`;
  }

  /** The position a token holds, if it is genuine and was issued for `scope`; else throws invalid-page-token. */
  verify(token: string, scope: string): PagePosition {
    const parts = token.split('.');
    if (parts.length !== 3 || parts[0] !== VERSION || !BASE64URL.test(parts[1]) || !BASE64URL.test(parts[2]))
      throw refuse(
        'The page token is malformed: pass the next_page_token of the previous page as it was given.',
      );
    const given = Buffer.from(parts[2], 'base64url');
    const expected = this.sign(parts[1]);
    if (given.length !== expected.length || !timingSafeEqual(given, expected))
      throw refuse('The page token was altered or was not issued by this API.');
    let body: unknown;
    try {
      body = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    } catch {
      throw refuse('The page token is malformed.');
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      throw refuse('The page token is malformed.');
    const b = body as Record<string, unknown>;
    if (b.s !== scope)
      throw refuse(
        'The page token belongs to another query or to other filters: repeat the request with the same parameters, or start again without page_token.',
      );
    if (typeof b.o === 'number' && Number.isInteger(b.o) && b.o >= 0 && b.o <= MAX_OFFSET)
      return { offset: b.o };
    if (typeof b.k === 'object' && b.k !== null && !Array.isArray(b.k)) {
      const key = b.k as Record<string, unknown>;
      if (Object.values(key).every((v) => typeof v === 'string' || typeof v === 'number'))
        return { key: key as Record<string, string | number> };
    }
    throw refuse('The page token is malformed.');
  }
}
