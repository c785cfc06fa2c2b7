import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { auditEntries } from '../support/access.ts';
import { newResumeToken, request, type TestClient } from '../support/clients.ts';
import { startGateway, type TestGateway } from '../support/gateway.ts';

/** A still of a tile is allowed of a zone the console watches, and in the trail with its hash first. */
describe('zone:snapshot', () => {
  let gw: TestGateway;
  const clients: TestClient[] = [];
  before(async () => { gw = await startGateway(); });
  after(async () => { clients.forEach((c) => c.close()); await gw.close(); });

  const still = { sha256: 'ab'.repeat(32), width: 1280, height: 720 };

  it('records a still of a watched zone; refuses one of a zone not on the wall or no longer granted, audited', async () => {
    const camera = await gw.connect('camera');
    const ola = await gw.addUser('still-op', 'operator', ['STILL-*']);
    const operator = await gw.connect('operator', { cookie: ola.cookie });
    clients.push(camera, operator);
    await request(camera, 'camera:publish', { zone: 'STILL-CAM-01', resumeToken: newResumeToken() });

    const notWatching = await request(operator, 'zone:snapshot', { zone: 'STILL-CAM-01', ...still });
    assert.equal(!notWatching.ok && notWatching.error.code, 'NOT_WATCHING');
    assert.equal((await request(operator, 'zone:watch', { zone: 'STILL-CAM-01' })).ok, true);
    assert.deepEqual(await request(operator, 'zone:snapshot', { zone: 'STILL-CAM-01', ...still }), { ok: true });
    const [recorded] = await auditEntries(gw, 'view.snapshot');
    assert.deepEqual([recorded?.actor, recorded?.zone, recorded?.outcome, recorded?.detail], ['still-op', 'STILL-CAM-01', 'ok', still]);

    const bad = await request(operator, 'zone:snapshot', { zone: 'STILL-CAM-01', ...still, sha256: 'not-a-hash' });
    assert.equal(!bad.ok && bad.error.code, 'PAYLOAD_INVALID');
    const elsewhere = await request(operator, 'zone:snapshot', { zone: 'OTHER-CAM-01', ...still });
    assert.equal(!elsewhere.ok && elsewhere.error.code, 'NOT_WATCHING');
    assert.ok((await auditEntries(gw, 'view.snapshot')).some((e) => e.outcome === 'denied' && e.zone === 'OTHER-CAM-01'), 'the refusal is audited');
  });
});
