/**
 * Routing and request validation from the contract (api/openapi.yaml, embedded as
 * api/generated/openapi-document.ts): each operation's path template becomes a pattern (a literal
 * segment wins over a `{parameter}`, as in API Gateway), and its path and query parameters one JSON
 * Schema, compiled once with Ajv (the document's own schemas, `$ref`s resolved): types, formats,
 * enums, ranges, patterns, required parameters, and no parameter that the document does not declare
 * (additionalProperties false). Small on purpose: it runs at every cold start of the Lambda, and
 * bundles with esbuild's module-first resolution without surprises.
 */
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

type Json = Record<string, unknown>;

/** A parameter of an operation, `$ref`s resolved. */
export interface ContractParameter {
  readonly name: string;
  readonly in: 'path' | 'query' | 'header' | 'cookie';
  readonly required?: boolean;
  readonly schema?: Json;
}

interface Route {
  readonly method: string;
  readonly template: string;
  readonly pattern: RegExp;
  readonly names: readonly string[];
  readonly literalSegments: number;
  readonly operationId: string;
  readonly parameters: readonly ContractParameter[];
  readonly validate: ValidateFunction;
}

/** The outcome of routing a request. */
export type RouteResult =
  | {
      readonly kind: 'matched';
      readonly operationId: string;
      /** Path parameters, percent-decoded. */
      readonly path: Readonly<Record<string, string>>;
      readonly parameters: readonly ContractParameter[];
      /** Validation errors of the path and query parameters (empty: valid). */
      readonly errors: readonly ErrorObject[];
    }
  | { readonly kind: 'not-found' }
  | { readonly kind: 'bad-encoding' };

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;

/** Resolves local `$ref`s (`#/components/...`) of a document without cycles. */
function resolveRefs(node: unknown, document: Json, depth = 0): unknown {
  if (depth > 64) throw new Error('openapi document: $ref nesting too deep (a cycle?)');
  if (Array.isArray(node)) return node.map((n) => resolveRefs(n, document, depth + 1));
  if (node === null || typeof node !== 'object') return node;
  const ref = (node as Json).$ref;
  if (typeof ref === 'string') {
    if (!ref.startsWith('#/')) throw new Error(`openapi document: only local $refs are supported (${ref})`);
    const target = ref
      .slice(2)
      .split('/')
      .reduce<unknown>(
        (at, key) => (at as Json | undefined)?.[key.replace(/~1/g, '/').replace(/~0/g, '~')],
        document,
      );
    if (target === undefined) throw new Error(`openapi document: $ref ${ref} points nowhere`);
    return resolveRefs(target, document, depth + 1);
  }
  return Object.fromEntries(
    Object.entries(node as Json).map(([k, v]) => [k, resolveRefs(v, document, depth + 1)]),
  );
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The router of one document. */
export class ContractRouter {
  private readonly routes: Route[] = [];

  constructor(document: Json) {
    const ajv = new Ajv({ allErrors: true, strict: false, coerceTypes: true });
    addFormats(ajv, ['date', 'date-time']);
    // OpenAPI's numeric formats.
    ajv.addFormat('int32', {
      type: 'number',
      validate: (n: number) => Number.isInteger(n) && Math.abs(n) < 2 ** 31,
    });
    ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isSafeInteger(n) });
    const paths = (document.paths ?? {}) as Record<string, Json>;
    for (const [template, rawItem] of Object.entries(paths)) {
      const item = resolveRefs(rawItem, document) as Json;
      for (const method of METHODS) {
        const op = item[method] as Json | undefined;
        if (!op) continue;
        const operationId = op.operationId;
        if (typeof operationId !== 'string')
          throw new Error(`openapi document: ${method} ${template} has no operationId`);
        const parameters = [
          ...((item.parameters ?? []) as ContractParameter[]),
          ...((op.parameters ?? []) as ContractParameter[]),
        ];
        const group = (where: 'path' | 'query'): Json => {
          const own = parameters.filter((p) => p.in === where);
          return {
            type: 'object',
            properties: Object.fromEntries(own.map((p) => [p.name, p.schema ?? {}])),
            required: own.filter((p) => p.required || where === 'path').map((p) => p.name),
            additionalProperties: false,
          };
        };
        const segments = template.split('/');
        this.routes.push({
          method,
          template,
          pattern: new RegExp(
            `^${segments.map((s) => (/^\{[^}]+\}$/.test(s) ? '([^/]+)' : escapeRegExp(s))).join('/')}$`,
          ),
          names: segments.filter((s) => /^\{[^}]+\}$/.test(s)).map((s) => s.slice(1, -1)),
          literalSegments: segments.filter((s) => !/^\{[^}]+\}$/.test(s)).length,
          operationId,
          parameters,
          validate: ajv.compile({
            type: 'object',
            properties: { path: group('path'), query: group('query') },
            required: ['path', 'query'],
          }),
        });
      }
    }
    // A literal segment wins over a parameter: /v1/stock/below-reorder-point before /v1/stock/{sku}.
    this.routes.sort((a, b) => b.literalSegments - a.literalSegments);
  }

  /** The operationIds of the document. */
  operationIds(): string[] {
    return this.routes.map((r) => r.operationId);
  }

  /**
   * Routes a request (`path` as received, percent-encoded) and validates its parameters. `given`:
   * path parameters already decoded by the caller (API Gateway's `pathParameters`), used instead of
   * the ones parsed from the path.
   */
  route(
    method: string,
    path: string,
    query: Readonly<Record<string, string>>,
    given: Readonly<Record<string, string>> = {},
  ): RouteResult {
    const m = method.toLowerCase();
    for (const route of this.routes) {
      if (route.method !== m) continue;
      const match = route.pattern.exec(path);
      if (!match) continue;
      const params: Record<string, string> = {};
      try {
        route.names.forEach((name, i) => (params[name] = given[name] ?? decodeURIComponent(match[i + 1])));
      } catch {
        return { kind: 'bad-encoding' };
      }
      // Ajv coerces types in place: validate copies, keep the strings as sent.
      const data = { path: { ...params }, query: { ...query } };
      const errors = route.validate(data) ? [] : [...(route.validate.errors ?? [])];
      return {
        kind: 'matched',
        operationId: route.operationId,
        path: params,
        parameters: route.parameters,
        errors,
      };
    }
    return { kind: 'not-found' };
  }
}
