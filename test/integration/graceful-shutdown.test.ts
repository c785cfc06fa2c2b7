import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { connect, nextEvent, newResumeToken, request } from '../support/clients.ts';
import { spawnGateway, type GatewayProcess } from '../support/gatewayProcess.ts';

describe('SIGTERM', () => {
  let gateway: GatewayProcess | undefined;
  after(() => {
    gateway?.child.kill('SIGKILL');
    if (gateway) rmSync(gateway.dataDir, { recursive: true, force: true });
  });

  it('drains: clients are told to reconnect (not kicked), open views are closed in the audit trail, and the process exits 0 within the grace period', async () => {
    gateway = await spawnGateway({ VIGIL_SHUTDOWN_GRACE_SECONDS: '3' });
    const cookie = await gateway.adminCookie();
    const key = await gateway.api('/api/keys', { cookie, body: { label: 'gate', zonePattern: 'CBD-*' } });
    const camera = await connect(gateway.url, 'camera', { auth: { role: 'camera', protocol: 1, apiKey: key.json.secret } });
    await request(camera, 'camera:publish', { zone: 'CBD-TRAFFIC-01', resumeToken: newResumeToken() });
    const operator = await connect(gateway.url, 'operator', { extraHeaders: { cookie } });
    const joined = nextEvent(camera, 'viewer:joined');
    await request(operator, 'zone:watch', { zone: 'CBD-TRAFFIC-01' });
    await joined;

    const reasons = [camera, operator].map((socket) => new Promise<string>((resolve) => socket.once('disconnect', resolve)));
    const sent = Date.now();
    gateway.child.kill('SIGTERM');
    const ended = await gateway.exited;
    assert.equal(ended.code, 0, gateway.output());
    assert.ok(ended.at - sent < 3_000, `exited in ${ended.at - sent} ms, within the 3 s grace`);
    // "transport close" makes Socket.IO clients reconnect by themselves (to this node or, behind
    // nginx, to another); "io server disconnect" would tell them to stay away.
    assert.deepEqual(await Promise.all(reasons), ['transport close', 'transport close']);
    camera.close();
    operator.close();

    // The next start finds nothing left open by a crash, and the chain verifies.
    const again = await spawnGateway({}, gateway.dataDir);
    try {
      const adminAgain = await again.adminCookie();
      for (const kind of ['view.ended', 'publish.ended']) {
        const ends = await again.api(`/api/audit?kind=${kind}&limit=10`, { cookie: adminAgain });
        assert.deepEqual(ends.json.entries.map((e: { detail: { reason: string } }) => e.detail.reason), ['disconnected'], `${kind} was written before exit, not left for crash recovery`);
      }
      const verify = await again.api('/api/audit/verify', { cookie: adminAgain });
      assert.equal(verify.json.ok, true, verify.body);
    } finally {
      again.child.kill('SIGTERM');
      await again.exited;
    }
  });
});
