/**
 * The two derivations of the quality gates from the contracts agree: the Glue Data Quality rulesets
 * (lib/lake/quality-rules.ts, TypeScript) and the rules the jobs check themselves
 * (glue-scripts/common/contract_rules.py, Python). For every curated dataset's contract: the same
 * required columns, the same top-level bounds, and the same nested bounds (which only the jobs check).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { EVENT_DATASETS, SOURCE_DATASETS } from '../../lib/lake/lake-datasets';
import { contractQualityRules, loadFlatSchema } from '../../lib/lake/quality-rules';

const REPO = join(__dirname, '..', '..');
const CONTRACTS = [...new Set([...EVENT_DATASETS, ...SOURCE_DATASETS].map((d) => d.contract))].sort();

interface PythonRules {
  readonly required: string[];
  readonly ranges: [string, string][];
}

/** What contract_rules.py derives, per contract (no Spark session: only the schema is read). */
function pythonRules(): Record<string, PythonRules> {
  const probe = [
    'import json, sys',
    "sys.path.insert(0, 'glue-scripts')",
    'from common.contract_rules import ContractRules',
    'out = {}',
    'for c in sys.argv[1:]:',
    '    r = ContractRules(c)',
    "    out[c] = {'required': r.required, 'ranges': r.range_bounds()}",
    'print(json.dumps(out))',
  ].join('\n');
  const run = spawnSync(join(REPO, '.venv', 'bin', 'python'), ['-c', probe, ...CONTRACTS], {
    cwd: REPO,
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (run.status !== 0)
    throw new Error(`contract_rules.py failed (run make setup?):\n${run.stderr.slice(-2000)}`);
  return JSON.parse(run.stdout.trim().split('\n').pop() as string) as Record<string, PythonRules>;
}

const python = pythonRules();

describe.each(CONTRACTS)('the quality rules of contract %s', (contract) => {
  const ts = contractQualityRules(loadFlatSchema(contract), contract, []);
  const py = python[contract];

  test('require the same columns', () => {
    const complete = ts.rules.filter((r) => r.startsWith('IsComplete')).map((r) => r.split('"')[1]);
    expect(complete.sort()).toEqual([...py.required].sort());
  });

  test('bound the same top-level columns the same way', () => {
    const bounds = new Map<string, { min?: string; max?: string }>();
    for (const rule of ts.rules) {
      const m = /^ColumnValues "(\w+)" (>=|<=) (-?[\d.]+)/.exec(rule);
      if (m === null) continue;
      const b = bounds.get(m[1]) ?? {};
      if (m[2] === '>=') b.min = m[3];
      else b.max = m[3];
      bounds.set(m[1], b);
    }
    const tsTopLevel = [...bounds].map(([name, b]) => `${name} [${b.min ?? ''}, ${b.max ?? ''}]`).sort();
    const pyTopLevel = py.ranges
      .filter(([path]) => !/[.[]/.test(path) && path !== 'schema_version')
      .map(([path, b]) => `${path} ${b}`)
      .sort();
    expect(tsTopLevel).toEqual(pyTopLevel);
  });

  test('list the same nested bounds as checked by the job only', () => {
    const pyNested = py.ranges
      .filter(([path]) => /[.[]/.test(path))
      .map(([path, b]) => `${path} ${b}`)
      .sort();
    expect([...ts.jobOnlyChecks].sort()).toEqual(pyNested);
  });
});
