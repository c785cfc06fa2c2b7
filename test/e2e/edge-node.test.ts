import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import type { Browser } from 'playwright-core';
import type { SceneEvent } from '../../src/shared/index.ts';
import { launchBrowser, openConsole, measureFps, tile, waitForVideo } from '../support/browser.ts';
import { fileBrightness, pageBrightness, type Rect } from '../support/picture.ts';
import { startGateway, type TestGateway } from '../support/gateway.ts';
import { request } from '../support/clients.ts';
import { vethNamespace } from '../support/netns.ts';
import { waitFor } from '../support/waitFor.ts';

/**
 * A headless edge node at a site: a network namespace ("the site") holds two RTSP cameras and
 * `npm run edge`, which reaches the central gateway over a veth pair; the gateway (policy relay)
 * and the operators' Chromium are outside. Both zones play on two consoles, and the gateway's
 * relay shows one stream in per camera whatever the number of operators.
 */
const ROOT = join(import.meta.dirname, '..', '..');
/** The site: a namespace behind a veth; the gateway listens on this machine's end (10.78.0.0/16). */
const site = vethNamespace('site', 78);
/** The top-left quarter of the gate's picture, and where to look inside and outside it. */
const MASK = [[0, 0], [0.5, 0], [0.5, 0.5], [0, 0.5]];
const INSIDE: Rect = [0.05, 0.08, 0.45, 0.45];
const OUTSIDE: Rect = [0.6, 0.6, 0.95, 0.95];

let gw: TestGateway;
let browser: Browser;
const processes: ChildProcess[] = [];
const dir = mkdtempSync(join(tmpdir(), 'vigil-edge-'));

