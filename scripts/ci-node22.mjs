// CI's second run: the fast part of the suite (unit tests under src/ and test/integration/) on
// Node 22, while the machine itself has Node 20. Called by .ci/run; runs on the machine's Node
// and, like scripts/lib/prepare.mjs, imports nothing outside Node itself.
//
// Why it is built this way:
// - Node 22 comes from the npm registry (the only place this machine and CI can reach): the
//   package node-<platform>-<arch> ships the official build's bin/node *and* include/node, the
//   headers node-gyp needs. It has no npm of its own: the machine's npm (plain JavaScript, run
//   through `#!/usr/bin/env node`) runs on Node 22 once Node 22's bin/ is first on PATH.
// - better-sqlite3 is a native addon tied to one Node ABI (NODE_MODULE_VERSION 115 on 20, 127
//   on 22), so Node 22 needs its own node_modules. It is installed in a copy of the repository
//   in a temporary folder (outside this checkout, so module lookup never falls back to the Node 20
//   node_modules), and the checkout's own node_modules is never touched.
// - npm_config_nodedir points node-gyp at Node 22's headers: the machine's ~/.npmrc says
//   nodedir=/usr (Node 20's headers), which would build an addon that Node 22 refuses to load.
//   bufferutil and utf-8-validate load N-API prebuilds that work on any ABI.
// - Every failure (registry unreachable, wrong binary, failed build) exits non-zero with a
//   message: a missing Node 22 must fail CI, never be skipped.
//
// `node scripts/ci-node22.mjs [filters…]` runs it by hand (the default filters are the fast part);
// VIGIL_NODE22_KEEP=1 keeps the temporary folder for a look afterwards.
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { root } from './lib/prepare.mjs';

/** The one place the Node 22 version is written: an exact release, so every CI run gets the same binary. */
const NODE22_VERSION = '22.23.5';
const FAST_PART = ['src/', 'test/integration'];

const started = Date.now();
const elapsed = () => `${Math.round((Date.now() - started) / 1000)} s`;
const log = (line) => process.stderr.write(`vigil-ci (Node ${NODE22_VERSION}): ${line}\n`);
function fail(message) {
  log(`FAILED: ${message}`);
  process.exit(1);
}
function run(command, args, options) {
  const result = spawnSync(command, args, { stdio: 'inherit', ...options });
  if (result.error) fail(`${command} ${args.join(' ')}: ${result.error.message}`);
  return result.status ?? 1;
}

const work = mkdtempSync(join(tmpdir(), 'vigil-node22-'));
const cleanUp = () => {
  if (process.env.VIGIL_NODE22_KEEP) log(`kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
};
process.on('exit', cleanUp);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(1));

// 1. Node 22 from the npm registry: `npm pack` fetches the tarball (checked against the registry's
//    integrity hash) without running any install script; tar unpacks it to <work>/node22.
const pkg = `node-${process.platform}-${process.arch}`;
log(`fetching ${pkg}@${NODE22_VERSION} from the npm registry…`);
if (run('npm', ['pack', `${pkg}@${NODE22_VERSION}`, '--pack-destination', work, '--loglevel=error'], { stdio: ['ignore', 'ignore', 'inherit'] }) !== 0) {
  fail(`\`npm pack ${pkg}@${NODE22_VERSION}\` failed: no Node 22 for this run (is the npm registry reachable?).`);
}
const nodeDir = join(work, 'node22');
mkdirSync(nodeDir);
if (run('tar', ['-xzf', join(work, `${pkg}-${NODE22_VERSION}.tgz`), '-C', nodeDir, '--strip-components=1']) !== 0) {
  fail(`could not unpack ${pkg}-${NODE22_VERSION}.tgz.`);
}
const node22 = join(nodeDir, 'bin', 'node');
const version = spawnSync(node22, ['--version'], { encoding: 'utf8' }).stdout?.trim();
if (version !== `v${NODE22_VERSION}`) fail(`${node22} says ${JSON.stringify(version)}, not v${NODE22_VERSION}.`);
if (!existsSync(join(nodeDir, 'include', 'node', 'node_version.h'))) fail(`${pkg}@${NODE22_VERSION} has no include/node: node-gyp cannot build for it.`);

// Everything below runs on Node 22: `node`, npm (through its shebang), install scripts, node-gyp.
const env = {
  ...process.env,
  PATH: `${join(nodeDir, 'bin')}:${process.env.PATH}`,
  npm_config_nodedir: nodeDir,
};

// 2. A copy of the repository as it stands (tracked files and new ones not ignored, as the Node 20
//    run sees them), without node_modules, dist or test results.
const copy = join(work, 'vigil');
const listed = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: root, encoding: 'utf8', maxBuffer: 64 << 20 });
if (listed.status !== 0) fail(`git ls-files failed in ${root}: ${listed.stderr}`);
for (const file of listed.stdout.split('\0').filter(Boolean)) {
  const from = join(root, file);
  if (!existsSync(from) || statSync(from).isDirectory()) continue; // deleted in the work tree, or a submodule
  mkdirSync(dirname(join(copy, file)), { recursive: true });
  cpSync(from, join(copy, file), { verbatimSymlinks: true });
}

// 3. Its own node_modules, built by Node 22; then prove the addon loads before any test runs.
log(`installing dependencies with Node 22 (npm ci, better-sqlite3 compiled against Node 22's headers)… [${elapsed()}]`);
if (run('npm', ['ci', '--no-audit', '--no-fund'], { cwd: copy, env }) !== 0) fail('`npm ci` on Node 22 failed; see above.');
const probe = "const Db = require('better-sqlite3'); new Db(':memory:').prepare('select 1').get(); require('bufferutil'); require('utf-8-validate');";
if (run(node22, ['-e', probe], { cwd: copy, env }) !== 0) fail('the native modules installed for Node 22 do not load on Node 22.');

// 4. The fast part, on Node 22: scripts/test.mjs runs the tests with process.execPath, i.e. Node 22,
//    and prints `N passed, N failed`, which .ci/run adds to the Node 20 run's.
const filters = process.argv.length > 2 ? process.argv.slice(2) : FAST_PART;
log(`running ${filters.join(' ')} on ${version}… [${elapsed()}]`);
const status = run(node22, [join(copy, 'scripts', 'test.mjs'), ...filters], { cwd: copy, env });
const tap = join(copy, 'test-results', 'results.tap');
if (existsSync(tap)) {
  mkdirSync(join(root, 'test-results'), { recursive: true });
  copyFileSync(tap, join(root, 'test-results', 'node22-results.tap'));
}
log(`${status === 0 ? 'done' : 'the tests failed'} in ${elapsed()} (TAP in test-results/node22-results.tap).`);
process.exit(status);
