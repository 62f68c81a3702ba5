/**
 * The REST API's API Gateway definition, derived from the contract (api/openapi.yaml). The contract
 * stays the one description of the API: its paths, operations, parameters and security become the
 * gateway's routes, request validation and authorization, and every operation is wired to the one
 * Lambda handler (proxy integration), which validates and answers with the full contract.
 *
 * What API Gateway gets is a reduced copy of the contract: API Gateway REST models are JSON Schema
 * draft 4 and refuse or ignore much of OpenAPI 3.0's schema language (`nullable`, `anyOf`,
 * `format: int64`, ...), and a proxy integration never uses response models; so response bodies
 * and component schemas are left out, and each parameter keeps its name, place, `required` and
 * type, which is what the gateway's request validator checks.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';

/** The contract of the REST API. */
export const API_CONTRACT_PATH = path.resolve(__dirname, '..', '..', 'api', 'openapi.yaml');

/** Base of the contract's problem types (RFC 9457 `type`). */
export const PROBLEM_TYPE_BASE = 'https://docs.ecommerce-data-platform.example/problems/';

/** The name of the request validator every operation uses. */
export const REQUEST_VALIDATOR = 'parameters-and-body';

/** The security scheme of the usage-plan API key (API Gateway reads `x-api-key`). */
export const API_KEY_SCHEME = 'api_key';

/** The security scheme of the Cognito user pool authorizer (authorizer `cognito`). */
export const COGNITO_SCHEME = 'cognito';

/** The contract's SigV4 scheme name when it declares none (it should). */
const DEFAULT_SIGV4_SCHEME = 'sigv4';

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch'] as const;

type Json = Record<string, unknown>;

/** An OpenAPI 3.0 document, as parsed. */
export interface OpenApiDocument extends Json {
  readonly openapi: string;
  readonly info: Json;
  readonly paths: Record<string, Json>;
  readonly components?: Json;
  readonly security?: readonly Json[];
}

/** One operation of the contract. */
export interface ContractOperation {
  /** The path, for example `/v1/orders/{order_id}`. */
  readonly path: string;
  /** The HTTP method, lowercase. */
  readonly method: string;
  readonly operationId: string;
}

/** Reads and parses the contract; throws naming the file when it is not an OpenAPI 3.0 document. */
export function loadApiContract(file: string = API_CONTRACT_PATH): OpenApiDocument {
  if (!fs.existsSync(file)) throw new Error(`The API contract ${file} does not exist`);
  const doc = parse(fs.readFileSync(file, 'utf8')) as unknown;
  if (
    doc === null ||
    typeof doc !== 'object' ||
    typeof (doc as Json).openapi !== 'string' ||
    !/^3\.0\.\d+$/.test((doc as Json).openapi as string) ||
    typeof (doc as Json).paths !== 'object'
  ) {
    throw new Error(`The API contract ${file} is not an OpenAPI 3.0 document with paths`);
  }
  return doc as OpenApiDocument;
}

/** Every operation of the contract, in the document's order; each must have an operationId. */
export function contractOperations(doc: OpenApiDocument): ContractOperation[] {
  const operations: ContractOperation[] = [];
  const seen = new Set<string>();
  for (const [p, item] of Object.entries(doc.paths)) {
    for (const method of HTTP_METHODS) {
      const op = item[method] as Json | undefined;
      if (op === undefined) continue;
      const operationId = op.operationId;
      if (typeof operationId !== 'string' || operationId === '') {
        throw new Error(`The API contract's ${method.toUpperCase()} ${p} has no operationId`);
      }
      if (seen.has(operationId)) throw new Error(`The API contract repeats operationId ${operationId}`);
      seen.add(operationId);
      operations.push({ path: p, method, operationId });
    }
  }
  if (operations.length === 0) throw new Error('The API contract has no operation');
  return operations;
}

/** Follows a local `$ref` (`#/components/...`) to what it names; other values are returned as they are. */
function deref(doc: OpenApiDocument, value: unknown): Json {
  let v = value as Json;
  for (let hops = 0; v && typeof v.$ref === 'string'; hops++) {
    const ref = v.$ref as string;
    if (!ref.startsWith('#/') || hops > 20)
      throw new Error(`The API contract's $ref '${ref}' cannot be followed`);
    let target: unknown = doc;
    for (const part of ref.slice(2).split('/')) {
      const key = part.replace(/~1/g, '/').replace(/~0/g, '~');
      target = target !== null && typeof target === 'object' ? (target as Json)[key] : undefined;
    }
    if (target === undefined) throw new Error(`The API contract's $ref '${ref}' names nothing`);
    v = target as Json;
  }
  return v;
}

