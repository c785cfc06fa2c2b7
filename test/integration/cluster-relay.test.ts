import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createClient } from 'redis';
import { auditEntries } from '../support/access.ts';
import { request } from '../support/clients.ts';
import { startGateway, type TestGateway } from '../support/gateway.ts';
import { startRedis, type RedisServer } from '../support/redis.ts';
import { waitFor } from '../support/waitFor.ts';
import { WeriftPublisher } from '../support/weriftPublisher.ts';
import { WeriftViewer } from '../support/weriftViewer.ts';
import { mediaRequest } from '../support/whipWhep.ts';

/**
 * The media relay across gateway nodes: two nodes on one real Redis, a werift camera on node A,
 * werift viewers on node B (and A). A zone's relay runs on its camera's node; a viewer whose
 * signalling is on B is paired with A's relay, its messages to the relay travel over A's Redis
 * channel, and its media goes to A's relay address (127.0.0.1 here). Each node keeps its own
 * SQLite store: access and audit are each node's own, which is all this file needs of them.
 */
describe('the media relay across two gateway nodes', () => {
  let redis: RedisServer;
  let a: TestGateway;
  let b: TestGateway;
  let inspect: ReturnType<typeof createClient>;
  const closers: (() => Promise<void>)[] = [];

  before(async () => {
    redis = await startRedis();
    const shared = { redis: { url: redis.url }, media: { policy: 'relay' as const, workers: 1, listenAddress: '127.0.0.1' } };
    [a, b] = await Promise.all([startGateway(shared), startGateway(shared)]);
    inspect = createClient({ url: redis.url });
    await inspect.connect();
  });
  after(async () => {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    await inspect?.quit().catch(() => undefined);
    await Promise.all([a?.close(), b?.close()]);
    await redis?.stop();
  });

  const relayHostOf = (zone: string) => inspect.hGet(`vigil:zone:${zone}`, 'relay');
  const relayZones = async (gw: TestGateway) => (await gw.gateway.relayWorkers!.stats()).flatMap((s) => s.zones);

  it('a viewer on node B plays the camera on node A through A\'s relay; the camera sends one stream; the last viewer out releases the relay', async (t) => {
    const ZONE = 'XNODE-RELAY-01';
    const camera = new WeriftPublisher(await a.connect('camera'), ZONE);
    closers.push(() => camera.close());
    assert.equal((await camera.publish() as { ok: boolean }).ok, true);

    const onB = new WeriftViewer(await b.connect('operator'), ZONE);
    closers.push(() => onB.close());
    assert.deepEqual(await onB.watch(), { ok: true, zone: ZONE, state: 'live', resumed: false });
    const watchedAt = Date.now();
    await onB.waitForFrames(30, 15_000);
    const firstFrameMs = onB.firstFrameAt! - watchedAt;
    assert.deepEqual(onB.offers.map((o) => o.via), ['relay'], 'the viewer on B was offered the relay\'s video');
    assert.equal(await relayHostOf(ZONE), a.gateway.cluster!.nodeId, 'Redis names the camera\'s node as the relay\'s');
    assert.deepEqual((await relayZones(a)).map((z) => [z.zone, z.subscribers]), [[ZONE, 1]], 'A\'s worker holds the zone');
    assert.deepEqual(await relayZones(b), [], 'B\'s worker holds nothing');
    const started = (await auditEntries(b, 'view.started')).find((e) => e.zone === ZONE);
    assert.equal(started?.detail.path, 'relay', 'the view is audited on B with its path');

    // A second viewer, on A itself: still one stream from the camera.
    const onA = new WeriftViewer(await a.connect('operator'), ZONE);
    closers.push(() => onA.close());
    await onA.watch();
    await Promise.all([onA.waitForFrames(30, 15_000), onB.waitForFrames(30, 10_000)]);
    assert.equal(camera.joined.length, 1, 'the camera was asked for one connection in all');
    assert.equal(camera.connected, 1, 'and has a single connection: to the relay');
    assert.deepEqual((await relayZones(a)).map((z) => z.subscribers), [2]);

    const ingest = camera.joined[0]!;
    await request(onA.socket, 'zone:unwatch', { zone: ZONE });
    assert.equal(await relayHostOf(ZONE), a.gateway.cluster!.nodeId, 'one viewer left: the relay stays');
    await request(onB.socket, 'zone:unwatch', { zone: ZONE });
    await waitFor(() => camera.left.includes(ingest), 'the camera closes its connection to the relay');
    assert.equal(await relayHostOf(ZONE), null, 'Redis no longer names a relay for the zone');
    await waitFor(async () => (await relayZones(a)).length === 0, 'A\'s worker lets the zone go');
    assert.equal(camera.open, 0);
    t.diagnostic(`first frame on B ${firstFrameMs} ms after zone:watch`);
  });

  it('revoking the grant of a viewer on B cuts its relay subscription on A within a second', async (t) => {
    const ZONE = 'XNODE-RELAY-02';
    const camera = new WeriftPublisher(await a.connect('camera'), ZONE);
    closers.push(() => camera.close());
    await camera.publish();
    const user = await b.addUser('rita', 'operator', []);
    const grant = await b.grant(user.id, 'XNODE-*');
    const viewer = new WeriftViewer(await b.connect('operator', { cookie: user.cookie }), ZONE);
    closers.push(() => viewer.close());
    assert.equal((await viewer.watch() as { ok: boolean }).ok, true);
    await viewer.waitForFrames(15, 15_000);
    const revokedAt = Date.now();
    await b.revokeGrant(grant);
    await waitFor(async () => (await relayZones(a)).every((z) => z.zone !== ZONE || z.subscribers === 0), 'the relay on A drops the subscriber', { timeoutMs: 3_000 });
    const cutMs = Date.now() - revokedAt;
    t.diagnostic(`relay subscription cut ${cutMs} ms after the revocation`);
    assert.ok(cutMs <= 1_500, `cut ${cutMs} ms after the revocation`);
    const frames = viewer.frames;
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.ok(viewer.frames - frames <= 2, `no more frames after the cut (${viewer.frames - frames})`);
  });

  it('a WHEP player is refused on a cluster node with RELAY_DISABLED, saying why', async () => {
    const created = await b.api('/api/tokens', { cookie: b.admin.cookie, body: { kind: 'viewer', label: 'cluster player', zonePattern: 'XNODE-*', expiresAt: new Date(Date.now() + 3_600_000).toISOString() } });
    assert.equal(created.status, 201, created.body);
    const reply = await mediaRequest(`${b.url}/whep/XNODE-RELAY-03`, { token: created.json.secret as string, type: 'application/sdp', body: 'v=0\r\n' });
    assert.equal(reply.status, 503);
    assert.equal(reply.json.error.code, 'RELAY_DISABLED');
    assert.match(reply.json.error.message, /cluster/);
  });
});