/** A process inside the site's namespace, resolved once a line of its output matches `ready`. */
function inSite(command: string[], ready: RegExp): Promise<ChildProcess> {
  const child = spawn('ip', ['netns', 'exec', site.ns, ...command], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  processes.push(child);
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${command.join(' ')} did not start: ${output.slice(-2000)}`)), 20_000);
    const look = (chunk: Buffer) => {
      output += chunk.toString();
      if (ready.test(output)) {
        clearTimeout(timer);
        resolve(child);
      }
    };
    child.stdout!.on('data', look);
    child.stderr!.on('data', look);
    child.once('exit', (code) => reject(new Error(`${command.join(' ')} exited (${code}): ${output.slice(-2000)}`)));
  });
}

before(async () => {
  site.remove();
  site.create();
  // The gateway's HTTPS and relay on the veth: the site reaches nothing else of this machine.
  gw = await startGateway({ host: '0.0.0.0', media: { policy: 'relay', workers: 1, listenAddress: site.hostAddress } });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  // SIGTERM lets the edge node unpublish and stop its ffmpeg; whatever has not exited by its
  // bound is killed, so no process of the site outlives the namespace.
  await Promise.all(processes.map(async (child) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
    await exited;
    clearTimeout(timer);
  }));
  await gw?.close();
  site.remove();
  rmSync(dir, { recursive: true, force: true });
});

it('an edge node in a site namespace pulls two cameras and publishes each once; two operators outside watch both', async () => {
  const camera = (port: number, variant: string, ...options: string[]) => inSite(['/usr/bin/python3', join(ROOT, 'test/support/rtspCamera.py'), String(port), variant, ...options], /ready/);
  // The gate's ball on a lit ground: its detector sees a scene, and a mask has something to hide.
  const [, yard] = await Promise.all([camera(8554, 'high', '--lit'), camera(8555, 'baseline')]);
  const peerStates: string[] = [];
  gw.gateway.relayWorkers!.events.on('peer-state', (peer, state) => peerStates.push(`${Date.now() % 100000} ${peer} ${state}`));
  const key = await gw.createCameraKey('SITE-*', 'site edge');
  const config = join(dir, 'edge.yaml');
  writeFileSync(config, [
    `gateway: https://${site.hostAddress}:${gw.port}`,
    'insecure: true',
    `listenAddress: ${site.nsAddress}`,
    'cameras:',
    '  - { zone: SITE-GATE-01, name: Gate, url: "rtsp://127.0.0.1:8554/cam", detect: true }',
    '  - { zone: SITE-YARD-02, name: Yard, url: "rtsp://127.0.0.1:8555/cam", transport: udp }',
  ].join('\n'));
  // `npx vigil edge` (the documented command); the key comes from the environment (or --key), not the file.
  const edge = spawn('ip', ['netns', 'exec', site.ns, 'env', `VIGIL_EDGE_KEY=${key}`, process.execPath, 'scripts/vigil.mjs', 'edge', '--config', config], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  processes.push(edge);
  let edgeLog = '';
  edge.stdout!.on('data', (chunk: Buffer) => (edgeLog += chunk.toString()));
  edge.stderr!.on('data', (chunk: Buffer) => (edgeLog += chunk.toString()));
  await waitFor(async () => (await gw.gateway.presence.summaries()).filter((z) => z.zone.startsWith('SITE-') && z.cameraOnline).length === 2,
    'both site cameras published', { timeoutMs: 25_000, everyMs: 200 }).catch((error: unknown) => { throw new Error(`${(error as Error).message}\n${edgeLog.slice(-3000)}`); });

  const consoles = [await openConsole(browser, gw, ['SITE-GATE-01', 'SITE-YARD-02']), await openConsole(browser, gw, ['SITE-GATE-01', 'SITE-YARD-02'])];
  for (const { page } of consoles) {
    for (const zone of ['SITE-GATE-01', 'SITE-YARD-02']) {
      const shown = await waitForVideo(page, zone, 30_000).catch(async (error: unknown) => {
        const relay = JSON.stringify((await gw.gateway.relayWorkers!.stats()).flatMap((s) => s.zones));
        throw new Error(`${zone}: ${(error as Error).message}\nrelay: ${relay}\npeers: ${peerStates.join('; ')}\nedge: ${edgeLog.slice(-3000)}`);
      });
      assert.equal(shown.videoWidth, 640);
    }
  }
  const fps = await measureFps(consoles[0]!.page, 'SITE-GATE-01');
  assert.ok(fps >= 25, `the edge camera plays at ${fps.toFixed(1)} fps`);
  // One stream in per camera: the central relay has one publisher per zone and serves both operators.
  const zones = (await gw.gateway.relayWorkers!.stats()).flatMap((s) => s.zones).filter((z) => z.zone.startsWith('SITE-'));
  assert.deepEqual(zones.map((z) => [z.zone, z.publisher, z.subscribers]).sort(), [['SITE-GATE-01', 'webrtc', 2], ['SITE-YARD-02', 'webrtc', 2]]);
  assert.ok(!edgeLog.includes(key), 'the key is never logged');

  // The edge node reports each camera upstream: the admin page and the operators' directory name it and its status.
  const edgeReports = async () => (await gw.api('/api/cameras', { cookie: gw.admin.cookie })).json.edge as { zone: string; name: string; status: string; reason: string | null; key: string }[];
  assert.deepEqual((await edgeReports()).map((c) => [c.zone, c.name, c.status, c.key]), [['SITE-GATE-01', 'Gate', 'live', 'site edge'], ['SITE-YARD-02', 'Yard', 'live', 'site edge']]);
  const operator = await gw.connect('operator');
  const listed = (await request(operator, 'zone:list', {})) as unknown as { zones: { zone: string; ipCamera?: { name: string; status: string } }[] };
  assert.deepEqual(listed.zones.filter((z) => z.zone.startsWith('SITE-')).map((z) => [z.zone, z.ipCamera?.name, z.ipCamera?.status]), [['SITE-GATE-01', 'Gate', 'live'], ['SITE-YARD-02', 'Yard', 'live']]);
  // Each camera's directory thumbnail, decoded at the site from its latest keyframe and sent upstream.
  await waitFor(async () => (await gw.api('/api/thumbnails/SITE-GATE-01', { cookie: gw.admin.cookie })).status === 200, 'the site camera\'s thumbnail', { timeoutMs: 12_000, everyMs: 250 });
  assert.equal((await gw.gateway.cameras.thumbnails.get('SITE-GATE-01'))?.jpeg.subarray(0, 2).toString('hex'), 'ffd8', 'a JPEG');
  // A site camera that dies: the node notices (no video for 5 s), says so upstream with the reason, and the zone stays listed.
  yard!.kill('SIGKILL');
  await waitFor(async () => (await edgeReports()).some((c) => c.zone === 'SITE-YARD-02' && c.status !== 'live' && c.reason), 'the dead camera is reported upstream', { timeoutMs: 15_000, everyMs: 250 });
  const down = (await request(operator, 'zone:list', {})) as unknown as { zones: { zone: string; cameraOnline: boolean; ipCamera?: { status: string } }[] };
  const yardZone = down.zones.find((z) => z.zone === 'SITE-YARD-02');
  assert.ok(yardZone?.ipCamera && yardZone.ipCamera.status !== 'live' && !yardZone.cameraOnline, JSON.stringify(yardZone));
  // The gateway closes the site's connections (a drain, a restart): the node connects again by itself and publishes again.
  const gate = () => gw.gateway.presence.summaries().then((zones) => zones.find((z) => z.zone === 'SITE-GATE-01')?.cameraOnline === true);
  for (const socket of gw.gateway.signalling.io.of('/').sockets.values()) if (socket.data.role === 'camera') socket.disconnect(true);
  await waitFor(async () => !(await gate()), 'the site is disconnected', { timeoutMs: 5_000, everyMs: 100 });
  await waitFor(gate, 'the edge node publishes again by itself', { timeoutMs: 10_000, everyMs: 200 });
  await waitFor(async () => (await edgeReports()).some((c) => c.zone === 'SITE-GATE-01' && c.status === 'live'), 'and reports its camera again', { timeoutMs: 5_000, everyMs: 200 });
  operator.close();
  for (const { page } of consoles) await page.close();
});

