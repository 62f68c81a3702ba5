/**
 * The contract and what follows from it: the document is valid OpenAPI 3.0 (openapi-backend loads it
 * strictly), every operation has an operationId and a handler, documents its problems, and the
 * generated files (types, embedded document, embedded SQL) are in step with their sources. The named
 * queries: the registry lists exactly the files, each file starts with a header comment, parses as
 * Redshift SQL, and uses exactly the parameters the registry binds.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { OPERATIONS } from '../../lambdas/api/operations';
import { NAMED_QUERIES, QueryName, parametersInSql, querySql } from '../../lambdas/api/queries/registry';
import { redshiftParseErrors } from '../../twin/warehouse/translator';
import { execFileSync } from 'node:child_process';
import { loadContract } from './helpers';

jest.setTimeout(60_000);

const QUERIES = join(__dirname, '..', '..', 'lambdas', 'api', 'queries');

describe('the contract (api/openapi.yaml)', () => {
  it('is valid, and every operation is implemented and documents its failures', async () => {
    const api = await loadContract();
    const operations = api.getOperations();
    expect(operations.map((o) => o.operationId).sort()).toEqual(Object.keys(OPERATIONS).sort());
    for (const o of operations) {
      expect(o.path).toMatch(/^\/v1\/[a-z0-9/{}_-]+$/);
      const statuses = Object.keys(o.responses ?? {});
      expect(statuses).toEqual(expect.arrayContaining(['200', '400', '403', '500']));
      if (o.path.includes('{')) expect(statuses).toContain('404');
    }
    expect((api.definition as { security?: unknown }).security).toEqual([{ sigv4: [], api_key: [] }]);
  });

  it('matches the generated files (scripts/generate-api-types.ts --check)', () => {
    // A child process: openapi-typescript is ESM-only inside, which jest's CommonJS runtime cannot load.
    const root = join(__dirname, '..', '..');
    const tsx = join(root, 'node_modules', '.bin', 'tsx');
    expect(() =>
      execFileSync(tsx, [join(root, 'scripts', 'generate-api-types.ts'), '--check'], {
        cwd: root,
        stdio: 'pipe',
      }),
    ).not.toThrow();
  });
});

describe('the named queries (lambdas/api/queries)', () => {
  const files = readdirSync(QUERIES).filter((f) => f.endsWith('.sql'));

  it('are exactly the registry', () => {
    expect(files.sort()).toEqual(
      Object.values(NAMED_QUERIES)
        .map((q) => q.file)
        .sort(),
    );
  });

  it('each start with a header and use exactly the registered parameters', () => {
    for (const name of Object.keys(NAMED_QUERIES) as QueryName[]) {
      const sql = readFileSync(join(QUERIES, NAMED_QUERIES[name].file), 'utf8');
      expect({ name, header: sql.startsWith('-- ') }).toEqual({ name, header: true });
      expect({ name, params: parametersInSql(sql) }).toEqual({
        name,
        params: Object.keys(NAMED_QUERIES[name].parameters).sort(),
      });
      expect(querySql(name)).toBe(sql);
    }
  });

  it('parse as Redshift SQL', async () => {
    const errors = await redshiftParseErrors(
      files.map((f) => ({
        file: `../lambdas/api/queries/${f}`,
        index: 1,
        sql: readFileSync(join(QUERIES, f), 'utf8'),
      })),
    );
    expect(errors).toEqual([]);
  });
});
