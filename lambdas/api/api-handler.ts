/**
 * The API's Lambda handler (API Gateway REST proxy integration, payload 1.0), built by a factory so
 * that AWS (./handler.ts) and the local twin (api/local-server.ts) run the same code with their own
 * dependencies. Routing and request validation come from the contract, api/openapi.yaml (embedded as
 * api/generated/openapi-document.ts), through ./router.ts (Ajv): an unknown query parameter, a wrong
 * type, a value out of range or of the wrong format is answered 400 before any operation runs; a
 * parameter given twice is refused too. Every failure is `application/problem+json`
 * (./problems.ts); an unexpected error is 500 `internal`, logged, and never shown to the caller.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { ErrorObject } from 'ajv';
import { OPENAPI_DOCUMENT } from '../../api/generated/openapi-document';
import { ApiAnswer, ApiDeps, ApiRequest, OPERATIONS } from './operations';
import { ApiProblem, InvalidParam, PROBLEM_CONTENT_TYPE, problemBody } from './problems';
import { ContractParameter, ContractRouter } from './router';

/** Where the handler logs (Powertools Logger on AWS; console or nothing locally). */
export interface ApiLogger {
  info(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown>): void;
}

export interface ApiHandlerOptions {
  readonly logger?: ApiLogger;
  /** Called once per request with its operation (or 'unmatched'), status and duration. */
  readonly onResponse?: (operationId: string, status: number, ms: number) => void;
}

export type ApiHandler = (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;

type ParamIndex = ReadonlyMap<string, Pick<ContractParameter, 'name' | 'in' | 'schema'>>;

function describeParam(param: Pick<ContractParameter, 'name' | 'schema'>): string {
  const s = param.schema ?? {};
  if (s.format === 'date') return 'a date YYYY-MM-DD';
  if (param.name === 'month') return 'a month YYYY-MM';
  if (typeof s.pattern === 'string') return `a value matching ${s.pattern}`;
  return 'a valid value';
}

/** One validation error as the parameter it names and why. */
function invalidParamOf(e: ErrorObject, params: ParamIndex): InvalidParam & { unknown?: boolean } {
  const segments = e.instancePath.split('/').filter(Boolean);
  const where = (segments[0] ?? 'query') as 'query' | 'path' | 'header';
  if (e.keyword === 'additionalProperties') {
    const name = String((e.params as { additionalProperty: string }).additionalProperty);
    return { name, in: where, reason: 'is not a parameter of this operation', unknown: true };
  }
  if (e.keyword === 'required') {
    const name = String((e.params as { missingProperty: string }).missingProperty);
    return { name, in: where, reason: 'is required' };
  }
  const name = segments[1] ?? segments[0] ?? 'request';
  const param = params.get(`${where}:${name}`) ?? { name, in: where };
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'type':
      return {
        name,
        in: where,
        reason: `must be ${p.type === 'integer' ? 'an integer' : `of type ${String(p.type)}`}`,
      };
    case 'enum':
      return { name, in: where, reason: `must be one of: ${(p.allowedValues as unknown[]).join(', ')}` };
    case 'maximum':
      return { name, in: where, reason: `must be at most ${String(p.limit)}` };
    case 'minimum':
      return { name, in: where, reason: `must be at least ${String(p.limit)}` };
    case 'maxLength':
      return { name, in: where, reason: `must be at most ${String(p.limit)} characters long` };
    case 'minLength':
      return { name, in: where, reason: `must not be empty` };
    case 'pattern':
    case 'format':
      return { name, in: where, reason: `must be ${describeParam(param)}` };
    default:
      return { name, in: where, reason: e.message ?? 'is not valid' };
  }
}

