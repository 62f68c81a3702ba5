/**
 * Errors as RFC 9457 problem details (`application/problem+json`), one stable `type` per failure
 * (the `Problem` schema of api/openapi.yaml lists them). An {@link ApiProblem} thrown anywhere in a
 * request becomes its answer; anything else becomes `internal` (500) without its message.
 */
import type { components } from '../../api/generated/openapi-types';

export type Problem = components['schemas']['Problem'];
export type InvalidParam = NonNullable<Problem['invalid_params']>[number];

export const PROBLEM_BASE = 'https://docs.ecommerce-data-platform.example/problems/';

/** Each failure: its status and title. */
export const PROBLEM_TYPES = {
  'invalid-parameter': { status: 400, title: 'Invalid parameter' },
  'unknown-parameter': { status: 400, title: 'Unknown parameter' },
  'invalid-page-token': { status: 400, title: 'Invalid page token' },
  unauthenticated: { status: 403, title: 'Not authenticated' },
  'not-found': { status: 404, title: 'Not found' },
  internal: { status: 500, title: 'Internal error' },
  'query-failed': { status: 502, title: 'Query failed' },
} as const;

export type ProblemKind = keyof typeof PROBLEM_TYPES;

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** A failure to answer with a problem. */
export class ApiProblem extends Error {
  constructor(
    readonly kind: ProblemKind,
    readonly detail: string,
    readonly invalidParams?: readonly InvalidParam[],
  ) {
    super(detail);
    this.name = 'ApiProblem';
  }

  get status(): number {
    return PROBLEM_TYPES[this.kind].status;
  }
}

/** 400 invalid-parameter naming one parameter. */
export function invalidParameter(
  name: string,
  reason: string,
  where: InvalidParam['in'] = 'query',
): ApiProblem {
  return new ApiProblem('invalid-parameter', `Parameter '${name}' ${reason}.`, [{ name, in: where, reason }]);
}

/** The problem document. */
export function problemBody(
  p: ApiProblem,
  instance: string | undefined,
  requestId: string | undefined,
): Problem {
  return {
    type: `${PROBLEM_BASE}${p.kind}` as Problem['type'],
    title: PROBLEM_TYPES[p.kind].title,
    status: p.status,
    detail: p.detail,
    ...(instance !== undefined ? { instance } : {}),
    ...(requestId !== undefined ? { request_id: requestId } : {}),
    ...(p.invalidParams && p.invalidParams.length > 0 ? { invalid_params: [...p.invalidParams] } : {}),
  };
}
