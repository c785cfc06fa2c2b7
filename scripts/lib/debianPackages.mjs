import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * What the test suite runs for real, from Debian: Chromium for the browser tests, coturn for
 * the TURN tests. As root we install what is missing; otherwise we say what to install.
 */
const NEEDED = [
  { path: CHROMIUM_PATH, packages: ['chromium', 'fonts-dejavu-core'] },
  { path: '/usr/bin/turnserver', packages: ['coturn'] },
];

export function ensureTestPackages(log) {
  const missing = NEEDED.filter((need) => !existsSync(need.path)).flatMap((need) => need.packages);
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) {
    console.error(`vigil: the tests need Debian packages: run \`sudo apt-get install -y ${missing.join(' ')}\`.`);
    process.exit(1);
  }
  log(`Installing from Debian: ${missing.join(', ')}…`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update'], ['install', '-y', '--no-install-recommends', ...missing]]) {
    const result = spawnSync('apt-get', args, { stdio: ['ignore', 'ignore', 'inherit'], env });
    if (result.status !== 0) {
      console.error(`vigil: \`apt-get ${args.join(' ')}\` failed; install ${missing.join(' ')} by hand and run the tests again.`);
      process.exit(1);
    }
  }
}