it('the edge node detects and masks at the site: motion goes upstream, and a zone\'s masks are burned in before its video leaves', async () => {
  // Detection at the site (detect: true): the moving ball raised motion upstream, with the site's snapshot.
  let events: SceneEvent[] = [];
  await waitFor(async () => {
    events = (await gw.api('/api/events?zone=SITE-GATE-01', { cookie: gw.admin.cookie })).json.events as SceneEvent[];
    return events.some((e) => e.kind === 'motion' && e.hasSnapshot);
  }, 'motion from the edge node', { timeoutMs: 30_000, everyMs: 500 });
  assert.equal(events.find((e) => e.kind === 'motion')!.camera, 'Gate');
  const snapshot = await gw.api(`/api/events/${events.find((e) => e.kind === 'motion' && e.hasSnapshot)!.id}/snapshot`, { cookie: gw.admin.cookie });
  assert.deepEqual([snapshot.status, snapshot.bytes.subarray(0, 2).toString('hex')], [200, 'ffd8']);

  const { page } = await openConsole(browser, gw, ['SITE-GATE-01']);
  await waitForVideo(page, 'SITE-GATE-01', 30_000);
  const video = `${tile('SITE-GATE-01')} video`;
  await waitFor(async () => (await pageBrightness(page, video, INSIDE)) > 80, 'the gate visible before any mask', { timeoutMs: 10_000 });
  const maskedAt = Date.now();
  const set = await gw.api('/api/camera-profiles/SITE-GATE-01/masks', { method: 'PUT', cookie: gw.admin.cookie, body: { masks: [MASK] } });
  assert.equal(set.status, 200, set.body);
  await waitFor(async () => (await pageBrightness(page, video, INSIDE)) < 30, 'the masked quarter black at the operator', { timeoutMs: 15_000, everyMs: 100 });
  console.log(`# edge node mask applied at the operator ${Date.now() - maskedAt} ms after it was saved (the site's ffmpeg restarted with it)`);
  assert.ok(await pageBrightness(page, video, OUTSIDE) > 80, 'the rest still visible');
  // The site's next thumbnail is masked too (the one from before is not served again).
  let thumbnail: number[] = [];
  await waitFor(async () => {
    const got = await gw.api('/api/thumbnails/SITE-GATE-01', { cookie: gw.admin.cookie });
    if (got.status !== 200) return false;
    thumbnail = [...await fileBrightness(got.bytes, INSIDE), ...await fileBrightness(got.bytes, OUTSIDE)];
    return true;
  }, 'a thumbnail from the site again', { timeoutMs: 20_000, everyMs: 500 });
  assert.ok(thumbnail[0]! < 30 && thumbnail[1]! > 80, `the thumbnail masked (inside ${thumbnail[0]}, outside ${thumbnail[1]})`);
  await gw.api('/api/camera-profiles/SITE-GATE-01/masks', { method: 'PUT', cookie: gw.admin.cookie, body: { masks: [] } });
  await waitFor(async () => (await pageBrightness(page, video, INSIDE)) > 80, 'the quarter visible again', { timeoutMs: 15_000, everyMs: 100 });
  await page.close();
});
