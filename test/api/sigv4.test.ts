/**
 * The local server's stand-in for API Gateway's IAM authorization accepts what other SigV4
 * implementations sign: vectors computed independently from the specification (a Python
 * implementation of the canonical request, double-encoded path as AWS requires for services other
 * than S3; the first is also what curl --aws-sigv4 sends), and refuses the rest.
 */
import { DEFAULT_LOCAL_CREDENTIALS, signatureProblem, signedHeaders } from '../../api/local-server';

const HOST = '127.0.0.1:18787';
const AMZ_DATE = '20261127T091829Z';
const NOW = Date.parse('2026-11-27T09:18:30Z');

function authorization(signature: string, signed = 'host;x-amz-date'): string {
  return `AWS4-HMAC-SHA256 Credential=${DEFAULT_LOCAL_CREDENTIALS.accessKeyId}/20261127/eu-west-1/execute-api/aws4_request, SignedHeaders=${signed}, Signature=${signature}`;
}

function check(path: string, query: Record<string, string>, signature: string): Promise<string | undefined> {
  return signatureProblem(
    {
      method: 'GET',
      host: HOST,
      path,
      query,
      headers: { host: HOST, 'x-amz-date': AMZ_DATE, authorization: authorization(signature) },
    },
    DEFAULT_LOCAL_CREDENTIALS,
    'eu-west-1',
    NOW,
  );
}

describe('SigV4 verification of the local server', () => {
  it('accepts independently computed signatures', async () => {
    expect(
      await check('/v1/freshness', {}, 'ea69e89dbaee5ed31dc48a987a60d3c9c374c1ec11bc332dbc584f8f8f2abb48'),
    ).toBe(undefined);
    expect(
      await check(
        '/v1/sales/trend',
        { grain: 'month', from: '2000-01-01', to: '2030-01-01', category: 'Home & Garden' },
        '48a26f2233a47dc904bbc8fbce0bb4aefaca9f24eb35bdcd9e533a217b890959',
      ),
    ).toBe(undefined);
    expect(
      await check('/v1/orders/x%27y', {}, '3854aace3aea4f5fdb577bcc033aade1c63e362c950a6e408af7a1948d7a791c'),
    ).toBe(undefined);
  });

  it('refuses a signature of another request, another time or another key', async () => {
    const sig = 'ea69e89dbaee5ed31dc48a987a60d3c9c374c1ec11bc332dbc584f8f8f2abb48';
    expect(await check('/v1/freshness', { debug: '1' }, sig)).toMatch(/does not match/);
    expect(await check('/v1/orders/x', {}, sig)).toMatch(/does not match/);
    const late = await signatureProblem(
      {
        method: 'GET',
        host: HOST,
        path: '/v1/freshness',
        query: {},
        headers: { host: HOST, 'x-amz-date': AMZ_DATE, authorization: authorization(sig) },
      },
      DEFAULT_LOCAL_CREDENTIALS,
      'eu-west-1',
      NOW + 3_600_000,
    );
    expect(late).toMatch(/expired/);
    const other = await signatureProblem(
      {
        method: 'GET',
        host: HOST,
        path: '/v1/freshness',
        query: {},
        headers: { host: HOST, 'x-amz-date': AMZ_DATE, authorization: authorization(sig) },
      },
      { ...DEFAULT_LOCAL_CREDENTIALS, secretAccessKey: 'another-secret' },
      'eu-west-1',
      NOW,
    );
    expect(other).toMatch(/does not match/);
  });

  it('accepts what signedHeaders signs, and names what is wrong otherwise', async () => {
    const headers = await signedHeaders(`http://${HOST}/v1/stock/SKU-1?x=1`, { signingDate: new Date(NOW) });
    const req = { method: 'GET', host: HOST, path: '/v1/stock/SKU-1', query: { x: '1' }, headers };
    expect(await signatureProblem(req, DEFAULT_LOCAL_CREDENTIALS, 'eu-west-1', NOW)).toBe(undefined);
    expect(await signatureProblem(req, DEFAULT_LOCAL_CREDENTIALS, 'us-east-1', NOW)).toMatch(/region/);
    expect(
      await signatureProblem(
        { ...req, headers: { host: HOST } },
        DEFAULT_LOCAL_CREDENTIALS,
        'eu-west-1',
        NOW,
      ),
    ).toMatch(/not signed/);
    expect(
      await signatureProblem(
        { ...req, headers: { ...headers, authorization: 'Basic dXNlcjpwYXNz' } },
        DEFAULT_LOCAL_CREDENTIALS,
        'eu-west-1',
        NOW,
      ),
    ).toMatch(/not an AWS Signature/);
  });
});