/** The problem for a request that failed validation. */
function validationProblem(errors: readonly ErrorObject[], params: ParamIndex): ApiProblem {
  const all = errors.map((e) => invalidParamOf(e, params));
  const seen = new Set<string>();
  const unique = all.filter((p) => {
    const k = `${p.in}:${p.name}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  const unknown = unique.filter((p) => p.unknown);
  const strip = ({ name, in: where, reason }: InvalidParam): InvalidParam => ({ name, in: where, reason });
  if (unknown.length > 0) {
    const names = unknown.map((p) => `'${p.name}'`).join(', ');
    return new ApiProblem(
      'unknown-parameter',
      `Unknown parameter${unknown.length > 1 ? 's' : ''} ${names}: this operation does not take ${unknown.length > 1 ? 'them' : 'it'} (see the API document).`,
      unknown.map(strip),
    );
  }
  return new ApiProblem(
    'invalid-parameter',
    unique.map((p) => `Parameter '${p.name}' ${p.reason}.`).join(' '),
    unique.map(strip),
  );
}

/** The prefix of this API's paths in the URL the caller used (the stage on API Gateway). */
function basePathOf(event: APIGatewayProxyEvent): string {
  const full = event.requestContext?.path;
  if (typeof full === 'string' && full.endsWith(event.path) && full.length > event.path.length)
    return full.slice(0, full.length - event.path.length);
  return '';
}

function response(answer: ApiAnswer): APIGatewayProxyResult {
  return {
    statusCode: answer.status,
    headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', ...answer.headers },
    body: JSON.stringify(answer.body),
  };
}

function problemResponse(p: ApiProblem, event: APIGatewayProxyEvent): APIGatewayProxyResult {
  return {
    statusCode: p.status,
    headers: { 'Content-Type': PROBLEM_CONTENT_TYPE, 'Cache-Control': 'no-store' },
    body: JSON.stringify(problemBody(p, event.path, event.requestContext?.requestId)),
  };
}

/** Is the caller signed in? API Gateway's IAM authorization sets the identity of every call it lets through. */
function authenticated(event: APIGatewayProxyEvent): boolean {
  const id = event.requestContext?.identity;
  return Boolean(id && (id.userArn || id.caller || id.accessKey));
}

/** Builds the handler. The document is compiled on the first request (once per container). */
export function createApiHandler(deps: ApiDeps, options: ApiHandlerOptions = {}): ApiHandler {
  let router: ContractRouter | undefined;

  /** The operation to run and its path parameters, or the problem with the request. */
  function route(
    event: APIGatewayProxyEvent,
    query: Record<string, string>,
  ): { operationId: string; path: Record<string, string> } {
    router ??= new ContractRouter(OPENAPI_DOCUMENT);
    // API Gateway gives the path parameters decoded: the router prefers them to its own parsing.
    const given = Object.fromEntries(
      Object.entries(event.pathParameters ?? {}).filter(
        (e): e is [string, string] => typeof e[1] === 'string',
      ),
    );
    const r = router.route(event.httpMethod, event.path, query, given);
    if (r.kind === 'bad-encoding')
      throw new ApiProblem('invalid-parameter', 'The request path is not valid percent-encoding.', [
        { name: 'path', in: 'path', reason: 'is not valid percent-encoding' },
      ]);
    if (r.kind === 'not-found')
      throw new ApiProblem(
        'not-found',
        `There is no operation at ${event.httpMethod.toUpperCase()} ${event.path}.`,
      );
    if (r.errors.length > 0)
      throw validationProblem(r.errors, new Map(r.parameters.map((p) => [`${p.in}:${p.name}`, p])));
    if (OPERATIONS[r.operationId] === undefined)
      throw new Error(`operation ${r.operationId} has no implementation`);
    return { operationId: r.operationId, path: { ...r.path } };
  }

  /** The query parameters, each given once (a repeated parameter is refused). */
  function queryOf(event: APIGatewayProxyEvent): Record<string, string> | ApiProblem {
    const multi = event.multiValueQueryStringParameters ?? {};
    const repeated = Object.entries(multi)
      .filter(([, v]) => (v?.length ?? 0) > 1)
      .map(([k]) => k);
    if (repeated.length > 0)
      return new ApiProblem(
        'invalid-parameter',
        repeated.map((k) => `Parameter '${k}' is given more than once.`).join(' '),
        repeated.map((name) => ({ name, in: 'query', reason: 'is given more than once' })),
      );
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(event.queryStringParameters ?? {})) if (v !== undefined) out[k] = v;
    return out;
  }

  return async (event) => {
    const started = Date.now();
    let operationId = 'unmatched';
    let result: APIGatewayProxyResult;
    try {
      if (!authenticated(event))
        throw new ApiProblem(
          'unauthenticated',
          'The request is not signed: sign it with AWS Signature Version 4.',
        );
      const query = queryOf(event);
      if (query instanceof ApiProblem) throw query;
      const routed = route(event, query);
      operationId = routed.operationId;
      const request: ApiRequest = { operationId, query, path: routed.path, basePath: basePathOf(event) };
      result = response(await OPERATIONS[operationId](deps, request));
    } catch (e) {
      if (e instanceof ApiProblem) {
        if (e.status >= 500)
          options.logger?.error('request failed', { operationId, problem: e.kind, detail: e.detail });
        result = problemResponse(e, event);
      } else {
        options.logger?.error('unexpected error', {
          operationId,
          error: e instanceof Error ? { name: e.name, message: e.message, stack: e.stack } : String(e),
        });
        result = problemResponse(
          new ApiProblem(
            'internal',
            'The service failed unexpectedly; the failure was logged. Try again later.',
          ),
          event,
        );
      }
    }
    const ms = Date.now() - started;
    options.logger?.info('request', { operationId, path: event.path, status: result.statusCode, ms });
    options.onResponse?.(operationId, result.statusCode, ms);
    return result;
  };
}
