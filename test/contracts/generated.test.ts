import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

// The generated files are committed so that code and reviewers can read them; this test fails when a
// schema changed and `npm run contracts:generate` was not run. The generator runs in a child process
// because json-schema-to-typescript formats with Prettier 3, which Jest's module sandbox cannot load.
test('contracts/generated (types.ts and flat/*.json) is in step with contracts/schemas', () => {
  const root = path.join(__dirname, '..', '..');
  const run = spawnSync(
    process.execPath,
    ['--import', 'tsx', 'scripts/generate-contract-types.ts', '--check'],
    {
      cwd: root,
      encoding: 'utf8',
    },
  );
  expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: '' });
});
