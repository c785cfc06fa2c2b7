import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { newResumeToken, request, type TestClient } from '../support/clients.ts';
import { assertServerUp, auditEntries } from '../support/access.ts';
import { startGateway, type TestGateway } from '../support/gateway.ts';

const deep = (depth: number): unknown => (depth === 0 ? {} : { zone: deep(depth - 1) });

describe('bad input: typed error, audit entry, server up, nothing polluted', () => {
  let gw: TestGateway;
  let camera: TestClient;
  let operator: TestClient;
  before(async () => {
    gw = await startGateway();
    camera = await gw.connect('camera');
    operator = await gw.connect('operator');
  });
  after(async () => {
    camera.close();
    operator.close();
    await gw.close();
  });

  it('refuses non-objects, wrong types, deep nesting and prototype-pollution keys with PAYLOAD_INVALID, and audits them', async () => {
    const payloads: unknown[] = [
      'CBD-1', 42, null, [], { zone: 7 }, deep(200),
      JSON.parse('{"zone":"CBD-1","__proto__":{"polluted":true}}'),
      { zone: 'CBD-1', constructor: { prototype: { polluted: true } } },
    ];
    for (const payload of payloads) {
      const reply = await request(operator, 'zone:watch', payload);
      assert.equal(!reply.ok && reply.error.code, 'PAYLOAD_INVALID', JSON.stringify(payload)?.slice(0, 60));
    }
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted'), false);
    const denied = await auditEntries(gw, 'event.denied');
    assert.ok(denied.filter((e) => e.detail.code === 'PAYLOAD_INVALID').length >= payloads.length);
    await assertServerUp(gw);
  });

  it('refuses an SDP that is not one, and closes the connection on a packet over the size limit', async () => {
    await request(camera, 'camera:publish', { zone: 'CBD-INPUT-01', resumeToken: newResumeToken() });
    const notSdp = await request(camera, 'signal:offer', { peerId: 'abcdefgh', sdp: '<script>alert(1)</script>' });
    assert.equal(!notSdp.ok && notSdp.error.code, 'PAYLOAD_INVALID');
    const victim = await gw.connect('camera');
    const closed = new Promise<string>((resolve) => victim.once('disconnect', resolve));
    victim.emit('signal:offer', { peerId: 'abcdefgh', sdp: `v=0\r\n${'a'.repeat(1024 * 1024)}` } as never);
    assert.match(await closed, /transport (close|error)/);
    assert.equal((await request(camera, 'zone:list', {})).ok, true);
  });

  it('refuses unknown events and wrong-role events, and audits them', async () => {
    const unknown = await request(operator, 'admin:become', {});
    assert.equal(!unknown.ok && unknown.error.code, 'EVENT_UNKNOWN');
    const wrongRole = await request(operator, 'signal:offer', { peerId: 'abcdefgh', sdp: 'v=0' });
    assert.equal(!wrongRole.ok && wrongRole.error.code, 'ROLE_FORBIDDEN');
    const denied = await auditEntries(gw, 'event.denied');
    assert.ok(denied.some((e) => e.detail.code === 'EVENT_UNKNOWN' && e.detail.event === 'admin:become'));
    assert.ok(denied.some((e) => e.detail.code === 'ROLE_FORBIDDEN'));
  });

  it('an event flood is rate limited (audited once) and the flooder disconnected while others stay served', async () => {
    const flooder = await gw.connect('operator');
    const gone = new Promise<void>((resolve) => flooder.once('disconnect', () => resolve()));
    for (let i = 0; i < 2_000; i++) flooder.emit('zone:list', {} as never);
    await gone;
    const limited = (await auditEntries(gw, 'event.denied')).filter((e) => e.detail.code === 'RATE_LIMITED');
    assert.equal(limited.length, 1);
    assert.equal((await request(operator, 'zone:list', {})).ok, true);
  });
});
