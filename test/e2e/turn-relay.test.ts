import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchBrowser, openConsole, openPage, readTile, startCamera, waitForVideo } from '../support/browser.ts';
import { startCoturn, type Coturn } from '../support/coturn.ts';
import { startGateway, type TestGateway } from '../support/gateway.ts';

const ZONE = 'CBD-RELAY-01';
/** The test's peers live on loopback: this coturn may relay to 127.0.0.1, which production must never allow. */
const LOOPBACK_PEERS = ['allow-loopback-peers', 'allowed-peer-ip=127.0.0.1'];

let gw: TestGateway;
let turn: Coturn;
let browser: Browser;
const secret = randomBytes(24).toString('base64url');
before(async () => {
  turn = await startCoturn(secret, LOOPBACK_PEERS);
  gw = await startGateway({ turn: { urls: [turn.url], secret, ttlSeconds: 600 }, iceTransportPolicy: 'relay' });
  browser = await launchBrowser();
});
after(async () => { await browser?.close(); await gw?.close(); await turn?.stop(); });

it('with iceTransportPolicy relay, video flows through real coturn with TURN REST credentials (ICE path relay)', async () => {
  await startCamera(browser, gw, ZONE);
  const { page } = await openConsole(browser, gw, [ZONE]);
  const video = await waitForVideo(page, ZONE, 30_000);
  assert.ok(video.framesDecoded > 0);
  await page.waitForFunction((selector) => /relay/i.test(document.querySelector(selector)?.textContent ?? ''), `.tile[data-zone="${ZONE}"] [data-kpi="icePath"]`, { timeout: 10_000 });
  assert.match((await readTile(page, ZONE)).kpis.icePath, /relay/i);
});

/** Gathers candidates in a bare page with the given TURN credential; resolves with their types and any TURN error code. */
async function gather(credential: { username: string; credential: string }) {
  const { page, context } = await openPage(browser, `${gw.url}/camera.html`);
  const result = await page.evaluate(async ({ url, username, credential }) => {
    const pc = new RTCPeerConnection({ iceServers: [{ urls: url, username, credential }], iceTransportPolicy: 'relay' });
    const types: string[] = [];
    const errors: number[] = [];
    pc.addEventListener('icecandidate', (e) => { if (e.candidate?.type) types.push(e.candidate.type); });
    pc.addEventListener('icecandidateerror', (e) => errors.push((e as RTCPeerConnectionIceErrorEvent).errorCode));
    pc.createDataChannel('probe');
    await pc.setLocalDescription(await pc.createOffer());
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 8_000);
      pc.addEventListener('icegatheringstatechange', () => { if (pc.iceGatheringState === 'complete') { clearTimeout(timer); resolve(); } });
    });
    pc.close();
    return { types, errors };
  }, { url: turn.url, ...credential });
  await context.close();
  return result;
}

it('coturn refuses expired, forged, tampered and foreign-secret credentials', async () => {
  const { issueTurnCredentials } = await import('../../src/server/turn/turnCredentials.ts');
  const issue = (s: string, now = Date.now()) => {
    const server = issueTurnCredentials({ secret: s, ttlSeconds: 600, userId: 'u1', urls: [turn.url], now }).iceServers[0]!;
    return { username: server.username!, credential: server.credential! };
  };
  const valid = await gather(issue(secret));
  assert.ok(valid.types.includes('relay'), `a valid credential allocates a relay (got ${JSON.stringify(valid)})`);
  const good = issue(secret);
  const expiry = Number(good.username.split(':')[0]);
  const cases = {
    expired: issue(secret, Date.now() - 3_600_000),
    forged: { username: good.username, credential: randomBytes(20).toString('base64') },
    tampered: { username: `${expiry + 86_400}:u1`, credential: good.credential },
    foreignSecret: issue('some-other-secret-entirely'),
  };
  for (const [name, credential] of Object.entries(cases)) {
    const refused = await gather(credential);
    assert.equal(refused.types.includes('relay'), false, `${name}: no relay allocated`);
    assert.ok(refused.errors.includes(401), `${name}: coturn answers 401 (got ${JSON.stringify(refused.errors)})`);
  }
});

it('our deploy/coturn.conf, unmodified, refuses to relay to loopback peers (no TURN-as-proxy into private networks)', async () => {
  const strict = await startCoturn(secret);
  try {
    const { issueTurnCredentials } = await import('../../src/server/turn/turnCredentials.ts');
    const iceServers = issueTurnCredentials({ secret, ttlSeconds: 600, userId: 'u2', urls: [strict.url] }).iceServers;
    const { page, context } = await openPage(browser, `${gw.url}/camera.html`);
    const outcome = await page.evaluate(async (servers) => {
      const config: RTCConfiguration = { iceServers: servers as RTCIceServer[], iceTransportPolicy: 'relay' };
      const a = new RTCPeerConnection(config);
      const b = new RTCPeerConnection(config);
      const relays: string[] = [];
      a.addEventListener('icecandidate', (e) => { if (e.candidate) { if (e.candidate.type === 'relay') relays.push(e.candidate.address ?? ''); void b.addIceCandidate(e.candidate); } });
      b.addEventListener('icecandidate', (e) => { if (e.candidate) void a.addIceCandidate(e.candidate); });
      a.createDataChannel('probe');
      await a.setLocalDescription(await a.createOffer());
      await b.setRemoteDescription(a.localDescription!);
      await b.setLocalDescription(await b.createAnswer());
      await a.setRemoteDescription(b.localDescription!);
      await new Promise((r) => setTimeout(r, 8_000));
      const state = a.connectionState;
      a.close();
      b.close();
      return { relays, state };
    }, iceServers);
    await context.close();
    assert.ok(outcome.relays.length > 0, 'the allocation itself succeeds (valid credentials)');
    // The first test is the control: the same peers connect through a coturn that allows loopback.
    assert.notEqual(outcome.state, 'connected', 'but nothing is relayed to a loopback peer');
  } finally {
    await strict.stop();
  }
});
