import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { Limits } from '../../src/shared/index.ts';
import { assertServerUp, auditEntries } from '../support/access.ts';
import { newResumeToken, nextEvent, request, type TestClient } from '../support/clients.ts';
import { startGateway, type TestGateway } from '../support/gateway.ts';

const ZONE = 'STALL-01';
/** An offer as large as the protocol allows: every relay to the stalled console is ~60 KB. */
const BIG_OFFER = `v=0\r\n${'a=x-padding:0123456789abcdef\r\n'.repeat(2_000)}`;

/**
 * A console that keeps its connection and answers heartbeats but never reads what the gateway
 * sends: an Engine.IO/Socket.IO client on a raw WebSocket whose TCP socket is paused after it
 * joined a zone, sending a pong every few seconds without reading the pings.
 */
async function stalledConsole(gw: TestGateway, cookie: string): Promise<{ ws: WebSocket; close(): void }> {
  const ws = new WebSocket(`wss://127.0.0.1:${gw.port}/socket.io/?EIO=4&transport=websocket`, { rejectUnauthorized: false, headers: { cookie } });
  const messages: string[] = [];
  const waitFor = (match: (m: string) => boolean) => new Promise<string>((resolve, reject) => {
    const found = messages.find(match);
    if (found) return resolve(found);
    const timer = setTimeout(() => reject(new Error(`no matching message; got ${messages.join(' | ').slice(0, 500)}`)), 5_000);
    ws.on('message', function listener(data) {
      if (!match(String(data))) return;
      clearTimeout(timer);
      ws.off('message', listener);
      resolve(String(data));
    });
  });
  ws.on('message', (data) => messages.push(String(data)));
  await waitFor((m) => m.startsWith('0{'));
  ws.send('40{"role":"operator","protocol":1}');
  await waitFor((m) => m.startsWith('40{'));
  ws.send(`421["zone:watch",{"zone":"${ZONE}"}]`);
  await waitFor((m) => m.startsWith('431['));
  // From here on nothing is read; only blind pongs keep the heartbeat happy.
  (ws as unknown as { _socket: { pause(): void } })._socket.pause();
  const pongs = setInterval(() => ws.send('3'), 3_000);
  return { ws, close: () => { clearInterval(pongs); ws.terminate(); } };
}

describe('a console that stops reading', () => {
  let gw: TestGateway;
  before(async () => { gw = await startGateway(); });
  after(async () => { await gw.close(); });

  it('is disconnected with SEND_BUFFER_FULL once its pending output passes the bound, and the gateway\'s memory stays bounded', async (t) => {
    const camera: TestClient = await gw.connect('camera');
    assert.equal((await request(camera, 'camera:publish', { zone: ZONE, resumeToken: newResumeToken() })).ok, true);
    const joined = nextEvent(camera, 'viewer:joined', 5_000);
    const stalled = await stalledConsole(gw, gw.admin.cookie);
    const { peerId } = await joined;
    const sockets = () => gw.gateway.signalling.io.of('/').sockets.size;
    assert.equal(sockets(), 2);

    global.gc?.();
    const rssBefore = process.memoryUsage().rss;
    let rssPeak = rssBefore;
    let relayed = 0;
    const started = Date.now();
    // The camera relays offers to it as fast as its event budget allows, for at most 15 s.
    while (sockets() === 2 && Date.now() - started < 15_000) {
      const replies = await Promise.all(Array.from({ length: 20 }, () => request(camera, 'signal:offer', { peerId, sdp: BIG_OFFER }, 5_000)));
      relayed += replies.filter((r) => r.ok).length * BIG_OFFER.length;
      rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
      if (replies.some((r) => !r.ok && r.error.code === 'RATE_LIMITED')) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const tookMs = Date.now() - started;
    stalled.close();
    const growthMb = (rssPeak - rssBefore) / 2 ** 20;
    t.diagnostic(`dropped after ${tookMs} ms and ${(relayed / 2 ** 20).toFixed(1)} MB relayed to it; peak RSS growth ${growthMb.toFixed(1)} MB`);
    assert.equal(sockets(), 1, 'the stalled console was disconnected');
    assert.ok(tookMs < 10_000, `disconnected after ${tookMs} ms`);
    assert.ok(growthMb < 100, `RSS grew ${growthMb.toFixed(1)} MB`);

    const [dropped] = await auditEntries(gw, 'connection.dropped');
    assert.equal(dropped?.detail.code, 'SEND_BUFFER_FULL');
    assert.equal(dropped?.actor, 'admin');
    assert.ok(Number(dropped?.detail.bytes) > Limits.maxPendingSendBytes || Number(dropped?.detail.packets) > Limits.maxPendingSendPackets);
    assert.equal((await auditEntries(gw, 'connection.dropped')).length, 1, 'audited once');
    // The camera and the gateway go on: a new console watches the zone.
    assert.equal(camera.connected, true);
    const operator = await gw.connect('operator');
    assert.equal((await request(operator, 'zone:watch', { zone: ZONE })).ok, true);
    operator.close();
    camera.close();
    await assertServerUp(gw);
  });
});
