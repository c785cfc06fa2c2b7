import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { auditEntries } from '../support/access.ts';
import { FAKE_OFFER, nextEvent, newResumeToken, request, type TestClient } from '../support/clients.ts';
import { startGateway, type TestGateway } from '../support/gateway.ts';
import { scrape } from '../support/metrics.ts';

describe('GET /metrics', () => {
  let gw: TestGateway;
  let camera: TestClient;
  let operator: TestClient;
  let peerId: string;

  before(async () => {
    gw = await startGateway();
    camera = await gw.connect('camera');
    await request(camera, 'camera:publish', { zone: 'CBD-TRAFFIC-01', resumeToken: newResumeToken() });
    operator = await gw.connect('operator');
    const joined = nextEvent(camera, 'viewer:joined');
    await request(operator, 'zone:watch', { zone: 'CBD-TRAFFIC-01' });
    peerId = (await joined).peerId;
  });
  after(async () => {
    camera?.close();
    operator?.close();
    await gw?.close();
  });

  it('counts cameras, operators, views and signalling messages by type, with a relay latency histogram', async () => {
    const offer = nextEvent(operator, 'signal:offer');
    await request(camera, 'signal:offer', { peerId, sdp: FAKE_OFFER });
    await offer;
    const m = await scrape(gw);
    assert.equal(m.get('vigil_cameras_online'), 1);
    assert.equal(m.get('vigil_operators_connected'), 1);
    assert.equal(m.get('vigil_viewing_sessions'), 1);
    assert.equal(m.get('vigil_signalling_messages_total{type="camera:publish"}'), 1);
    assert.equal(m.get('vigil_signalling_messages_total{type="zone:watch"}'), 1);
    assert.equal(m.get('vigil_relay_latency_seconds_count{type="signal:offer"}'), 1);
    assert.ok((m.get('vigil_relay_latency_seconds_sum{type="signal:offer"}') ?? -1) >= 0);
    assert.ok((m.get('vigil_process_resident_memory_bytes') ?? 0) > 0, 'process metrics are there');
  });

  it('counts failed logins, denials by code and rate-limit trips', async () => {
    await gw.api('/api/auth/login', { body: { username: 'admin', password: 'not-the-password' } });
    const forbidden = await request(camera, 'zone:watch', { zone: 'CBD-TRAFFIC-01' });
    assert.equal(!forbidden.ok && forbidden.error.code, 'ROLE_FORBIDDEN');
    const flood = await gw.connect('operator');
    for (let i = 0; i < 700; i += 1) flood.emit('zone:list', {});
    await new Promise<void>((resolve) => flood.once('vigil:error', () => resolve()));
    flood.close();
    const m = await scrape(gw);
    assert.equal(m.get('vigil_auth_failures_total{reason="wrong_password"}'), 1);
    assert.equal(m.get('vigil_denials_total{kind="login.failure",code="wrong_password"}'), 1);
    assert.equal(m.get('vigil_denials_total{kind="event.denied",code="ROLE_FORBIDDEN"}'), 1);
    assert.ok((m.get('vigil_rate_limit_trips_total{limit="socket_events"}') ?? 0) >= 1);
  });

  it('shows per-zone network quality reported by the consoles watching, and ignores other zones', async () => {
    const sample = { icePath: 'host', rttMs: 12, lossRatio: 0.01, bitrateBps: 1_500_000, fps: 29.5 } as const;
    const reply = await request(operator, 'quality:report', { tiles: [{ zone: 'CBD-TRAFFIC-01', ...sample }, { zone: 'PARK-WEST-02', ...sample }] });
    assert.deepEqual(reply, { ok: true, accepted: 1 });
    const m = await scrape(gw);
    assert.equal(m.get('vigil_zone_rtt_seconds{zone="CBD-TRAFFIC-01"}'), 0.012);
    assert.equal(m.get('vigil_zone_packet_loss_ratio{zone="CBD-TRAFFIC-01"}'), 0.01);
    assert.equal(m.get('vigil_zone_bitrate_bits_per_second{zone="CBD-TRAFFIC-01"}'), 1_500_000);
    assert.equal(m.get('vigil_zone_frames_per_second{zone="CBD-TRAFFIC-01"}'), 29.5);
    assert.equal(m.get('vigil_zone_ice_path_viewers{zone="CBD-TRAFFIC-01",path="host"}'), 1);
    assert.equal(m.get('vigil_zone_rtt_seconds{zone="PARK-WEST-02"}'), undefined, 'a zone the console does not watch is not reported');

    const bad = await request(operator, 'quality:report', { tiles: [{ zone: 'CBD-TRAFFIC-01', ...sample, lossRatio: 7 }] });
    assert.equal(!bad.ok && bad.error.code, 'PAYLOAD_INVALID');
    const tooMany = await request(operator, 'quality:report', { tiles: Array.from({ length: 17 }, () => ({ zone: 'CBD-TRAFFIC-01', ...sample })) });
    assert.equal(!tooMany.ok && tooMany.error.code, 'PAYLOAD_INVALID');

    await request(operator, 'zone:unwatch', { zone: 'CBD-TRAFFIC-01' });
    const afterUnwatch = await scrape(gw);
    assert.equal(afterUnwatch.get('vigil_zone_rtt_seconds{zone="CBD-TRAFFIC-01"}'), undefined, 'figures go with the view');
  });
});

