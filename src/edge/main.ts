/**
 * `npx vigil edge --gateway https://… --key vk_… --config edge.yaml` (or `npm run edge -- …`): a headless edge node at a
 * site. It pulls the site's IP cameras locally and publishes each into its zone on the central
 * gateway, over the camera protocol with a camera key, so a site's uplink carries one stream per
 * camera towards the gateway's relay (or one per viewer peer to peer, for a zone's first viewers).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createLogger } from '../server/observability/logger.ts';
import { EdgeCamera } from './EdgeCamera.ts';
import { loadEdgeConfig } from './edgeConfig.ts';

const USAGE = `Usage: npx vigil edge --config <edge.yaml> [--gateway https://gateway:8443] [--key vk_…]   (or npm run edge -- …)
The config file lists the cameras (zone, name, url, username, password, transport, transcode, key)
and may give gateway, key, caFile, insecure, listenAddress, announcedAddress, portMin, portMax.`;

const { values } = parseArgs({
  options: { config: { type: 'string' }, gateway: { type: 'string' }, key: { type: 'string' }, help: { type: 'boolean' } },
  allowPositionals: false,
});
if (values.help || !values.config) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(values.help ? 0 : 2);
}

const logger = createLogger((process.env.VIGIL_LOG_LEVEL as 'info' | undefined) ?? 'info').child({ subsystem: 'edge' });
let config;
try {
  config = loadEdgeConfig(values.config, { gateway: values.gateway, key: values.key ?? process.env.VIGIL_EDGE_KEY });
} catch (error) {
  process.stderr.write(`vigil edge: ${(error as Error).message}\n`);
  process.exit(2);
}
const tls = { ...(config.caFile ? { ca: readFileSync(config.caFile, 'utf8') } : {}), rejectUnauthorized: !config.insecure };
const network = {
  listenAddress: config.listenAddress ?? null,
  announcedAddress: config.announcedAddress ?? null,
  portRange: config.portMin !== undefined && config.portMax !== undefined ? [config.portMin, config.portMax] as [number, number] : null,
  maxBitrateBps: config.maxBitrateKbps * 1000,
};
const cameras = config.cameras.map((camera) => new EdgeCamera({
  zone: camera.zone, name: camera.name, transcode: camera.transcode, detect: camera.detect, gateway: config.gateway, key: (camera.key ?? config.key)!,
  target: { url: camera.url, username: camera.username || null, password: camera.password || null, transport: camera.transport },
  tls, network, ffmpeg: 'ffmpeg', ffprobe: 'ffprobe', logger,
}));
logger.info({ gateway: config.gateway, cameras: cameras.length }, 'edge node started');

const stop = (signal: string) => {
  logger.info({ signal }, 'edge node stopping');
  void Promise.all(cameras.map((camera) => camera.close())).then(() => process.exit(0));
};
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));
