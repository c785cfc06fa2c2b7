// `npm test`: prepare the machine, run every test file with Node's test runner, and end with
// the line `N passed, N failed`.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ensureTestPackages } from './lib/debianPackages.mjs';
import { ensureDependencies, ensureWebBundle, root } from './lib/prepare.mjs';

const log = (line) => process.stderr.write(`vigil: ${line}\n`);
ensureDependencies(log);
ensureTestPackages(log);
ensureWebBundle(log);

function testFiles(dir) {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return entry === 'node_modules' ? [] : testFiles(path);
    return entry.endsWith('.test.ts') ? [relative(root, path)] : [];
  });
}

// A name filter narrows the run: `npm test -- e2e` runs only files whose path contains "e2e".
const filters = process.argv.slice(2);
const files = [...testFiles(join(root, 'src')), ...testFiles(join(root, 'test'))]
  .filter((file) => filters.length === 0 || filters.some((f) => file.includes(f)))
  .sort();
if (files.length === 0) {
  console.error('vigil: no test files matched.');
  process.exit(1);
}

mkdirSync(join(root, 'test-results'), { recursive: true });
const tapFile = join(root, 'test-results', 'results.tap');
const result = spawnSync(
  process.execPath,
  [
    '--import', 'tsx',
    '--test',
    '--test-reporter=spec', '--test-reporter-destination=stdout',
    '--test-reporter=tap', `--test-reporter-destination=${tapFile}`,
    ...files,
  ],
  { cwd: root, stdio: 'inherit', env: { ...process.env, NODE_ENV: 'test' } },
);

const tap = readFileSync(tapFile, 'utf8');
const count = (name) => Number(tap.match(new RegExp(`^# ${name} (\\d+)$`, 'm'))?.[1] ?? 0);
const passed = count('pass');
const failed = count('fail') + count('cancelled');
console.log(`${passed} passed, ${failed} failed`);
process.exit(result.status === 0 && failed === 0 && passed > 0 ? 0 : 1);