/** A parameter as API Gateway reads it: name, place, required, type. */
function gatewayParameter(doc: OpenApiDocument, raw: unknown): Json {
  const p = deref(doc, raw);
  const schema = p.schema === undefined ? {} : deref(doc, p.schema);
  const type = typeof schema.type === 'string' ? schema.type : 'string';
  return {
    name: p.name,
    in: p.in,
    ...(p.required === true ? { required: true } : {}),
    ...(typeof p.description === 'string' ? { description: p.description } : {}),
    schema: { type },
  };
}

/** The JSON body of a gateway-made problem: the contract's error format. */
function problemTemplate(type: string, title: string, status: number): string {
  return `{"type":"${PROBLEM_TYPE_BASE}${type}","title":"${title}","status":${status},"detail":$context.error.messageString,"request_id":"$context.requestId"}`;
}

/** A gateway response answering with a problem of the contract. */
interface GatewayProblem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly headers?: Record<string, string>;
}

const UNAUTHENTICATED: GatewayProblem = { type: 'unauthenticated', title: 'Not authenticated', status: 403 };
const THROTTLED: GatewayProblem = {
  type: 'throttled',
  title: 'Too many requests',
  status: 429,
  headers: { 'Retry-After': '1' },
};

/**
 * The gateway responses and the problem each answers with. Every failure API Gateway answers itself
 * (before the handler) follows the contract's format: `application/problem+json` with a stable
 * type. The authentication failures are all `unauthenticated` with 403, as the contract says (a
 * Cognito 401 included); an unknown path is MISSING_AUTHENTICATION_TOKEN too (API Gateway answers
 * that for a route it does not have, before authorization).
 */
export const GATEWAY_PROBLEMS: Readonly<Record<string, GatewayProblem>> = {
  ACCESS_DENIED: UNAUTHENTICATED,
  MISSING_AUTHENTICATION_TOKEN: UNAUTHENTICATED,
  UNAUTHORIZED: UNAUTHENTICATED,
  INVALID_SIGNATURE: UNAUTHENTICATED,
  EXPIRED_TOKEN: UNAUTHENTICATED,
  INVALID_API_KEY: UNAUTHENTICATED,
  THROTTLED,
  QUOTA_EXCEEDED: { ...THROTTLED, title: 'Daily quota exceeded', headers: undefined },
  BAD_REQUEST_PARAMETERS: { type: 'invalid-parameter', title: 'Invalid parameter', status: 400 },
  BAD_REQUEST_BODY: { type: 'invalid-parameter', title: 'Invalid parameter', status: 400 },
  RESOURCE_NOT_FOUND: { type: 'not-found', title: 'Not found', status: 404 },
  WAF_FILTERED: { type: 'forbidden', title: 'Forbidden', status: 403 },
  DEFAULT_4XX: { type: 'invalid-parameter', title: 'Bad request', status: 400 },
  DEFAULT_5XX: { type: 'internal', title: 'Internal error', status: 500 },
};

/** The `x-amazon-apigateway-gateway-responses` extension. */
function gatewayResponses(): Json {
  return Object.fromEntries(
    Object.entries(GATEWAY_PROBLEMS).map(([responseType, p]) => [
      responseType,
      {
        statusCode: String(p.status),
        responseParameters: Object.fromEntries(
          Object.entries({ 'Content-Type': 'application/problem+json', ...p.headers }).map(([h, v]) => [
            `gatewayresponse.header.${h}`,
            `'${v}'`,
          ]),
        ),
        responseTemplates: { 'application/json': problemTemplate(p.type, p.title, p.status) },
      },
    ]),
  );
}

/** How the gateway authenticates callers. */
export type GatewayAuthorization =
  { readonly type: 'iam' } | { readonly type: 'cognito'; readonly userPoolArn: string };

/** Options of {@link gatewayDefinition}. */
export interface GatewayDefinitionOptions {
  /** The API's name (the definition's title, which names the RestApi and its metrics). */
  readonly title: string;
  /** The ARN of the Lambda function every operation invokes. */
  readonly handlerArn: string;
  /** IAM (SigV4) or a Cognito user pool. */
  readonly authorization: GatewayAuthorization;
  /** Partition and region of the integration URI (tokens in a stack). */
  readonly partition: string;
  readonly region: string;
  /** Milliseconds API Gateway waits for the handler (50 to 29,000). @default 29000 */
  readonly integrationTimeoutMs?: number;
}

