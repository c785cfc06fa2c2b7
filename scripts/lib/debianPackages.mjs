import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * What the test suite runs for real, from Debian: Chromium for the browser tests, coturn for
 * the TURN tests, nginx, Redis and PostgreSQL for the deployment and cluster tests, systemd's
 * analyzer for the unit file. As root we install what is missing; otherwise we say what to install.
 */
const NEEDED = [
  { present: () => existsSync(CHROMIUM_PATH), packages: ['chromium', 'fonts-dejavu-core'] },
  { present: () => existsSync('/usr/bin/turnserver'), packages: ['coturn'] },
  { present: () => existsSync('/usr/sbin/nginx'), packages: ['nginx-light'] },
  { present: () => existsSync('/usr/bin/redis-server'), packages: ['redis-server'] },
  { present: () => postgresBinDir() !== null, packages: ['postgresql'] },
  { present: () => existsSync('/usr/bin/systemd-analyze'), packages: ['systemd'] },
];

/** Debian keeps each PostgreSQL major version's server programs in /usr/lib/postgresql/<n>/bin. */
export function postgresBinDir() {
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return null;
  const versions = readdirSync(base).filter((v) => existsSync(join(base, v, 'bin', 'postgres'))).sort((a, b) => Number(b) - Number(a));
  return versions.length ? join(base, versions[0], 'bin') : null;
}

export function ensureTestPackages(log) {
  const missing = NEEDED.filter((need) => !need.present()).flatMap((need) => need.packages);
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
