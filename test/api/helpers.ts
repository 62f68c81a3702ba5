/**
 * Helpers of the API tests: SigV4-signed calls to the running local API (as an AWS SDK client signs
 * them), and a check of every answer against the contract (api/openapi.yaml) with openapi-backend's
 * response validation.
 */
import addFormats from 'ajv-formats';
import OpenAPIBackend, { ValidationContext, type Document } from 'openapi-backend';
import { OPENAPI_DOCUMENT } from '../../api/generated/openapi-document';
import { LocalCredentials, signedHeaders } from '../../api/local-server';

export interface Answer {
  readonly status: number;
  readonly contentType: string;
  readonly headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly body: any;
}

export interface CallOptions {
  /** false: no signature at all. */
  readonly sign?: boolean;
  readonly credentials?: LocalCredentials;
  readonly region?: string;
  readonly signingDate?: Date;
  /** The usage-plan key sent in x-api-key (default the local one; null: none). */
  readonly apiKey?: string | null;
  /** Headers changed after signing (a tampered request). */
  readonly afterSigning?: (headers: Record<string, string>) => Record<string, string>;
  readonly method?: string;
}

/** Calls the API at `base` + `path` (path and query as they go on the wire). */
export async function call(base: string, path: string, options: CallOptions = {}): Promise<Answer> {
  const url = `${base}${path}`;
  let headers: Record<string, string> = {};
  if (options.sign !== false) {
    headers = await signedHeaders(url, {
      method: options.method,
      credentials: options.credentials,
      region: options.region,
      signingDate: options.signingDate,
      apiKey: options.apiKey,
    });
    delete headers.host; // fetch sets it (the same value)
  }
  if (options.afterSigning) headers = options.afterSigning(headers);
  const res = await fetch(url, { method: options.method ?? 'GET', headers });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: kept as text (the assertions then fail with the text)
  }
  return {
    status: res.status,
    contentType: res.headers.get('content-type') ?? '',
    headers: res.headers,
    body,
  };
}

let contract: OpenAPIBackend | undefined;

/** The contract, loaded strictly (an invalid document throws). */
export async function loadContract(): Promise<OpenAPIBackend> {
  if (!contract) {
    const api = new OpenAPIBackend({
      definition: structuredClone(OPENAPI_DOCUMENT) as unknown as Document,
      strict: true,
      validate: true,
      ajvOpts: { strict: false, allErrors: true },
      customizeAjv: (ajv) => {
        addFormats(ajv, ['date', 'date-time']);
        return ajv;
      },
    });
    await api.init();
    contract = api;
  }
  return contract;
}

/** Throws unless the answer is one the document declares for the operation (status, media type, body, headers). */
export async function expectConforms(operationId: string, a: Answer): Promise<void> {
  const api = await loadContract();
  const operation = api.getOperation(operationId);
  if (!operation) throw new Error(`no operation ${operationId}`);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const declared = (operation.responses as any)[String(a.status)];
  if (!declared)
    throw new Error(`${operationId}: status ${a.status} is not documented (${JSON.stringify(a.body)})`);
  const mediaTypes = Object.keys(declared.content ?? {});
  const mediaType = a.contentType.split(';')[0].trim();
  if (!mediaTypes.includes(mediaType))
    throw new Error(
      `${operationId} ${a.status}: content-type ${mediaType}, documented ${mediaTypes.join(', ')}`,
    );
  const schema = declared.content[mediaType].schema;
  const ajv = api.validator.getAjv(ValidationContext.Response);
  const validate = ajv.compile(schema);
  if (!validate(a.body))
    throw new Error(
      `${operationId} ${a.status}: body does not conform: ${JSON.stringify(validate.errors)}\n${JSON.stringify(a.body).slice(0, 500)}`,
    );
  for (const name of Object.keys(declared.headers ?? {}))
    if (a.headers.get(name) === null)
      throw new Error(`${operationId} ${a.status}: header ${name} is missing`);
}

export const PROBLEMS = 'https://docs.ecommerce-data-platform.example/problems/';

/** Expects a problem answer of `status` and `kind`, with a useful detail. */
export function expectProblem(a: Answer, status: number, kind: string): void {
  expect({ status: a.status, contentType: a.contentType, type: a.body?.type }).toEqual({
    status,
    contentType: 'application/problem+json',
    type: `${PROBLEMS}${kind}`,
  });
  expect(typeof a.body.detail).toBe('string');
  expect(a.body.detail.length).toBeGreaterThan(10);
  expect(a.body.status).toBe(status);
  expect(JSON.stringify(a.body)).not.toMatch(/at .*\.ts:\d+|stack/i);
}
