import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FAKE_OFFER, flush, nextEvent, newResumeToken, openSocket, recordEvents, request, type TestClient } from '../support/clients.ts';
import { assertServerUp, auditEntries, endedBy, handshakeRefusal } from '../support/access.ts';
import { startGateway, type TestGateway, type TestUser } from '../support/gateway.ts';

const publish = (camera: TestClient, zone: string) => request(camera, 'camera:publish', { zone, resumeToken: newResumeToken() });

describe('authorisation: the zone comes from the credential and is checked on every message', () => {
  let gw: TestGateway;
  let alice: TestUser;
  const clients: TestClient[] = [];
  const track = (c: TestClient) => { clients.push(c); return c; };
  before(async () => {
    gw = await startGateway();
    alice = await gw.addUser('alice', 'operator', ['CBD-*']);
  });
  after(async () => {
    for (const c of clients) c.close();
    await gw.close();
  });

  it('an operator watching an ungranted zone gets ZONE_FORBIDDEN, nothing reaches the camera, and the denial is audited', async () => {
    const camera = track(await gw.connect('camera'));
    assert.equal((await publish(camera, 'PARK-WEST-02')).ok, true);
    const cameraLog = recordEvents(camera);
    const operator = track(await gw.connect('operator', { cookie: alice.cookie }));
    const reply = await request(operator, 'zone:watch', { zone: 'PARK-WEST-02' });
    assert.equal(!reply.ok && reply.error.code, 'ZONE_FORBIDDEN');
    await flush(camera);
    assert.equal(cameraLog.events.filter((e) => e.event === 'viewer:joined').length, 0);
    const denial = (await auditEntries(gw, 'view.denied')).find((e) => e.actor === 'alice');
    assert.equal(denial?.zone, 'PARK-WEST-02');
    assert.equal(denial?.outcome, 'denied');
  });

  it('the directory names only granted zones: a forbidden zone leaks nothing', async () => {
    const cbd = track(await gw.connect('camera'));
    assert.equal((await publish(cbd, 'CBD-TRAFFIC-01')).ok, true);
    const operator = track(openSocket(gw.url, { role: 'operator', protocol: 1 }, { extraHeaders: { cookie: alice.cookie } }));
    const directory = await nextEvent(operator, 'zone:directory');
    assert.deepEqual(directory.zones.map((z) => z.zone), ['CBD-TRAFFIC-01']);
    const log = recordEvents(operator);
    const park = track(await gw.connect('camera'));
    assert.equal((await publish(park, 'PARK-EAST-09')).ok, true);
    await new Promise((r) => setTimeout(r, 250)); // one directory coalescing window
    assert.equal(JSON.stringify(log.events).includes('PARK-EAST-09'), false);
    const list = await request(operator, 'zone:list', {});
    assert.ok(list.ok && !JSON.stringify(list).includes('PARK'));
  });

  it('a relay message to a peer in another zone, or to a peer that never asked, is dropped and audited', async () => {
    const camera = track(await gw.connect('camera'));
    assert.equal((await publish(camera, 'CBD-HARBOUR-03')).ok, true);
    const joined = nextEvent(camera, 'viewer:joined');
    const viewer = track(await gw.connect('operator', { cookie: alice.cookie }));
    assert.equal((await request(viewer, 'zone:watch', { zone: 'CBD-HARBOUR-03' })).ok, true);
    const { peerId } = await joined;
    // An intruder: another operator (admin, so it may watch anything) who is not part of that peer.
    const intruder = track(await gw.connect('operator'));
    const viewerLog = recordEvents(viewer);
    const cameraLog = recordEvents(camera);
    for (const event of ['signal:answer', 'signal:restart', 'signal:candidate']) {
      const payload = event === 'signal:answer' ? { peerId, sdp: FAKE_OFFER } : event === 'signal:candidate' ? { peerId, candidate: null } : { peerId };
      const reply = await request(intruder, event, payload);
      assert.equal(!reply.ok && reply.error.code, 'PEER_UNKNOWN', event);
    }
    const never = await request(intruder, 'signal:answer', { peerId: 'never-asked-0123', sdp: FAKE_OFFER });
    assert.equal(!never.ok && never.error.code, 'PEER_UNKNOWN');
    await flush(viewer);
    await flush(camera);
    assert.equal(viewerLog.events.length + cameraLog.events.length, 0, 'the targets received nothing');
    assert.ok((await auditEntries(gw, 'signal.denied')).length >= 4);
  });

  it('a camera key publishes only inside its zone pattern; a wrong key is refused at the handshake', async () => {
    const key = await gw.createCameraKey('CBD-*', 'CBD gate');
    const camera = track(await gw.connect('camera', { apiKey: key }));
    const outside = await publish(camera, 'PARK-WEST-02');
    assert.equal(!outside.ok && outside.error.code, 'ZONE_FORBIDDEN');
    assert.equal((await publish(camera, 'CBD-GATE-01')).ok, true);
    assert.ok((await auditEntries(gw, 'publish.denied')).some((e) => e.zone === 'PARK-WEST-02'));
    assert.equal(await handshakeRefusal(openSocket(gw.url, { role: 'camera', protocol: 1, apiKey: `vk_${'x'.repeat(43)}` })), 'KEY_INVALID');
    assert.equal(await handshakeRefusal(openSocket(gw.url, { role: 'camera', protocol: 1 })), 'AUTH_REQUIRED');
  });

  it('a revoked key disconnects its live camera within a second and viewers are told the camera is gone', async () => {
    const key = await gw.createCameraKey('CBD-MARKET-05', 'market');
    const camera = track(await gw.connect('camera', { apiKey: key }));
    assert.equal((await publish(camera, 'CBD-MARKET-05')).ok, true);
    const viewer = track(await gw.connect('operator', { cookie: alice.cookie }));
    assert.equal((await request(viewer, 'zone:watch', { zone: 'CBD-MARKET-05' })).ok, true);
    const keys = (await gw.api('/api/keys', { cookie: gw.admin.cookie })).json.keys as { id: number; label: string }[];
    const ended = endedBy(camera);
    const waiting = nextEvent(viewer, 'zone:state');
    await gw.api(`/api/keys/${keys.find((k) => k.label === 'market')!.id}`, { method: 'DELETE', cookie: gw.admin.cookie });
    const { code, ms } = await ended;
    assert.equal(code, 'KEY_REVOKED');
    assert.ok(ms <= 1_000, `cut after ${ms} ms`);
    assert.equal((await waiting).state, 'waiting');
    assert.equal(await handshakeRefusal(openSocket(gw.url, { role: 'camera', protocol: 1, apiKey: key })), 'KEY_REVOKED');
  });

  it('a grant removed mid-view cuts that view within a second; the other zone keeps its peer', async () => {
    const erin = await gw.addUser('erin', 'operator');
    const northGrant = await gw.grant(erin.id, 'NORTH-01');
    await gw.grant(erin.id, 'SOUTH-01');
    const north = track(await gw.connect('camera'));
    const south = track(await gw.connect('camera'));
    assert.equal((await publish(north, 'NORTH-01')).ok, true);
    assert.equal((await publish(south, 'SOUTH-01')).ok, true);
    const viewer = track(await gw.connect('operator', { cookie: erin.cookie }));
    const northJoined = nextEvent(north, 'viewer:joined');
    const southJoined = nextEvent(south, 'viewer:joined');
    assert.equal((await request(viewer, 'zone:watch', { zone: 'NORTH-01' })).ok, true);
    assert.equal((await request(viewer, 'zone:watch', { zone: 'SOUTH-01' })).ok, true);
    const northPeer = (await northJoined).peerId;
    const southPeer = (await southJoined).peerId;
    const revoked = nextEvent(viewer, 'zone:revoked');
    const left = nextEvent(north, 'viewer:left');
    const started = Date.now();
    await gw.revokeGrant(northGrant);
    assert.deepEqual((await revoked).zone, 'NORTH-01');
    assert.equal((await revoked).error.code, 'ZONE_FORBIDDEN');
    assert.deepEqual(await left, { zone: 'NORTH-01', peerId: northPeer, reason: 'access_revoked' });
    assert.ok(Date.now() - started <= 1_000);
    // The cut peer relays nothing any more; the other zone's still does.
    const cut = await request(north, 'signal:offer', { peerId: northPeer, sdp: FAKE_OFFER });
    assert.equal(!cut.ok && cut.error.code, 'PEER_UNKNOWN');
    assert.equal((await request(south, 'signal:offer', { peerId: southPeer, sdp: FAKE_OFFER })).ok, true);
    const ended = (await auditEntries(gw, 'view.ended')).find((e) => e.actor === 'erin' && e.zone === 'NORTH-01');
    assert.equal(ended?.detail.reason, 'access_revoked');
  });

  it('a grant that expires cuts the view when it does', async () => {
    const frank = await gw.addUser('frank', 'operator');
    await gw.grant(frank.id, 'EAST-07', new Date(Date.now() + 1_500).toISOString());
    const camera = track(await gw.connect('camera'));
    assert.equal((await publish(camera, 'EAST-07')).ok, true);
    const viewer = track(await gw.connect('operator', { cookie: frank.cookie }));
    assert.equal((await request(viewer, 'zone:watch', { zone: 'EAST-07' })).ok, true);
    const revoked = await nextEvent(viewer, 'zone:revoked', 3_000);
    assert.equal(revoked.zone, 'EAST-07');
    const again = await request(viewer, 'zone:watch', { zone: 'EAST-07' });
    assert.equal(!again.ok && again.error.code, 'ZONE_FORBIDDEN');
  });

  it('wrong-role events are refused, deny by default', async () => {
    const operator = track(await gw.connect('operator', { cookie: alice.cookie }));
    const camera = track(await gw.connect('camera'));
    const asOperator = await request(operator, 'camera:publish', { zone: 'CBD-X-1', resumeToken: newResumeToken() });
    const asCamera = await request(camera, 'zone:watch', { zone: 'CBD-X-1' });
    assert.equal(!asOperator.ok && asOperator.error.code, 'ROLE_FORBIDDEN');
    assert.equal(!asCamera.ok && asCamera.error.code, 'ROLE_FORBIDDEN');
    await assertServerUp(gw);
  });
});
