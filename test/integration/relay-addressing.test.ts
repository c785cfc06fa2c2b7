import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  connect, FAKE_CANDIDATE, FAKE_OFFER, flush, nextEvent, newResumeToken, recordEvents, request, type TestClient,
} from '../support/clients.ts';
import { Limits } from '../../src/shared/index.ts';
import { auditEntries } from '../support/access.ts';
import { startGateway, type TestGateway } from '../support/gateway.ts';

/** Pushed to operators as zones change (the directory and its timeline): never signalling. */
const DIRECTORY_EVENTS = new Set(['zone:directory', 'zone:updated', 'timeline:events']);

/** The prototype broadcast every offer to the whole zone; Vigil relays to the addressed peer only. */
describe('signalling is relayed only to the addressed peer', () => {
  let gw: TestGateway;
  let camera: TestClient;
  let otherCamera: TestClient;
  let viewerA: TestClient;
  let viewerB: TestClient;
  let peerA: string;
  let peerB: string;
  let otherPeer: string;

  before(async () => {
    gw = await startGateway();
    camera = await gw.connect('camera');
    otherCamera = await gw.connect('camera');
    await request(camera, 'camera:publish', { zone: 'CBD-TRAFFIC-01', resumeToken: newResumeToken() });
    await request(otherCamera, 'camera:publish', { zone: 'PARK-WEST-02', resumeToken: newResumeToken() });
    viewerA = await gw.connect('operator');
    viewerB = await gw.connect('operator');
    let joined = nextEvent(camera, 'viewer:joined');
    await request(viewerA, 'zone:watch', { zone: 'CBD-TRAFFIC-01' });
    peerA = (await joined).peerId;
    joined = nextEvent(camera, 'viewer:joined');
    await request(viewerB, 'zone:watch', { zone: 'CBD-TRAFFIC-01' });
    peerB = (await joined).peerId;
    const joinedOther = nextEvent(otherCamera, 'viewer:joined');
    await request(viewerB, 'zone:watch', { zone: 'PARK-WEST-02' });
    otherPeer = (await joinedOther).peerId;
  });
  after(async () => { [camera, otherCamera, viewerA, viewerB].forEach((c) => c.close()); await gw.close(); });

  it('refuses candidates past one description\'s budget, audits it, and resets the budget with the next offer', async () => {
    const received = recordEvents(viewerA);
    for (let i = 0; i < Limits.maxCandidatesPerDescription; i++) {
      assert.deepEqual(await request(camera, 'signal:candidate', { peerId: peerA, candidate: FAKE_CANDIDATE }), { ok: true });
    }
    const refused = await request(camera, 'signal:candidate', { peerId: peerA, candidate: FAKE_CANDIDATE });
    assert.equal(!refused.ok && refused.error.code, 'CANDIDATE_LIMIT');
    // End-of-candidates still passes: it is not a candidate.
    assert.deepEqual(await request(camera, 'signal:candidate', { peerId: peerA, candidate: null }), { ok: true });
    await flush(viewerA);
    const candidates = received.events.filter((e) => e.event === 'signal:candidate');
    assert.equal(candidates.length, Limits.maxCandidatesPerDescription + 1, 'the refused one never reached the viewer');
    const denied = (await auditEntries(gw, 'signal.denied')).find((e) => e.detail.code === 'CANDIDATE_LIMIT');
    assert.ok(denied, 'the refusal is in the audit trail');
    assert.equal(denied!.zone, 'CBD-TRAFFIC-01');
    // A new offer (an ICE restart) brings a new set of candidates.
    assert.deepEqual(await request(camera, 'signal:offer', { peerId: peerA, sdp: FAKE_OFFER }), { ok: true });
    assert.deepEqual(await request(camera, 'signal:candidate', { peerId: peerA, candidate: FAKE_CANDIDATE }), { ok: true });
    assert.equal((await request(camera, 'zone:list', {})).ok, true, 'the connection stays up');
  });

  it('delivers an offer to its viewer and to nobody else', async () => {
    const logB = recordEvents(viewerB);
    const logOther = recordEvents(otherCamera);
    const offer = nextEvent(viewerA, 'signal:offer');
    assert.deepEqual(await request(camera, 'signal:offer', { peerId: peerA, sdp: FAKE_OFFER }), { ok: true });
    assert.deepEqual(await offer, { peerId: peerA, sdp: FAKE_OFFER, zone: 'CBD-TRAFFIC-01' });
    await flush(viewerB);
    await flush(otherCamera);
    assert.equal(logB.events.filter((e) => e.event.startsWith('signal:')).length, 0);
    assert.equal(logOther.events.filter((e) => e.event.startsWith('signal:')).length, 0);
  });

  it('delivers an answer, candidates and an ICE restart request to the camera of that peer', async () => {
    const answer = nextEvent(camera, 'signal:answer');
    await request(viewerA, 'signal:answer', { peerId: peerA, sdp: FAKE_OFFER });
    assert.deepEqual(await answer, { peerId: peerA, sdp: FAKE_OFFER, zone: 'CBD-TRAFFIC-01' });

    const toCamera = nextEvent(camera, 'signal:candidate');
    await request(viewerA, 'signal:candidate', { peerId: peerA, candidate: FAKE_CANDIDATE });
    assert.deepEqual(await toCamera, { peerId: peerA, candidate: FAKE_CANDIDATE, zone: 'CBD-TRAFFIC-01' });

    const toViewer = nextEvent(viewerA, 'signal:candidate');
    await request(camera, 'signal:candidate', { peerId: peerA, candidate: null });
    assert.deepEqual(await toViewer, { peerId: peerA, candidate: null, zone: 'CBD-TRAFFIC-01' });

    const restart = nextEvent(camera, 'signal:restart');
    await request(viewerA, 'signal:restart', { peerId: peerA });
    assert.deepEqual(await restart, { peerId: peerA, zone: 'CBD-TRAFFIC-01' });
  });

  it('routes a multi-zone viewer by peer id, labelled with the zone', async () => {
    const offer = nextEvent(viewerB, 'signal:offer');
    await request(otherCamera, 'signal:offer', { peerId: otherPeer, sdp: FAKE_OFFER });
    assert.equal((await offer).zone, 'PARK-WEST-02');
  });

  it('drops a message addressed to a peer in another zone: PEER_UNKNOWN, target gets nothing', async () => {
    const logA = recordEvents(viewerA);
    const reply = await request(otherCamera, 'signal:offer', { peerId: peerA, sdp: FAKE_OFFER });
    assert.equal(!reply.ok && reply.error.code, 'PEER_UNKNOWN');
    await flush(viewerA);
    assert.deepEqual(logA.events.filter((e) => !DIRECTORY_EVENTS.has(e.event)), []);
  });

  it("drops a viewer's message about another viewer's peer", async () => {
    const logCamera = recordEvents(camera);
    const logA = recordEvents(viewerA);
    const reply = await request(viewerB, 'signal:candidate', { peerId: peerA, candidate: FAKE_CANDIDATE });
    assert.equal(!reply.ok && reply.error.code, 'PEER_UNKNOWN');
    await flush(camera);
    await flush(viewerA);
    assert.equal(logCamera.events.filter((e) => e.event.startsWith('signal:')).length, 0);
    // Directory deltas from the set-up may still arrive (coalesced); no signalling may.
    assert.deepEqual(logA.events.filter((e) => !DIRECTORY_EVENTS.has(e.event)), []);
  });

  it('drops a message to a peer id that was never issued or has closed', async () => {
    const never = await request(camera, 'signal:offer', { peerId: 'AAAAAAAAAAAAAAAA', sdp: FAKE_OFFER });
    assert.equal(!never.ok && never.error.code, 'PEER_UNKNOWN');
    const left = nextEvent(camera, 'viewer:left');
    await request(viewerB, 'zone:unwatch', { zone: 'CBD-TRAFFIC-01' });
    await left;
    const closed = await request(camera, 'signal:offer', { peerId: peerB, sdp: FAKE_OFFER });
    assert.equal(!closed.ok && closed.error.code, 'PEER_UNKNOWN');
  });
});
