import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { startGateway, type TestGateway } from '../support/gateway.ts';
import { startRedis, type RedisServer } from '../support/redis.ts';
import { startRtspCamera, type RtspCamera } from '../support/rtspCamera.ts';
import { waitFor } from '../support/waitFor.ts';
import { WeriftViewer } from '../support/weriftViewer.ts';

/**
 * An IP camera in a cluster: both nodes list it, one pulls it and holds its zone (the other waits
 * as `zone_busy`), a viewer on the other node plays it through the holder's relay, and when the
 * holder stops the standby takes the camera over by itself.
 */
let redis: RedisServer;
let camera: RtspCamera;
const nodes: TestGateway[] = [];
const viewers: WeriftViewer[] = [];
const ZONE = 'XNODE-IPCAM-01';

before(async () => {
  [redis, camera] = await Promise.all([startRedis(), startRtspCamera('baseline')]);
  const config = {
    redis: { url: redis.url },
    media: { policy: 'auto' as const, workers: 1, listenAddress: '127.0.0.1' },
    cameras: [{ zone: ZONE, name: 'Shared', url: camera.url }],
  };
  nodes.push(...(await Promise.all([startGateway(config), startGateway(config)])));
});
after(async () => {
  await Promise.all(viewers.map((v) => v.close()));
  await Promise.all(nodes.map((n) => n.close()));
  await Promise.all([redis?.stop(), camera?.stop()]);
});

const statusOn = (node: TestGateway) => node.gateway.cameras.running.ingest(1)?.status;

it('one node pulls the camera, a viewer on the other plays it through that node\'s relay, and the standby takes over when the holder stops', async () => {
  await waitFor(() => nodes.some((n) => statusOn(n) === 'live') && nodes.some((n) => statusOn(n) === 'zone_busy'), 'one node live, the other standing by', { timeoutMs: 20_000 })
    .catch((error: unknown) => {
      const states = nodes.map((n) => { const ingest = n.gateway.cameras.running.ingest(1); return `${ingest?.status} (${ingest?.reason})`; });
      throw new Error(`${(error as Error).message}: ${states.join(' / ')}`);
    });
  const holder = nodes.find((n) => statusOn(n) === 'live')!;
  const standby = nodes.find((n) => n !== holder)!;

  const remote = new WeriftViewer(await standby.connect('operator'), ZONE);
  viewers.push(remote);
  assert.equal(((await remote.watch()) as { ok: boolean }).ok, true);
  await remote.waitForFrames(30, 15_000);
  assert.deepEqual(remote.offers.map((o) => o.via), ['relay']);
  assert.ok(remote.firstPacketStartsPicture, 'the first packet begins a picture (SPS, from the GOP cache)');

  await holder.close();
  nodes.splice(nodes.indexOf(holder), 1);
  const stoppedAt = Date.now();
  await waitFor(() => statusOn(standby) === 'live', 'the standby pulls the camera', { timeoutMs: 15_000, everyMs: 100 });
  const takeOverMs = Date.now() - stoppedAt;
  const local = new WeriftViewer(await standby.connect('operator'), ZONE);
  viewers.push(local);
  assert.equal(((await local.watch()) as { ok: boolean }).ok, true);
  await local.waitForFrames(30, 15_000);
  assert.ok(takeOverMs <= 10_000, `taken over after ${takeOverMs} ms`);
});
