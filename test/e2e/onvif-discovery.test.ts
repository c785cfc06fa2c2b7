import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchBrowser, signedInPage } from '../support/browser.ts';
import { startGateway, type TestGateway } from '../support/gateway.ts';
import { vethNamespace } from '../support/netns.ts';

/**
 * ONVIF discovery against WS-Discovery responders in a network namespace (the camera network),
 * reached over a veth: the gateway probes from the interface the admin picks, by multicast that
 * never leaves that link, and lists what answered; the admin page puts a found camera's address
 * in the ONVIF fields.
 */
const ROOT = join(import.meta.dirname, '..', '..');
const cams = vethNamespace('cams', 79);
let gw: TestGateway;
let browser: Browser;
const responders: ChildProcess[] = [];

function responder(xaddr: string, name: string, hardware: string): Promise<void> {
  const child = spawn('ip', ['netns', 'exec', cams.ns, process.execPath, '--import', 'tsx', join(ROOT, 'test/support/wsDiscoveryResponder.ts'), cams.nsAddress, xaddr, name, hardware], { stdio: ['ignore', 'pipe', 'pipe'] });
  responders.push(child);
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the responder did not start: ${output}`)), 15_000);
    const look = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('ready')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', look);
    child.stderr!.on('data', look);
  });
}

before(async () => {
  cams.remove();
  cams.create();
  // Two cameras on the namespace's one address (a camera per process, as they share port 3702 there).
  await Promise.all([
    responder(`http://${cams.nsAddress}:8080/onvif/device_service`, 'Gate dome', 'VTO-2000'),
    responder(`http://${cams.nsAddress}:8081/onvif/device_service http://[fd00::7]:8081/onvif/device_service`, 'Yard bullet', 'VTO 100'),
  ]);
  [gw, browser] = await Promise.all([startGateway(), launchBrowser()]);
});
after(async () => {
  await browser?.close();
  await gw?.close();
  for (const child of responders) child.kill('SIGTERM');
  cams.remove();
});

it('lists the ONVIF cameras that answer on the chosen interface; loopback, unknown and malformed interfaces and operators are refused', async () => {
  const interfaces = await gw.api('/api/cameras/interfaces', { cookie: gw.admin.cookie });
  assert.equal(interfaces.status, 200, interfaces.body);
  assert.ok((interfaces.json.interfaces as { name: string; address: string }[]).some((i) => i.name === cams.outside && i.address === cams.hostAddress));
  assert.ok(!(interfaces.json.interfaces as { name: string }[]).some((i) => i.name === 'lo'), 'never loopback');

  const found = await gw.api('/api/cameras/discover', { cookie: gw.admin.cookie, body: { interface: cams.outside } });
  assert.equal(found.status, 200, found.body);
  const cameras = (found.json.cameras as { host: string; port: number; name: string; hardware: string; location: string; urn: string }[]);
  assert.deepEqual(cameras.map((c) => [c.host, c.port, c.name, c.hardware, c.location]).sort(), [
    [cams.nsAddress, 8080, 'Gate dome', 'VTO-2000', 'city/Test'],
    [cams.nsAddress, 8081, 'Yard bullet', 'VTO 100', 'city/Test'],
  ]);
  assert.ok(cameras.every((c) => c.urn.startsWith('urn:uuid:')));

  const unknown = await gw.api('/api/cameras/discover', { cookie: gw.admin.cookie, body: { interface: 'nosuch0' } });
  assert.equal(unknown.status, 404);
  const invalid = await gw.api('/api/cameras/discover', { cookie: gw.admin.cookie, body: { interface: 'eth0; reboot' } });
  assert.equal(invalid.status, 400);
  const operator = await gw.addUser('disco-op', 'operator');
  assert.equal((await gw.api('/api/cameras/discover', { cookie: operator.cookie, body: { interface: cams.outside } })).status, 403);
});

it('the admin page discovers the cameras and fills in the ONVIF address of the one chosen', async () => {
  const { page } = await signedInPage(browser, gw, '/admin.html');
  await page.selectOption('#camera-discover-interface', cams.outside);
  await page.click('#camera-discover');
  const row = page.locator(`#camera-discovered [data-discovered="${cams.nsAddress}:8081"]`);
  await row.waitFor({ timeout: 10_000 });
  assert.match((await row.textContent()) ?? '', /Yard bullet · VTO 100 at .*:8081/);
  assert.equal(await page.locator('#camera-discovered li').count(), 2);
  await row.locator('button[data-action="use"]').click();
  assert.equal(await page.inputValue('#camera-onvif-host'), cams.nsAddress);
  assert.equal(await page.inputValue('#camera-onvif-port'), '8081');
  assert.equal(await page.inputValue('#camera-name'), 'Yard bullet');
  await page.close();
});
