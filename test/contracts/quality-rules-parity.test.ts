/**
 * The two derivations of the quality gates from the contracts agree: the Glue Data Quality rulesets
 * (lib/lake/quality-rules.ts, TypeScript) and the rules the jobs check themselves
 * (glue-scripts/common/contract_rules.py, Python). For every curated dataset's contract: the same
 * required columns, the same top-level bounds, and the same nested bounds (which only the jobs check).
 * For every derived dataset (contracts/datasets.json `derived_datasets`): the same complete, unique and
 * non-negative columns in its DQDL ruleset as in the events job's gate of its rows
 * (glue-scripts/common/derived_datasets.py).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { DERIVED_DATASETS, EVENT_DATASETS, SOURCE_DATASETS } from '../../lib/lake/lake-datasets';
import { contractQualityRules, derivedQualityRules, loadFlatSchema } from '../../lib/lake/quality-rules';

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

interface PythonDerivedGate {
  readonly required: string[];
  readonly non_negative: string[];
  readonly unique: string[];
}

/** The gate the events job checks on each derived dataset's rows, by dataset (rule names only). */
function pythonDerivedGates(): Record<string, PythonDerivedGate> {
  const probe = [
    'import json, sys',
    "sys.path.insert(0, 'glue-scripts')",
    'from common import derived_datasets as dd',
    'out = {}',
    'for d in dd.load_derived_datasets():',
    '    names = [r.name.split(".", 1)[1] for r in dd.gate_rules(d)]',
    "    out[d.name] = {'required': [n.split(':', 1)[1] for n in names if n.startswith('required:')],",
    "                   'non_negative': [n.split(':', 1)[1] for n in names if n.startswith('non_negative:')],",
    "                   'unique': dd.unique_rule_name(d).split(':', 1)[1].split(',')}",
    'print(json.dumps(out))',
  ].join('\n');
  const run = spawnSync(join(REPO, '.venv', 'bin', 'python'), ['-c', probe], {
    cwd: REPO,
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (run.status !== 0)
    throw new Error(`derived_datasets.py failed (run make setup?):\n${run.stderr.slice(-2000)}`);
  return JSON.parse(run.stdout.trim().split('\n').pop() as string) as Record<string, PythonDerivedGate>;
}

const pythonDerived = pythonDerivedGates();

test('the job and the rulesets know the same derived datasets', () => {
  expect(Object.keys(pythonDerived).sort()).toEqual(DERIVED_DATASETS.map((d) => d.name).sort());
  expect(DERIVED_DATASETS.length).toBeGreaterThan(0);
});

describe.each(DERIVED_DATASETS.map((d) => [d.name, d] as const))(
  'the quality rules of derived dataset %s',
  (name, dataset) => {
    const { rules } = derivedQualityRules(dataset);
    const py = pythonDerived[name];
    const quoted = (rule: string): string[] => [...rule.matchAll(/"([^"]+)"/g)].map((m) => m[1]);

    test('require the same columns', () => {
      const complete = rules.filter((r) => r.startsWith('IsComplete')).map((r) => quoted(r)[0]);
      expect(complete.sort()).toEqual([...py.required].sort());
    });

    test('are unique by the same key', () => {
      const unique = rules.filter((r) => /^Is(Unique|PrimaryKey) /.test(r));
      expect(unique).toHaveLength(1);
      expect(quoted(unique[0])).toEqual(py.unique);
    });

    test('keep the same columns non-negative', () => {
      const nonNegative = rules
        .map((r) => /^ColumnValues "(\w+)" >= 0( |$)/.exec(r))
        .filter((m): m is RegExpExecArray => m !== null)
        .map((m) => m[1]);
      expect(nonNegative.sort()).toEqual([...py.non_negative].sort());
    });
  },
);