/** The name of the contract's SigV4 security scheme (`x-amazon-apigateway-authtype: awsSigv4`). */
function sigv4SchemeOf(doc: OpenApiDocument): { name: string; scheme: Json } {
  const schemes = (doc.components?.securitySchemes ?? {}) as Record<string, Json>;
  const found = Object.entries(schemes).find(([, s]) => s['x-amazon-apigateway-authtype'] === 'awsSigv4');
  if (found) return { name: found[0], scheme: found[1] };
  return {
    name: DEFAULT_SIGV4_SCHEME,
    scheme: {
      type: 'apiKey',
      name: 'Authorization',
      in: 'header',
      'x-amazon-apigateway-authtype': 'awsSigv4',
    },
  };
}

/**
 * The API Gateway definition of the contract: every operation of `doc` with its parameters, the
 * chosen authorization and the usage-plan API key (both required), the request validator, and a
 * Lambda proxy integration (POST to the handler, payload 1.0); plus the gateway responses in the
 * contract's problem format. Operations may not set their own `security` (the API has one policy).
 */
export function gatewayDefinition(doc: OpenApiDocument, options: GatewayDefinitionOptions): Json {
  const sigv4 = sigv4SchemeOf(doc);
  const authScheme = options.authorization.type === 'iam' ? sigv4.name : COGNITO_SCHEME;
  const security = [{ [authScheme]: [], [API_KEY_SCHEME]: [] }];
  const uri = `arn:${options.partition}:apigateway:${options.region}:lambda:path/2015-03-31/functions/${options.handlerArn}/invocations`;
  const paths: Record<string, Json> = {};
  for (const { path: p, method, operationId } of contractOperations(doc)) {
    const item = doc.paths[p];
    const op = item[method] as Json;
    if (op.security !== undefined) {
      throw new Error(
        `The API contract's ${operationId} sets its own security; the API authorizes every operation the same way`,
      );
    }
    const pathParameters = (item.parameters as unknown[] | undefined) ?? [];
    const parameters = [...pathParameters, ...((op.parameters as unknown[] | undefined) ?? [])].map((raw) =>
      gatewayParameter(doc, raw),
    );
    const responses = Object.fromEntries(
      Object.entries((op.responses ?? {}) as Json).map(([status, r]) => [
        status,
        { description: (deref(doc, r).description as string | undefined) ?? status },
      ]),
    );
    paths[p] = {
      ...paths[p],
      [method]: {
        operationId,
        ...(typeof op.summary === 'string' ? { summary: op.summary } : {}),
        ...(Array.isArray(op.tags) ? { tags: op.tags } : {}),
        ...(parameters.length > 0 ? { parameters } : {}),
        responses,
        security,
        'x-amazon-apigateway-request-validator': REQUEST_VALIDATOR,
        'x-amazon-apigateway-integration': {
          type: 'aws_proxy',
          httpMethod: 'POST',
          uri,
          passthroughBehavior: 'when_no_match',
          timeoutInMillis: options.integrationTimeoutMs ?? 29_000,
        },
      },
    };
  }
  const securitySchemes: Json = {
    [API_KEY_SCHEME]: { type: 'apiKey', name: 'x-api-key', in: 'header' },
  };
  if (options.authorization.type === 'iam') {
    securitySchemes[sigv4.name] = sigv4.scheme;
  } else {
    securitySchemes[COGNITO_SCHEME] = {
      type: 'apiKey',
      name: 'Authorization',
      in: 'header',
      'x-amazon-apigateway-authtype': 'cognito_user_pools',
      'x-amazon-apigateway-authorizer': {
        type: 'cognito_user_pools',
        providerARNs: [options.authorization.userPoolArn],
      },
    };
  }
  return {
    openapi: doc.openapi,
    info: {
      title: options.title,
      version: doc.info.version,
      description: `Built from api/openapi.yaml (${String(doc.info.title)} ${String(doc.info.version)}).`,
    },
    paths,
    components: { securitySchemes },
    security,
    'x-amazon-apigateway-api-key-source': 'HEADER',
    'x-amazon-apigateway-request-validators': {
      [REQUEST_VALIDATOR]: { validateRequestParameters: true, validateRequestBody: true },
    },
    'x-amazon-apigateway-gateway-responses': gatewayResponses(),
  };
}
