import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { auditEntries } from '../support/access.ts';
import { startGateway, type TestGateway } from '../support/gateway.ts';
import { httpsRequestTo } from '../support/http.ts';
import { mediaRequest, WhepPlayer, WhipPublisher } from '../support/whipWhep.ts';
import { vethNamespace } from '../support/netns.ts';
import { WeriftViewer } from '../support/weriftViewer.ts';

/**
 * WHEP players and WHIP encoders with bearer tokens, against a real gateway and its media relay.
 * GStreamer's webrtcbin is the standard WHEP client; libnice ignores loopback, so the relay
 * listens on one end of a veth pair whose other end is in a network namespace where gst runs
 * (root only: as another user that one test fails, saying what it needs).
 */
const GST_PLAYER = join(import.meta.dirname, '..', 'support', 'gstWhepPlayer.py');
const gstUsable = (() => {
  if (process.getuid?.() !== 0 || !existsSync('/usr/sbin/ip')) return false;
  const probe = "import gi; gi.require_version('Gst', '1.0'); gi.require_version('GstWebRTC', '1.0'); from gi.repository import Gst, GstWebRTC; Gst.init(None); "
    + "assert all(Gst.ElementFactory.find(e) for e in ('webrtcbin', 'nicesrc', 'rtph264depay', 'h264parse', 'avdec_h264'))";
  try {
    execFileSync('/usr/bin/python3', ['-c', probe], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** The player's namespace and the gateway's end of the veth (10.77.0.0/16). */
const net = vethNamespace('whep', 77);
function makeVethPair(): void {
  net.create();
}
function removeVethPair(): void {
  net.remove();
}

const address = gstUsable ? net.hostAddress : '127.0.0.1';
let gw: TestGateway;
const closing: { close(): Promise<void> }[] = [];
const later = <T extends { close(): Promise<void> }>(thing: T): T => { closing.push(thing); return thing; };

before(async () => {
  if (gstUsable) {
    removeVethPair();
    makeVethPair();
  }
  // 0.0.0.0: the player in the namespace reaches HTTPS over the veth; the relay only the veth address.
  gw = await startGateway({ host: gstUsable ? '0.0.0.0' : '127.0.0.1', media: { policy: 'auto', workers: 1, listenAddress: address } });
});
after(async () => {
  await Promise.allSettled(closing.map((thing) => thing.close()));
  await gw?.close();
  if (gstUsable) removeVethPair();
});

/** `npx vigil …` against the running gateway's store, without blocking its event loop. */
function vigil(args: string[]): Promise<{ status: number | null; out: string; err: string }> {
  const cli = join(import.meta.dirname, '..', '..', 'src', 'server', 'cli', 'vigil.ts');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', cli, ...args, '--data-dir', gw.dataDir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk));
    child.on('error', reject);
    child.on('exit', (status) => resolve({ status, out, err }));
  });
}

const inAnHour = () => new Date(Date.now() + 3_600_000).toISOString();

async function createToken(kind: 'viewer' | 'publisher', zonePattern: string, expiresAt = inAnHour(), label = `${kind} ${zonePattern}`): Promise<{ id: number; secret: string; label: string }> {
  const reply = await gw.api('/api/tokens', { cookie: gw.admin.cookie, body: { kind, label, zonePattern, expiresAt } });
  assert.equal(reply.status, 201, reply.body);
  return { id: reply.json.token.id, secret: reply.json.secret, label };
}

/** A WHIP encoder publishing `zone`, with frames flowing into the relay. */
async function publishing(zone: string): Promise<WhipPublisher> {
  const token = await createToken('publisher', zone);
  const publisher = later(new WhipPublisher(address));
  const reply = await publisher.publish(gw.url, zone, token.secret);
  assert.equal(reply.status, 201, reply.body);
  return publisher;
}

/** Resolves once no packet has arrived for `quietMs`, with the time of the last one. */
async function packetsStopped(player: WhepPlayer, quietMs = 400, timeoutMs = 5_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() - player.lastPacketAt < quietMs) {
    if (Date.now() > deadline) throw new Error('packets kept arriving');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return player.lastPacketAt;
}

describe('WHIP in, WHEP out, through the relay', () => {
  it('a WHIP encoder publishes, a WHEP player and a console both play it; PATCH trickles, DELETE ends and is audited', async () => {
    const zone = 'CBD-WHIP-01';
    const publisher = await publishing(zone);
    assert.match(publisher.location!, new RegExp(`^/whip/${zone}/[A-Za-z0-9_-]{22}$`));

    const viewer = await createToken('viewer', 'CBD-*');
    const player = later(new WhepPlayer(address));
    const reply = await player.play(gw.url, zone, viewer.secret);
    assert.equal(reply.status, 201, reply.body);
    assert.match(String(reply.headers['content-type']), /^application\/sdp/);
    assert.match(player.location!, new RegExp(`^/whep/${zone}/[A-Za-z0-9_-]{22}$`));
    assert.equal(reply.headers['accept-patch'], 'application/trickle-ice-sdpfrag');
    await player.waitForFrames(30);

    // A console on a socket gets the same stream from the relay.
    const socket = await gw.connect('operator');
    const tile = later(new WeriftViewer(socket, zone, address));
    await tile.watch();
    await tile.waitForFrames(15);

    const frag = (body: string, headers: Record<string, string> = {}) => mediaRequest(`${gw.url}${player.location}`, {
      method: 'PATCH', token: viewer.secret, type: 'application/trickle-ice-sdpfrag', body, headers,
    });
    const ufrag = /a=ice-ufrag:(\S+)/.exec(player.pc.localDescription!.sdp)![1]!;
    const candidate = `a=ice-ufrag:${ufrag}\r\na=ice-pwd:unchanged-password-0000\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:0\r\na=candidate:1 1 udp 2122260223 ${address} 50000 typ host\r\n`;
    assert.equal((await frag(candidate)).status, 204);
    assert.equal((await frag('a=end-of-candidates\r\n')).status, 204);
    const restart = await frag(candidate.replace(ufrag, 'newufrag'));
    assert.deepEqual([restart.status, restart.json?.error?.code], [422, 'ICE_RESTART_UNSUPPORTED']);
    const wrongType = await mediaRequest(`${gw.url}${player.location}`, { method: 'PATCH', token: viewer.secret, type: 'application/sdp', body: candidate });
    assert.equal(wrongType.status, 415);
    const frames = player.frames;
    await player.waitForFrames(10);
    assert.ok(player.frames > frames, 'still playing after the trickle');

    // Someone else's token cannot end it; the owner's can.
    const stranger = await createToken('viewer', zone);
    assert.equal((await mediaRequest(`${gw.url}${player.location}`, { method: 'DELETE', token: stranger.secret })).status, 404);
    assert.equal((await mediaRequest(`${gw.url}${player.location}`, { method: 'DELETE', token: viewer.secret })).status, 200);
    await packetsStopped(player);
    assert.equal((await mediaRequest(`${gw.url}${player.location}`, { method: 'DELETE', token: viewer.secret })).status, 404);

    const views = (await auditEntries(gw, 'view.started')).filter((e) => e.zone === zone && e.actor === `token:${viewer.label}`);
    assert.equal(views.length, 1);
    assert.equal(views[0]!.detail.path, 'relay');
    const ended = (await auditEntries(gw, 'view.ended')).find((e) => e.zone === zone && e.actor === `token:${viewer.label}`);
    assert.equal(ended?.detail.reason, 'requested');
    assert.ok((await auditEntries(gw, 'publish.started')).some((e) => e.zone === zone && e.actor?.startsWith('token:')));

    // The tile keeps playing: the encoder's publish is untouched by the player leaving.
    await tile.waitForFrames(10);
    assert.equal((await mediaRequest(`${gw.url}${publisher.location}`, { method: 'DELETE', token: (await createToken('publisher', zone)).secret })).status, 404, 'another token');
  });

  it('revoking the viewer token cuts its WHEP session within a second', async () => {
    const zone = 'CBD-WHIP-02';
    await publishing(zone);
    const viewer = await createToken('viewer', zone);
    const player = later(new WhepPlayer(address));
    assert.equal((await player.play(gw.url, zone, viewer.secret)).status, 201);
    await player.waitForFrames(30);
    const revokedAt = Date.now();
    const revoke = await gw.api(`/api/tokens/${viewer.id}`, { method: 'DELETE', cookie: gw.admin.cookie });
    const answeredMs = Date.now() - revokedAt;
    assert.equal(revoke.status, 200, revoke.body);
    const cutMs = (await packetsStopped(player)) - revokedAt;
    console.log(`# revocation: answered in ${answeredMs} ms; the last packet came ${cutMs} ms after the revoke was sent`);
    assert.ok(cutMs < 1_000, `${cutMs} ms`);
    const again = await player.play(gw.url, zone, viewer.secret);
    assert.deepEqual([again.status, again.json?.error?.code], [401, 'TOKEN_REVOKED']);
    const ended = (await auditEntries(gw, 'view.ended')).find((e) => e.zone === zone && e.actor === `token:${viewer.label}`);
    assert.equal(ended?.detail.reason, 'access_revoked');
    assert.ok((await auditEntries(gw, 'token.revoked')).some((e) => e.detail.token === viewer.id));
  });

  it('an expiring token ends its session at its expiry; afterwards it is refused', async () => {
    const zone = 'CBD-WHIP-03';
    await publishing(zone);
    const expiresAt = Date.now() + 4_000;
    const viewer = await createToken('viewer', zone, new Date(expiresAt).toISOString());
    const player = later(new WhepPlayer(address));
    assert.equal((await player.play(gw.url, zone, viewer.secret)).status, 201);
    await player.waitForFrames(15);
    const lastPacket = await packetsStopped(player, 400, 8_000);
    assert.ok(lastPacket - expiresAt < 1_000 && lastPacket > expiresAt - 300, `last packet ${lastPacket - expiresAt} ms after expiry`);
    const again = await player.play(gw.url, zone, viewer.secret);
    assert.deepEqual([again.status, again.json?.error?.code], [401, 'TOKEN_EXPIRED']);
  });

  it('the CLI adds, lists and revokes tokens; revoking a WHIP encoder\'s token ends its publish within a second', async () => {
    const zone = 'CBD-WHIP-05';
    const added = await vigil(['token', 'add', '--kind', 'publisher', '--label', 'gate encoder', '--zones', zone, '--expires', inAnHour()]);
    assert.equal(added.status, 0, added.err);
    const [, id, secret] = /^Token (\d+) \(publisher\).*\(shown once\): (whip_\S+)$/m.exec(added.out) ?? [];
    assert.ok(id && secret, added.out);
    const publisher = later(new WhipPublisher(address));
    assert.equal((await publisher.publish(gw.url, zone, secret)).status, 201);
    const player = later(new WhepPlayer(address));
    assert.equal((await player.play(gw.url, zone, (await createToken('viewer', zone)).secret)).status, 201);
    await player.waitForFrames(15);
    const listed = await vigil(['token', 'list']);
    assert.match(listed.out, new RegExp(`^${id} +publisher +whip_\\S+… +${zone} +active .* gate encoder$`, 'm'));
    const revoked = await vigil(['token', 'revoke', id]);
    assert.equal(revoked.status, 0, revoked.err);
    const exitedAt = Date.now();
    const cutMs = (await packetsStopped(player)) - exitedAt;
    console.log(`# CLI revocation: the last packet came ${cutMs} ms after the CLI exited`);
    assert.ok(cutMs < 1_000, `${cutMs} ms`);
    const ended = (await auditEntries(gw, 'publish.ended')).find((e) => e.zone === zone && e.actor === 'token:gate encoder');
    assert.ok(ended, 'publish.ended recorded');
    assert.ok((await auditEntries(gw, 'token.created')).some((e) => e.actor === 'cli' && e.detail.label === 'gate encoder'));
    assert.equal((await vigil(['token', 'revoke', id])).status, 2, 'only once');
  });

  it('refuses what it must: no token, a cookie, a wrong or wrong-kind token, another zone (audited), bad SDP, no camera, a busy zone', async () => {
    const zone = 'PARK-WHIP-01';
    const offer = await later(new WhepPlayer(address)).offer();
    const post = (path: string, token?: string, body = offer, extra: { type?: string; headers?: Record<string, string> } = {}) =>
      mediaRequest(`${gw.url}${path}`, { ...(token ? { token } : {}), body, ...extra });
    const code = async (reply: Promise<{ status: number; json: any }>) => { const r = await reply; return [r.status, r.json?.error?.code]; };

    const anonymous = await post(`/whep/${zone}`);
    assert.deepEqual([anonymous.status, anonymous.json?.error?.code], [401, 'AUTH_REQUIRED']);
    assert.match(String(anonymous.headers['www-authenticate']), /^Bearer/);
    // The admin's session cookie is no credential here, and a foreign Origin is no refusal (bearer only).
    assert.deepEqual(await code(post(`/whep/${zone}`, undefined, offer, { headers: { cookie: gw.admin.cookie, origin: 'https://elsewhere.example' } })), [401, 'AUTH_REQUIRED']);
    assert.deepEqual(await code(post(`/whep/${zone}`, 'whep_not-a-token-the-gateway-issued')), [401, 'TOKEN_INVALID']);

    const viewer = await createToken('viewer', 'PARK-*', inAnHour(), 'park player');
    const publisherToken = await createToken('publisher', 'PARK-*');
    assert.deepEqual(await code(post(`/whip/${zone}`, viewer.secret)), [403, 'ROLE_FORBIDDEN']);
    assert.deepEqual(await code(post('/whep/CBD-WHIP-01', viewer.secret)), [403, 'ZONE_FORBIDDEN']);
    const denied = (await auditEntries(gw, 'view.denied')).find((e) => e.actor === 'token:park player');
    assert.deepEqual([denied?.zone, denied?.detail.code], ['CBD-WHIP-01', 'ZONE_FORBIDDEN']);
    assert.deepEqual(await code(post('/whep/not a zone', viewer.secret)), [400, 'ZONE_INVALID']);
    assert.deepEqual(await code(post(`/whep/${zone}`, viewer.secret, offer, { type: 'application/json' })), [415, 'PAYLOAD_INVALID']);
    assert.deepEqual(await code(post(`/whep/${zone}`, viewer.secret, 'hello')), [400, 'PAYLOAD_INVALID']);
    assert.deepEqual(await code(post(`/whep/${zone}`, viewer.secret, offer.replace(/H264\/90000/gi, 'VP8/90000'))), [400, 'PAYLOAD_INVALID']);
    assert.deepEqual(await code(post(`/whep/${zone}`, viewer.secret)), [404, 'ZONE_OFFLINE']);

    await publishing(zone);
    const second = new WhipPublisher(address);
    const busy = await post(`/whip/${zone}`, publisherToken.secret, await second.offer());
    await second.close();
    assert.deepEqual([busy.status, busy.json?.error?.code], [409, 'ZONE_BUSY']);
  });

  it('counts wrong tokens per address: the eleventh in a minute is RATE_LIMITED', async () => {
    const from = '127.0.0.77';
    const statuses: number[] = [];
    for (let i = 0; i < 11; i += 1) {
      const reply = await httpsRequestTo(`${gw.url}/whep/CBD-WHIP-01`, {
        headers: { authorization: 'Bearer whep_wrong', 'content-type': 'application/sdp' }, rawBody: 'v=0\r\n', localAddress: from,
      });
      statuses.push(reply.status);
      if (i === 10) assert.equal(reply.json?.error?.code, 'RATE_LIMITED');
    }
    assert.deepEqual(statuses, [...Array(10).fill(401), 429]);
  });

  it('GStreamer webrtcbin plays a zone over WHEP (in a network namespace, over a veth)', async () => {
    // Never skipped: `npm test` installs these as root (scripts/lib/debianPackages.mjs).
    assert.ok(gstUsable, 'this test needs root, iproute2, GStreamer (webrtcbin, libnice, libav) and python3-gi');
    const zone = 'CBD-WHIP-04';
    await publishing(zone);
    const viewer = await createToken('viewer', zone);
    const output = await new Promise<string>((resolve, reject) => {
      const child = spawn('ip', ['netns', 'exec', net.ns, '/usr/bin/python3', GST_PLAYER, `https://${net.hostAddress}:${gw.port}/whep/${zone}`, viewer.secret, '3'], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let text = '';
      child.stdout.on('data', (chunk: Buffer) => (text += chunk));
      child.on('error', reject);
      child.on('exit', () => resolve(text));
    });
    const result = JSON.parse(output.trim().split('\n').at(-1)!) as { status: number; location: string; frames: number; firstFrameMs: number; deleteStatus: number; error: string | null };
    console.log(`# gstreamer: ${result.frames} frames decoded in 3 s, first after ${result.firstFrameMs} ms`);
    assert.equal(result.error, null);
    assert.equal(result.status, 201);
    assert.match(result.location, new RegExp(`^/whep/${zone}/`));
    assert.ok(result.frames >= 30, `${result.frames} frames`);
    assert.equal(result.deleteStatus, 200);
  });
});

describe('WHEP and WHIP without the relay', () => {
  let p2p: TestGateway;
  before(async () => { p2p = await startGateway({ media: { policy: 'p2p' } }); });
  after(async () => { await p2p?.close(); });

  it('answers 503 RELAY_DISABLED to a valid token', async () => {
    const reply = await p2p.api('/api/tokens', { cookie: p2p.admin.cookie, body: { kind: 'viewer', label: 'p2p', zonePattern: '*', expiresAt: inAnHour() } });
    const offer = await later(new WhepPlayer()).offer();
    const refused = await mediaRequest(`${p2p.url}/whep/CBD-01`, { token: reply.json.secret, body: offer });
    assert.deepEqual([refused.status, refused.json?.error?.code], [503, 'RELAY_DISABLED']);
  });
});
