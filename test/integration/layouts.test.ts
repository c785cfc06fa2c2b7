import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startGateway, type TestGateway } from '../support/gateway.ts';

/** Shared walls for a group: an admin shares a layout with chosen operators; the others never see it. */
describe('shared layouts for a group of operators', () => {
  let gw: TestGateway;
  before(async () => { gw = await startGateway(); });
  after(async () => { await gw.close(); });

  const layouts = async (cookie: string) => ((await gw.api('/api/layouts', { cookie })).json.layouts as { name: string; shared: boolean; zones: string[]; audience: string[] | null }[]);
  const share = (body: object) => gw.api('/api/layouts/Harbour%20night', { method: 'PUT', cookie: gw.admin.cookie, body: { grid: '2', zones: ['HARBOUR-01', 'HARBOUR-02'], shared: true, ...body } });

  it('shows a layout shared with named operators to them only, with the zones each may watch; admins see who it is for', async () => {
    const ola = await gw.addUser('ola', 'operator', ['HARBOUR-01']);
    const mia = await gw.addUser('mia', 'operator', ['HARBOUR-*']);
    const saved = await share({ audience: ['Ola'] });
    assert.equal(saved.status, 200, saved.body);
    assert.deepEqual((await layouts(ola.cookie)).map((l) => [l.name, l.shared, l.zones, l.audience]), [['Harbour night', true, ['HARBOUR-01'], null]], 'an operator is not told who else');
    assert.deepEqual(await layouts(mia.cookie), [], 'not for mia');
    assert.deepEqual((await layouts(gw.admin.cookie)).map((l) => l.audience), [['ola']]);

    // Shared again with nobody named: every operator.
    assert.equal((await share({})).status, 200);
    assert.deepEqual((await layouts(mia.cookie)).map((l) => [l.name, l.zones]), [['Harbour night', ['HARBOUR-01', 'HARBOUR-02']]]);
  });

  it('refuses an audience of unknown people, and one on a layout that is not shared', async () => {
    const unknown = await share({ audience: ['nobody-here'] });
    assert.deepEqual([unknown.status, unknown.json.error.code], [404, 'NOT_FOUND']);
    assert.match(unknown.json.error.message, /No operator named nobody-here/);
    const own = await gw.api('/api/layouts/Mine', { method: 'PUT', cookie: gw.admin.cookie, body: { grid: 'auto', zones: [], audience: ['ola'] } });
    assert.deepEqual([own.status, own.json.error.code], [400, 'PAYLOAD_INVALID']);
  });
});
