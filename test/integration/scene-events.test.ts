import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { SceneEvent } from '../../src/shared/index.ts';
import { SCENE_REPORT_BUDGET } from '../../src/server/events/SceneEvents.ts';
import { auditEntries, assertServerUp } from '../support/access.ts';
import { flush, newResumeToken, nextEvent, openSocket, recordEvents, request, type TestClient } from '../support/clients.ts';
import { startGateway, type TestGateway } from '../support/gateway.ts';
import { waitFor } from '../support/waitFor.ts';

/** The smallest thing the gateway takes as a JPEG snapshot (it checks the marker, the browser decodes it). */
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0xff, 0xd9]).toString('base64');

describe('scene events over signalling: reported by the camera node, pushed to those who may watch, acknowledged and audited', () => {
  let gw: TestGateway;
  const clients: TestClient[] = [];
  let camera: TestClient;
  let admin: TestClient;
  let outsider: TestClient;
  let outsiderCookie: string;
  before(async () => {
    gw = await startGateway();
    camera = await gw.connect('camera');
    admin = await gw.connect('operator');
    const other = await gw.addUser('parks-operator', 'operator', ['PARK-*']);
    outsiderCookie = other.cookie;
    outsider = await gw.connect('operator', { cookie: other.cookie });
    clients.push(camera, admin, outsider);
    assert.equal((await request(camera, 'camera:publish', { zone: 'CBD-SCENE-01', resumeToken: newResumeToken() })).ok, true);
  });
  after(async () => { clients.forEach((c) => c.close()); await gw.close(); });

  it('opens an event on motion.started, raises its score, ends it on motion.ended, and only operators of the zone hear of it', async () => {
    const outsiderLog = recordEvents(outsider);
    const opened = nextEvent(admin, 'scene:events');
    assert.deepEqual(await request(camera, 'camera:scene', { zone: 'CBD-SCENE-01', type: 'motion.started', score: 0.04, snapshot: JPEG }), { ok: true });
    const { events: [event], change } = await opened;
    assert.equal(change, 'new');
    assert.deepEqual([event!.zone, event!.kind, event!.score, event!.hasSnapshot, event!.endedAt, event!.camera], ['CBD-SCENE-01', 'motion', 0.04, true, null, 'test camera']);

    const raised = nextEvent(admin, 'scene:events');
    await request(camera, 'camera:scene', { zone: 'CBD-SCENE-01', type: 'motion.started', score: 0.2 });
    assert.deepEqual([(await raised).change, (await raised).events[0]!.id, (await raised).events[0]!.score], ['update', event!.id, 0.2], 'a start while open is the same event');

    const ended = nextEvent(admin, 'scene:events');
    await request(camera, 'camera:scene', { zone: 'CBD-SCENE-01', type: 'motion.ended', score: 0 });
    const end = await ended;
    assert.equal(end.change, 'end');
    assert.ok(end.events[0]!.endedAt && Date.parse(end.events[0]!.endedAt) >= Date.parse(event!.startedAt));
    await flush(outsider);
    assert.equal(outsiderLog.events.filter((e) => e.event === 'scene:events' && JSON.stringify(e.payload).includes('CBD-SCENE-01')).length, 0, 'no event of a zone it may not watch');

    // The REST list and the snapshot follow the same grants.
    const listed = await gw.api('/api/events?zone=CBD-SCENE-01', { cookie: gw.admin.cookie });
    assert.equal((listed.json.events as SceneEvent[])[0]!.id, event!.id);
    const theirs = await gw.api('/api/events', { cookie: outsiderCookie });
    assert.equal((theirs.json.events as SceneEvent[]).filter((e) => e.zone === 'CBD-SCENE-01').length, 0);
    const snapshot = await gw.api(`/api/events/${event!.id}/snapshot`, { cookie: gw.admin.cookie });
    assert.deepEqual([snapshot.status, snapshot.headers['content-type']], [200, 'image/jpeg']);
    const refused = await gw.api(`/api/events/${event!.id}/snapshot`, { cookie: outsiderCookie });
    assert.deepEqual([refused.status, refused.json.error.code], [403, 'ZONE_FORBIDDEN']);
    assert.equal((await gw.api('/api/events/999999/snapshot', { cookie: gw.admin.cookie })).status, 404);
    const viewed = await auditEntries(gw, 'event.snapshot');
    assert.deepEqual([viewed[0]?.actor, viewed[0]?.zone, viewed[0]?.detail.event], ['admin', 'CBD-SCENE-01', event!.id]);
    assert.ok((await auditEntries(gw, 'api.denied')).some((e) => e.actor === 'parks-operator' && e.detail.event === event!.id), 'the refusal is audited');
  });

  it('lets an operator of the zone acknowledge and annotate an event (audited), and no one else', async () => {
    const opened = nextEvent(admin, 'scene:events');
    await request(camera, 'camera:scene', { zone: 'CBD-SCENE-01', type: 'tamper.covered', score: 4 });
    const [event] = (await opened).events;
    assert.equal(event!.kind, 'tamper.covered');

    const denied = await request(outsider, 'event:acknowledge', { id: event!.id });
    assert.deepEqual(denied.ok ? null : denied.error.code, 'ZONE_FORBIDDEN');
    const pushed = nextEvent(admin, 'scene:events');
    const acknowledged = await request(admin, 'event:acknowledge', { id: event!.id });
    assert.equal(acknowledged.ok && (acknowledged.event as SceneEvent).acknowledgedBy, 'admin');
    assert.deepEqual([(await pushed).change, (await pushed).events[0]!.acknowledgedBy], ['update', 'admin'], 'every console of the zone sees who saw to it');
    const annotated = await request(admin, 'event:annotate', { id: event!.id, note: 'Bag over the lens; patrol sent.' });
    assert.equal(annotated.ok && (annotated.event as SceneEvent).note, 'Bag over the lens; patrol sent.');
    const invalid = await request(admin, 'event:annotate', { id: event!.id, note: 'x'.repeat(501) });
    assert.equal(invalid.ok ? null : invalid.error.code, 'PAYLOAD_INVALID');

    const [ack] = await auditEntries(gw, 'event.acknowledged');
    assert.deepEqual([ack?.actor, ack?.zone, ack?.detail.event, ack?.detail.type], ['admin', 'CBD-SCENE-01', event!.id, 'tamper.covered']);
    const [note] = await auditEntries(gw, 'event.annotated');
    assert.equal(note?.detail.note, 'Bag over the lens; patrol sent.');
    assert.ok((await auditEntries(gw, 'event.denied')).some((e) => e.actor === 'parks-operator' && e.detail.id === event!.id));
  });

  it('refuses reports for a zone the connection does not publish, and reports that are not the detector\'s', async () => {
    const stranger = await gw.connect('camera');
    clients.push(stranger);
    const notPublishing = await request(stranger, 'camera:scene', { zone: 'CBD-SCENE-01', type: 'motion.started', score: 1 });
    assert.equal(notPublishing.ok ? null : notPublishing.error.code, 'NOT_PUBLISHING');
    for (const bad of [
      { zone: 'CBD-SCENE-01', type: 'motion.exploded', score: 1 },
      { zone: 'CBD-SCENE-01', type: 'motion.started', score: -1 },
      { zone: 'CBD-SCENE-01', type: 'motion.started', score: 1, snapshot: '<script>' },
      { zone: 'CBD-SCENE-01', type: 'motion.started', score: 1, at: 0 },
    ]) {
      const reply = await request(camera, 'camera:scene', bad);
      assert.equal(reply.ok ? null : reply.error.code, 'PAYLOAD_INVALID', JSON.stringify(bad));
    }
    const notJpeg = await request(camera, 'camera:scene', { zone: 'CBD-SCENE-01', type: 'motion.started', score: 1, snapshot: Buffer.from('GIF89a').toString('base64') });
    assert.equal(notJpeg.ok ? null : notJpeg.error.code, 'PAYLOAD_INVALID');
    const operatorSends = await request(admin, 'camera:scene', { zone: 'CBD-SCENE-01', type: 'motion.started', score: 1 });
    assert.equal(operatorSends.ok ? null : operatorSends.error.code, 'ROLE_FORBIDDEN');
    await request(camera, 'camera:scene', { zone: 'CBD-SCENE-01', type: 'motion.ended', score: 0 });
  });

  it('holds a flapping detector to its budget: starts past the burst are refused, ends always close, the gateway stays up', async () => {
    const flapper = await gw.connect('camera');
    clients.push(flapper);
    await request(flapper, 'camera:publish', { zone: 'CBD-FLAP-02', resumeToken: newResumeToken() });
    const log = recordEvents(admin);
    let refused = 0;
    for (let i = 0; i < 40; i++) {
      const started = await request(flapper, 'camera:scene', { zone: 'CBD-FLAP-02', type: 'motion.started', score: 0.1 });
      if (!started.ok) { assert.equal(started.error.code, 'RATE_LIMITED'); refused += 1; }
      assert.deepEqual(await request(flapper, 'camera:scene', { zone: 'CBD-FLAP-02', type: 'motion.ended', score: 0 }), { ok: true });
    }
    assert.ok(refused >= 40 - SCENE_REPORT_BUDGET.burst - 2, `refused ${refused} of 40`);
    await flush(admin);
    const opened = log.events.filter((e) => e.event === 'scene:events' && (e.payload as { change?: string }).change === 'new' && JSON.stringify(e.payload).includes('CBD-FLAP-02')).length;
    assert.equal(opened, 40 - refused, 'one event per start taken, none per refusal');
    const open = ((await gw.api('/api/events?zone=CBD-FLAP-02&limit=200', { cookie: gw.admin.cookie })).json.events as SceneEvent[]).filter((e) => e.endedAt === null);
    assert.equal(open.length, 0, 'every event it opened is closed');
    await assertServerUp(gw);
  });

  it('ends what a camera left open when it stops publishing, and a console connecting later gets the recent events', async () => {
    const leaver = await gw.connect('camera');
    await request(leaver, 'camera:publish', { zone: 'CBD-LEAVE-03', resumeToken: newResumeToken() });
    const opened = nextEvent(admin, 'scene:events');
    await request(leaver, 'camera:scene', { zone: 'CBD-LEAVE-03', type: 'tamper.frozen', score: 0 });
    const [event] = (await opened).events;
    const ended = nextEvent(admin, 'scene:events');
    leaver.close();
    const end = await ended;
    assert.deepEqual([end.change, end.events[0]!.id, end.events[0]!.endedAt !== null], ['end', event!.id, true]);

    const late = openSocket(gw.url, { role: 'operator', protocol: 1 }, { extraHeaders: { cookie: gw.admin.cookie } });
    clients.push(late);
    const recent = await nextEvent(late, 'scene:events');
    assert.equal(recent.change, undefined, 'the recent ones, not a change');
    assert.ok(recent.events.some((e) => e.id === event!.id));
    await waitFor(async () => (await gw.api('/api/events?zone=CBD-LEAVE-03', { cookie: gw.admin.cookie })).json.events[0]?.endedAt !== null);
  });
});