describe('GET /metrics access', () => {
  const token = 'metrics-token-of-the-city-0123456789';
  let gw: TestGateway;
  before(async () => { gw = await startGateway({ metrics: { token, allowFrom: ['10.0.0.0/8'] } }); });
  after(async () => { await gw?.close(); });

  it('refuses an address outside the allow-list without the token, audits it, and opens with the token', async () => {
    for (const authorization of [undefined, 'Bearer wrong-token', `Basic ${token}`]) {
      const reply = await gw.api('/metrics', { headers: authorization ? { authorization } : {} });
      assert.equal(reply.status, 401, String(authorization));
      assert.equal(reply.json.error.code, 'AUTH_REQUIRED');
      assert.doesNotMatch(reply.body, /vigil_/);
    }
    // No credential behind them: the first is written at once, the other two summed up in one row.
    const denied = (await auditEntries(gw, 'api.denied')).filter((e) => e.detail.path === '/metrics');
    assert.equal(denied.length, 1);
    await gw.gateway.audit.flush();
    const rows = (await auditEntries(gw, 'api.denied')).filter((e) => e.detail.path === '/metrics');
    assert.deepEqual(rows.map((e) => e.detail.repeated ?? null), [2, null]);
    const m = await scrape(gw, { authorization: `Bearer ${token}` });
    assert.ok(m.has('vigil_operators_connected'));
    assert.equal(m.get('vigil_denials_total{kind="api.denied",code="AUTH_REQUIRED"}'), 3, 'every refusal is counted');
  });
});

describe('deploy/grafana/vigil-dashboard.json', () => {
  it('queries only metrics the gateway exports', async () => {
    const gw = await startGateway();
    try {
      const exported = new Set((await gw.gateway.metrics.registry.getMetricsAsJSON()).map((m) => m.name));
      const dashboard = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'deploy', 'grafana', 'vigil-dashboard.json'), 'utf8'));
      const exprs: string[] = dashboard.panels.flatMap((p: { targets: { expr: string }[] }) => p.targets.map((t) => t.expr));
      const used = new Set(exprs.flatMap((e) => e.match(/vigil_[a-z_]+/g) ?? []).map((name) => name.replace(/_(bucket|sum|count)$/, '')));
      assert.ok(used.size >= 10, 'the dashboard covers the gateway');
      for (const name of used) assert.ok(exported.has(name), `${name} is exported`);
    } finally {
      await gw.close();
    }
  });
});
