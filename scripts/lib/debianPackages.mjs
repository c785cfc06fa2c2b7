import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * What the test suite runs for real, from Debian: Chromium for the browser tests, coturn for
 * the TURN tests, nginx, Redis and PostgreSQL for the deployment and cluster tests, mosquitto for MQTT, systemd's
 * analyzer for the unit file. As root we install what is missing; otherwise we say what to install.
 */
const NEEDED = [
  { present: () => existsSync(CHROMIUM_PATH), packages: ['chromium', 'fonts-dejavu-core'] },
  { present: () => existsSync('/usr/bin/turnserver'), packages: ['coturn'] },
  { present: () => existsSync('/usr/sbin/nginx'), packages: ['nginx-light'] },
  { present: () => existsSync('/usr/bin/redis-server'), packages: ['redis-server'] },
  // The MQTT tests: a real broker (and its password tool), over TLS with a certificate openssl makes.
  { present: () => existsSync('/usr/sbin/mosquitto') && existsSync('/usr/bin/mosquitto_passwd'), packages: ['mosquitto'] },
  { present: () => existsSync('/usr/bin/openssl'), packages: ['openssl'] },
  { present: () => postgresBinDir() !== null, packages: ['postgresql'] },
  { present: () => existsSync('/usr/bin/systemd-analyze'), packages: ['systemd'] },
  // The WHEP/WHIP test: ffmpeg encodes for the WHIP encoder; GStreamer's webrtcbin (driven from
  // python3-gi) is the standard WHEP player, in a network namespace made with iproute2.
  { present: () => existsSync('/usr/bin/ffmpeg'), packages: ['ffmpeg'] },
  { present: () => existsSync('/usr/sbin/ip'), packages: ['iproute2'] },
  {
    present: () => ['girepository-1.0/GstWebRTC-1.0.typelib', 'gstreamer-1.0/libgstnice.so', 'gstreamer-1.0/libgstlibav.so', 'gstreamer-1.0/libgstrtp.so']
      .every((file) => archLibFile(file)) && existsSync('/usr/lib/python3/dist-packages/gi'),
    packages: ['gstreamer1.0-plugins-base', 'gstreamer1.0-plugins-good', 'gstreamer1.0-plugins-bad', 'gstreamer1.0-nice', 'gstreamer1.0-libav',
      'python3-gi', 'gir1.2-gst-plugins-bad-1.0'],
  },
  // The IP camera tests: GStreamer's RTSP server (driven from python3-gi) is the camera, x264
  // (ugly) and x265 (bad) its encoders, timeoverlay (gstreamer1.0-x) its clock.
  {
    present: () => ['girepository-1.0/GstRtspServer-1.0.typelib', 'gstreamer-1.0/libgstx264.so', 'gstreamer-1.0/libgstx265.so', 'gstreamer-1.0/libgstpango.so']
      .every((file) => archLibFile(file)),
    packages: ['gir1.2-gst-rtsp-server-1.0', 'gstreamer1.0-plugins-ugly', 'gstreamer1.0-plugins-bad', 'gstreamer1.0-x'],
  },
];

/** A file under Debian's multiarch library directory (/usr/lib/<triplet>/…), whatever the architecture. */
function archLibFile(relative) {
  return readdirSync('/usr/lib').some((dir) => dir.includes('-linux-') && existsSync(join('/usr/lib', dir, relative)));
}

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
