import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { auditEntries } from '../support/access.ts';
import { connect, FAKE_CANDIDATE, FAKE_OFFER, nextEvent, newResumeToken, request, type TestClient } from '../support/clients.ts';
import { startGateway, type TestGateway } from '../support/gateway.ts';
import { spawnGateway } from '../support/gatewayProcess.ts';
import { scrape } from '../support/metrics.ts';
import { startPostgres, type Postgres } from '../support/postgres.ts';
import pg from 'pg';
import { createClient } from 'redis';
import { startRedis, type RedisServer } from '../support/redis.ts';
import { waitFor } from '../support/waitFor.ts';

/** Two gateway nodes sharing one PostgreSQL store and one Redis, as behind nginx. */
describe('a cluster of two gateway nodes', () => {
  let redis: RedisServer;
  let postgres: Postgres;
  let databaseUrl: string;
  let a: TestGateway;
  let b: TestGateway;
  const sockets: TestClient[] = [];
  const track = <T extends TestClient>(socket: T) => { sockets.push(socket); return socket; };

  before(async () => {
    [redis, postgres] = await Promise.all([startRedis(), startPostgres()]);
    databaseUrl = await postgres.createDatabase();
    const shared = { database: { url: databaseUrl }, redis: { url: redis.url } };
    a = await startGateway(shared);
    b = await startGateway(shared);
  });
  after(async () => {
    sockets.forEach((s) => s.close());
    await Promise.all([a?.close(), b?.close()]);
    await Promise.all([redis?.stop(), postgres?.stop()]);
  });

  it('relays a whole negotiation between a camera on node A and an operator on node B', async () => {
    const camera = track(await a.connect('camera'));
    await request(camera, 'camera:publish', { zone: 'CBD-TRAFFIC-01', resumeToken: newResumeToken() });
    const operator = track(await b.connect('operator'));
    const joined = nextEvent(camera, 'viewer:joined');
    assert.deepEqual(await request(operator, 'zone:watch', { zone: 'CBD-TRAFFIC-01' }), { ok: true, zone: 'CBD-TRAFFIC-01', state: 'live', resumed: false });
    const { peerId } = await joined;

    const offer = nextEvent(operator, 'signal:offer');
    assert.deepEqual(await request(camera, 'signal:offer', { peerId, sdp: FAKE_OFFER }), { ok: true });
    assert.deepEqual(await offer, { peerId, sdp: FAKE_OFFER, zone: 'CBD-TRAFFIC-01' });
    const answer = nextEvent(camera, 'signal:answer');
    await request(operator, 'signal:answer', { peerId, sdp: FAKE_OFFER });
    assert.equal((await answer).peerId, peerId);
    const toCamera = nextEvent(camera, 'signal:candidate');
    await request(operator, 'signal:candidate', { peerId, candidate: FAKE_CANDIDATE });
    assert.deepEqual((await toCamera).candidate, FAKE_CANDIDATE);

    // A third party on either node cannot address that peer.
    const intruder = track(await a.connect('operator'));
    const refused = await request(intruder, 'signal:answer', { peerId, sdp: FAKE_OFFER });
    assert.equal(!refused.ok && refused.error.code, 'PEER_UNKNOWN');

    const left = nextEvent(camera, 'viewer:left');
    await request(operator, 'zone:unwatch', { zone: 'CBD-TRAFFIC-01' });
    assert.deepEqual(await left, { zone: 'CBD-TRAFFIC-01', peerId, reason: 'viewer_left' });
  });

  it('shows every node\'s zones in every operator\'s directory, and reports each node\'s own share in /metrics', async () => {
    const camera = track(await b.connect('camera'));
    const operator = track(await a.connect('operator'));
    const update = new Promise<void>((resolve) => operator.on('zone:updated', ({ zones }) => { if (zones.some((z) => z.zone === 'PARK-WEST-02' && z.cameraOnline)) resolve(); }));
    await request(camera, 'camera:publish', { zone: 'PARK-WEST-02', resumeToken: newResumeToken() });
    await update;
    const list = await request(operator, 'zone:list', {});
    const names = list.ok ? (list.zones as { zone: string }[]).map((z) => z.zone) : [];
    assert.ok(names.includes('PARK-WEST-02'), `the other node's zone is listed: ${names}`);
    const [ma, mb] = await Promise.all([scrape(a), scrape(b)]);
    assert.equal((ma.get('vigil_cameras_online') ?? 0) + (mb.get('vigil_cameras_online') ?? 0), 2, 'two cameras in the cluster, each counted once');
  });

  it('holds ZONE_BUSY across nodes, and lets the same camera take its zone over from the other node', async () => {
    const token = newResumeToken();
    const first = track(await a.connect('camera'));
    await request(first, 'camera:publish', { zone: 'HARBOUR-01', resumeToken: token });
    const impostor = track(await b.connect('camera'));
    const busy = await request(impostor, 'camera:publish', { zone: 'HARBOUR-01', resumeToken: newResumeToken() });
    assert.equal(!busy.ok && busy.error.code, 'ZONE_BUSY');

    const evicted = new Promise<string>((resolve) => first.once('disconnect', resolve));
    const again = track(await b.connect('camera'));
    assert.deepEqual(await request(again, 'camera:publish', { zone: 'HARBOUR-01', resumeToken: token }), { ok: true, zone: 'HARBOUR-01', replacedStaleSession: true, resumedPeers: [] });
    assert.equal(await evicted, 'io server disconnect', 'the stale connection on node A was closed for good');
    await waitFor(async () => (await auditEntries(a, 'publish.ended')).some((e) => e.zone === 'HARBOUR-01' && e.detail.reason === 'replaced'), 'publish.ended (replaced) on A', { everyMs: 100 });
  });

  it('applies a grant removed on one node to a live view on the other within a second', async () => {
    const camera = track(await a.connect('camera'));
    await request(camera, 'camera:publish', { zone: 'CBD-TRAFFIC-07', resumeToken: newResumeToken() });
    const viewer = await a.addUser('olga', 'operator', []);
    const grant = await a.grant(viewer.id, 'CBD-*');
    const console_ = track(await b.connect('operator', { cookie: viewer.cookie }));
    assert.equal((await request(console_, 'zone:watch', { zone: 'CBD-TRAFFIC-07' })).ok, true);
    const started = Date.now();
    const revoked = nextEvent(console_, 'zone:revoked');
    await a.revokeGrant(grant);
    assert.equal((await revoked).zone, 'CBD-TRAFFIC-07');
    assert.ok(Date.now() - started < 1_500, `cut after ${Date.now() - started} ms`);
  });

  it('counts failed logins across nodes: the limit trips whichever node the guesses reach', async () => {
    for (let i = 0; i < 5; i += 1) {
      const node = i % 2 ? a : b;
      const reply = await node.api('/api/auth/login', { body: { username: 'admin', password: `wrong-guess-${i}` } });
      assert.equal(reply.status, 401);
    }
    const sixth = await a.api('/api/auth/login', { body: { username: 'admin', password: 'wrong-guess-6' } });
    assert.equal(sixth.status, 429);
    assert.equal(sixth.json.error.code, 'RATE_LIMITED');
    // The counters are Redis's, not PostgreSQL's (the store would share them too).
    const client = createClient({ url: redis.url });
    await client.connect();
    try {
      assert.ok((await client.keys('vigil:rl:*')).length > 0, 'login counters live in Redis');
    } finally {
      await client.quit();
    }
    const pool = new pg.Client({ connectionString: databaseUrl });
    await pool.connect();
    try {
      assert.equal((await pool.query('SELECT count(*)::int AS n FROM rate_limits')).rows[0].n, 0, 'and none in the store');
    } finally {
      await pool.end();
    }
  });

  it('releases the zones of a node that dies without a goodbye, and closes its views in the trail', async () => {
    const doomed = await spawnGateway({ VIGIL_DATABASE_URL: databaseUrl, VIGIL_REDIS_URL: redis.url });
    try {
      const apiKey = await a.createCameraKey('DOCK-*');
      const camera = track(await connect(doomed.url, 'camera', { auth: { role: 'camera', protocol: 1, apiKey } }));
      await request(camera, 'camera:publish', { zone: 'DOCK-03', resumeToken: newResumeToken() });
      const operator = track(await b.connect('operator'));
      assert.equal((await request(operator, 'zone:watch', { zone: 'DOCK-03' })).ok, true);
      const waiting = nextEvent(operator, 'zone:state', 20_000);
      const killedAt = Date.now();
      doomed.child.kill('SIGKILL');
      assert.deepEqual(await waiting, { zone: 'DOCK-03', state: 'waiting', reason: 'camera_left' });
      assert.ok(Date.now() - killedAt < 16_000, `released ${Date.now() - killedAt} ms after the kill`);
      await waitFor(async () => (await auditEntries(b, 'publish.ended')).some((e) => e.zone === 'DOCK-03' && e.detail.reason === 'server_crash'), 'publish.ended (server_crash) on B', { everyMs: 100 });
      const verify = await b.api('/api/audit/verify', { cookie: b.admin.cookie });
      assert.equal(verify.json.ok, true, verify.body);
    } finally {
      doomed.child.kill('SIGKILL');
    }
  });
});

