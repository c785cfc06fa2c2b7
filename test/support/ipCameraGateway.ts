import type { GatewayConfigInput } from '../../src/server/config/configSchema.ts';
import { startGateway, type TestGateway } from './gateway.ts';
import { freePort } from './ports.ts';
import { startRtspCamera, type RtspCamera } from './rtspCamera.ts';

/**
 * A gateway pulling one RTSP test camera (a ball on a lit ground) with detection on, so its
 * ffmpeg keeps the evidence ring and raises motion: what the evidence and mask tests start from.
 * `close()` stops both.
 */
export async function startDetectingIpCamera(zone: string, name: string, overrides: GatewayConfigInput = {}): Promise<{ gw: TestGateway; camera: RtspCamera; close(): Promise<void> }> {
  const port = await freePort();
  const camera = await startRtspCamera('baseline', { port, lit: true });
  const gw = await startGateway({
    media: { policy: 'auto', workers: 1 },
    cameras: [{ zone, name, url: `rtsp://127.0.0.1:${port}/cam`, detect: true }],
    ...overrides,
  }).catch(async (error: unknown) => {
    await camera.stop();
    throw error;
  });
  return { gw, camera, close: async () => { await gw.close(); await camera.stop(); } };
}
