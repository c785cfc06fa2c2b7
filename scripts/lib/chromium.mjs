import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Browser tests need Debian's Chromium; as root we install it, otherwise we say what to install. */
export function ensureChromium(log) {
  if (existsSync(CHROMIUM_PATH)) return;
  if (process.getuid?.() !== 0) {
    console.error(`vigil: browser tests need Chromium at ${CHROMIUM_PATH}: run \`sudo apt-get install -y chromium\`.`);
    process.exit(1);
  }
  log('Installing Chromium from Debian (apt-get install chromium)…');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update'], ['install', '-y', '--no-install-recommends', 'chromium', 'fonts-dejavu-core']]) {
    const result = spawnSync('apt-get', args, { stdio: ['ignore', 'ignore', 'inherit'], env });
    if (result.status !== 0) {
      console.error(`vigil: \`apt-get ${args.join(' ')}\` failed; install Chromium by hand and run the tests again.`);
      process.exit(1);
    }
  }
}