describe('readiness of a node whose store is PostgreSQL', () => {
  it('answers 503 naming the store while PostgreSQL is down', async () => {
    const postgres = await startPostgres();
    const gw = await startGateway({ database: { url: await postgres.createDatabase() } });
    try {
      assert.deepEqual((await gw.api('/readyz')).json, { status: 'ready' });
      await postgres.stop();
      const down = await gw.api('/readyz');
      assert.equal(down.status, 503);
      assert.deepEqual(down.json, { status: 'unready', failing: ['store'] });
      assert.equal((await gw.api('/healthz')).status, 200, 'the process itself is up');
    } finally {
      await gw.close().catch(() => undefined);
    }
  });
});

describe('readiness of a cluster node', () => {
  it('answers 503 while its Redis is unreachable and 200 once it is back; it shuts down anyway', async () => {
    const redis = await startRedis();
    const gw = await startGateway({ redis: { url: redis.url } });
    try {
      assert.deepEqual((await gw.api('/readyz')).json, { status: 'ready' });
      await redis.stop();
      const down = await gw.api('/readyz');
      assert.equal(down.status, 503);
      assert.deepEqual(down.json, { status: 'unready', failing: ['redis'] });
      await redis.restart();
      await waitFor(async () => (await gw.api('/readyz')).status === 200, '/readyz answers 200', { timeoutMs: 10_000, everyMs: 100 });
      await redis.stop();
    } finally {
      const started = Date.now();
      await gw.close();
      assert.ok(Date.now() - started < 5_000, `closed in ${Date.now() - started} ms without Redis`);
    }
  });
});
