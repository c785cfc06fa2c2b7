import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { PTZ_TIMING } from '../../src/shared/index.ts';
import { auditEntries } from '../support/access.ts';
import { launchBrowser, openConsole, tile, waitForVideo } from '../support/browser.ts';
import { request } from '../support/clients.ts';
import { startGateway, type TestGateway, type TestUser } from '../support/gateway.ts';
import { startOnvifCamera, TEST_PRESETS, type OnvifCamera, type PtzCall } from '../support/onvifCamera.ts';
import { startRtspCamera, type RtspCamera } from '../support/rtspCamera.ts';
import { waitFor } from '../support/waitFor.ts';

/**
 * Camera control (PTZ) of an ONVIF camera from the console tile, end to end: a real RTSP stream on
 * the wall, the camera's SOAP side from the test responder (which checks WS-Security digests and
 * records every PTZ command), the control right enforced by the gateway on the live connection.
 */
const ROOT = join(import.meta.dirname, '..', '..');
const ZONE = 'PTZ-DOME-01';
let gw: TestGateway;
let browser: Browser;
let rtsp: RtspCamera;
let onvif: OnvifCamera;
let steerer: TestUser;
let watcher: TestUser;

const calls = (action: PtzCall['action']) => onvif.ptz.filter((c) => c.action === action);

before(async () => {
  rtsp = await startRtspCamera('baseline');
  onvif = await startOnvifCamera({ username: 'ptz', password: 'ptz-secret', streamUri: rtsp.url });
  gw = await startGateway({ media: { policy: 'auto', workers: 1 } });
  const added = await gw.api('/api/cameras', {
    cookie: gw.admin.cookie,
    body: { zone: ZONE, name: 'Dome 1', url: rtsp.url, username: 'ptz', password: 'ptz-secret', onvif: { host: onvif.host, port: onvif.port, profile: 'main' } },
  });
  assert.equal(added.status, 201, added.body);
  assert.equal(added.json.camera.kind, 'onvif');
  [steerer, watcher] = await Promise.all([gw.addUser('steerer', 'operator'), gw.addUser('watcher', 'operator', ['PTZ-*'])]);
  const granted = await gw.api('/api/grants', { cookie: gw.admin.cookie, body: { userId: steerer.id, pattern: 'PTZ-*', control: true } });
  assert.equal(granted.status, 201, granted.body);
  assert.equal(granted.json.grant.control, true);
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await gw?.close();
  await Promise.all([onvif?.close(), rtsp?.stop()]);
});

it('an operator with the control right steers the camera from its tile: held moves repeat, letting go stops, presets go', async () => {
  const { page } = await openConsole(browser, gw, [ZONE], steerer);
  await waitForVideo(page, ZONE, 30_000);
  const right = page.locator(`${tile(ZONE)} [data-ptz="right"]`);
  await right.waitFor({ timeout: 10_000 });
  await right.hover();
  await page.mouse.down();
  // Held until the console has repeated the move twice: a hold, not a click.
  await waitFor(() => calls('ContinuousMove').length >= 3, 'the held move is repeated', { timeoutMs: PTZ_TIMING.repeatMs * 10 });
  assert.equal(calls('Stop').length, 0, 'no stop while the button is held');
  await page.mouse.up();
  await waitFor(() => calls('Stop').length === 1, 'the camera is stopped when the button is let go', { timeoutMs: 5_000 });
  const moves = calls('ContinuousMove');
  assert.ok(moves.length >= 3, `the held move is repeated (${moves.length} moves)`);
  for (const move of moves) assert.deepEqual(move, { action: 'ContinuousMove', profile: 'main', pan: 0.5, tilt: 0, zoom: 0, timeout: `PT${PTZ_TIMING.moveMs / 1000}S` });

  const presets = page.locator(`${tile(ZONE)} [data-ptz="preset"]`);
  assert.deepEqual(await presets.locator('option').allTextContents(), ['Preset…', ...TEST_PRESETS.map((p) => p.name)]);
  await presets.selectOption('p2');
  await waitFor(() => calls('GotoPreset').length === 1, 'the camera goes to the preset', { timeoutMs: 5_000 });
  assert.equal((calls('GotoPreset')[0] as { preset?: string } | undefined)?.preset, 'p2');
  assert.ok(onvif.requests.filter((r) => r.action !== 'GetSystemDateAndTime').every((r) => r.authenticated), 'every SOAP call carried a valid digest');

  // One audit entry per move (not per repeat), per stop, per preset; each names the operator.
  const audited = (await auditEntries(gw, 'camera.ptz')).filter((e) => e.actor === 'steerer').map((e) => [e.outcome, e.zone, (e.detail as { action: string }).action]);
  assert.deepEqual(audited.sort(), [['ok', ZONE, 'move'], ['ok', ZONE, 'preset'], ['ok', ZONE, 'stop']]);
  await page.close();
});

it('an operator who may only watch gets no controls, and a crafted command is refused on the server and audited', async () => {
  const { page } = await openConsole(browser, gw, [ZONE], watcher);
  await waitForVideo(page, ZONE, 30_000);
  // The console asked (the directory says the camera can be steered) and was refused: its denial is in the trail.
  await waitFor(async () => (await auditEntries(gw, 'camera.ptz')).some((e) => e.actor === 'watcher' && e.outcome === 'denied'), 'the refused ask is audited');
  assert.equal(await page.locator(`${tile(ZONE)} [data-ptz-pad]`).count(), 0, 'no PTZ controls for a watch-only grant');
  await page.close();

  const socket = await gw.connect('operator', { cookie: watcher.cookie });
  const before = onvif.ptz.length;
  for (const [event, payload] of [['ptz:move', { zone: ZONE, pan: 1 }], ['ptz:stop', { zone: ZONE }], ['ptz:preset', { zone: ZONE, preset: 'p1' }]] as const) {
    const reply = await request(socket, event, payload);
    assert.equal(!reply.ok && reply.error.code, 'CONTROL_FORBIDDEN', event);
  }
  assert.equal(onvif.ptz.length, before, 'the camera heard nothing');
  const other = await request(socket, 'ptz:move', { zone: 'PARK-01', pan: 1 });
  assert.equal(!other.ok && other.error.code, 'ZONE_FORBIDDEN', 'outside its grants altogether');
  const injected = await request(socket, 'ptz:preset', { zone: ZONE, preset: '</PresetToken><x>' });
  assert.equal(!injected.ok && injected.error.code, 'PAYLOAD_INVALID', 'a preset token cannot carry XML into the camera\'s SOAP');
  socket.close();
});

it('a console that goes mid-move stops the camera; a flood of commands is limited; a camera without ONVIF cannot be steered', async () => {
  const socket = await gw.connect('operator', { cookie: steerer.cookie });
  const stops = calls('Stop').length;
  assert.equal((await request(socket, 'ptz:move', { zone: ZONE, tilt: -0.25, zoom: 0.5 })).ok, true);
  socket.close();
  await waitFor(() => calls('Stop').length === stops + 1, 'the camera is stopped when the connection goes', { timeoutMs: 3_000 });

  const flooding = await gw.connect('operator', { cookie: steerer.cookie });
  const replies = await Promise.all(Array.from({ length: 40 }, () => request(flooding, 'ptz:presets', { zone: ZONE }, 10_000)));
  const limited = replies.filter((r) => !r.ok && r.error.code === 'RATE_LIMITED').length;
  assert.ok(limited >= 15 && limited < 40, `${limited} of 40 refused`);
  const ok = replies.find((r) => r.ok) as { presets: unknown } | undefined;
  assert.deepEqual(ok?.presets, TEST_PRESETS);
  flooding.close();

  const admin = await gw.connect('operator');
  const none = await request(admin, 'ptz:presets', { zone: 'PTZ-NONE-02' });
  assert.equal(!none.ok && none.error.code, 'PTZ_UNAVAILABLE');
  admin.close();
});

/** The CLI in its own process (the camera's responder lives in this one, so never spawnSync). */
function cli(...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/server/cli/vigil.ts'), 'camera', 'ptz', '1', ...args, '--data-dir', gw.dataDir]);
  let [stdout, stderr] = ['', ''];
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on('close', (status) => resolve({ status, stdout, stderr })));
}

it('vigil camera ptz steers the camera from the host, audited as the CLI', async () => {
  const listed = await cli('presets');
  assert.equal(listed.status, 0, listed.stderr);
  assert.match(listed.stdout, /p2\s+Car park/);
  const [moves, stops] = [calls('ContinuousMove').length, calls('Stop').length];
  const moved = await cli('move', '0', '0.3', '--for', '1');
  assert.equal(moved.status, 0, moved.stderr);
  assert.ok(calls('ContinuousMove').length - moves >= 2, 'repeated while it lasts');
  assert.equal(calls('Stop').length, stops + 1, 'then stopped');
  assert.equal((await cli('move', '0', '3')).status, 2, 'speeds are -1…1');
  assert.equal((await cli('preset', 'p1')).status, 0);
  const audited = (await auditEntries(gw, 'camera.ptz')).filter((e) => e.actor === 'cli').map((e) => (e.detail as { action: string }).action);
  assert.deepEqual(audited.sort(), ['move', 'preset']);
  assert.equal((calls('GotoPreset').at(-1) as { preset?: string } | undefined)?.preset, 'p1');
});
