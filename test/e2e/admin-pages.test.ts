import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, openConsole, signedInPage, startCamera, waitForVideo } from '../support/browser.ts';
import { startGateway, type TestGateway } from '../support/gateway.ts';
import { mediaRequest } from '../support/whipWhep.ts';
import { startOnvifCamera } from '../support/onvifCamera.ts';
import { startRtspCamera } from '../support/rtspCamera.ts';

let gw: TestGateway;
let browser: Browser;
before(async () => { gw = await startGateway(); browser = await launchBrowser(); });
after(async () => { await browser?.close(); await gw?.close(); });

async function submit(page: Page, form: string, fields: Record<string, string>): Promise<void> {
  for (const [selector, value] of Object.entries(fields)) {
    if (await page.$eval(selector, (el) => el.tagName === 'SELECT')) await page.selectOption(selector, value);
    else await page.fill(selector, value);
  }
  await page.click(`${form} button[type="submit"]`);
}

it('the admin pages: add a person, grant a zone, create a camera key that publishes, revoke the key live', async () => {
  const { page: admin, errors } = await signedInPage(browser, gw, '/admin.html');
  await admin.waitForSelector('tr[data-user="admin"]');

  await submit(admin, '#user-form', { '#user-name': 'petra', '#user-password': 'short', '#user-role': 'operator' });
  await admin.waitForSelector('#admin-alert[data-code="PAYLOAD_INVALID"]', { state: 'visible' });
  await submit(admin, '#user-form', { '#user-name': 'petra', '#user-password': 'petra-long-password', '#user-role': 'operator' });
  await admin.waitForSelector('tr[data-user="petra"]');

  await submit(admin, '#grant-form', { '#grant-user': await admin.$eval('#grant-user option', (o) => (o as HTMLOptionElement).value), '#grant-pattern': 'dock-*' });
  await admin.waitForSelector('#grants-body tr[data-user="petra"]');
  assert.match((await admin.textContent('#grants-body')) ?? '', /DOCK-\*/);

  await submit(admin, '#key-form', { '#key-label': 'Dock gate', '#key-pattern': 'DOCK-*' });
  await admin.waitForSelector('#key-secret-box', { state: 'visible' });
  const secret = await admin.inputValue('#key-secret');
  assert.match(secret, /^vk_[A-Za-z0-9_-]{43}$/);
  assert.equal((await admin.textContent('#keys-body'))?.includes(secret), false, 'the list shows a prefix, never the key');
  await admin.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  await admin.click('#key-secret-copy');
  await admin.waitForFunction(() => document.querySelector('#key-secret-copy')?.textContent === 'Copied');
  assert.equal(await admin.evaluate(() => navigator.clipboard.readText()), secret, 'Copy puts the key on the clipboard');

  const camera = await startCamera(browser, gw, 'DOCK-GATE-01', { apiKey: secret });
  const petra = await openConsole(browser, gw, ['DOCK-GATE-01'], { username: 'petra', password: 'petra-long-password' });
  await waitForVideo(petra.page, 'DOCK-GATE-01');

  await admin.reload();
  // Two clicks: the first only asks; the camera goes on.
  await admin.click('tr[data-label="Dock gate"] [data-action="revoke"]');
  assert.equal(await admin.getAttribute('tr[data-label="Dock gate"] [data-action="revoke"]', 'data-confirming'), 'true');
  assert.equal(await admin.textContent('tr[data-label="Dock gate"] [data-action="revoke"]'), 'Confirm revoke?');
  await waitForVideo(petra.page, 'DOCK-GATE-01', 2_000);
  await admin.click('tr[data-label="Dock gate"] [data-action="revoke"]');
  await camera.page.waitForSelector('#camera-alert[data-code="KEY_REVOKED"]', { state: 'visible', timeout: 2_000 });
  await camera.page.waitForFunction(() => document.querySelector('#status-pill')?.textContent?.trim() === 'DISCONNECTED');
  await petra.page.waitForFunction(() => document.querySelector('.tile[data-zone="DOCK-GATE-01"]')?.getAttribute('data-state') !== 'live', undefined, { timeout: 3_000 });
  assert.equal(await camera.page.inputValue('#api-key-input'), '', 'a revoked key is forgotten by the camera page');
  assert.deepEqual(errors, []);
});

it('the admin page makes a WHEP token that is shown once and admits a player, and revokes it', async () => {
  const { page: admin, errors } = await signedInPage(browser, gw, '/admin.html');
  await admin.waitForSelector('tr[data-user="admin"]');
  await submit(admin, '#token-form', { '#token-kind': 'viewer', '#token-label': 'Wall 2', '#token-pattern': 'dock-*', '#token-expiry': '' });
  await admin.waitForSelector('#admin-alert[data-code="PAYLOAD_INVALID"]', { state: 'visible' });
  const tomorrow = new Date(Date.now() + 86_400_000);
  const local = new Date(tomorrow.getTime() - tomorrow.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
  await submit(admin, '#token-form', { '#token-kind': 'viewer', '#token-label': 'Wall 2', '#token-pattern': 'dock-*', '#token-expiry': local });
  await admin.waitForSelector('#token-secret-box', { state: 'visible' });
  const secret = await admin.inputValue('#token-secret');
  assert.match(secret, /^whep_[A-Za-z0-9_-]{43}$/);
  await admin.waitForSelector('#tokens-body tr[data-label="Wall 2"]');
  const row = (await admin.textContent('#tokens-body tr[data-label="Wall 2"]')) ?? '';
  assert.match(row, /player \(WHEP\)/);
  assert.match(row, /DOCK-\*/);
  assert.equal(row.includes(secret), false, 'the list shows a prefix, never the token');

  // The token is accepted (the request fails later, on its empty offer), then refused once revoked.
  const offer = { token: secret, body: 'not an offer' };
  assert.notEqual((await mediaRequest(`${gw.url}/whep/DOCK-GATE-02`, offer)).status, 401);
  await admin.click('tr[data-label="Wall 2"] [data-action="revoke"]');
  await admin.click('tr[data-label="Wall 2"] [data-action="revoke"]');
  await admin.waitForFunction(() => /revoked/.test(document.querySelector('#tokens-body tr[data-label="Wall 2"]')?.textContent ?? ''));
  const refused = await mediaRequest(`${gw.url}/whep/DOCK-GATE-02`, offer);
  assert.equal(refused.status, 401);
  assert.equal(refused.json.error.code, 'TOKEN_REVOKED');
  assert.deepEqual(errors, []);
});

it('a new admin adds an IP camera in the admin page (found over ONVIF, tested, added, live) and watches it on the wall, in well under a minute', async () => {
  const rtsp = await startRtspCamera('high', { user: 'onvif', password: 'cam-pass-1234' });
  const onvif = await startOnvifCamera({ username: 'onvif', password: 'cam-pass-1234', streamUri: rtsp.url });
  try {
    const started = Date.now();
    const { page: admin, errors } = await signedInPage(browser, gw, '/admin.html');
    await admin.fill('#camera-onvif-host', onvif.host);
    await admin.fill('#camera-onvif-port', String(onvif.port));
    await admin.fill('#camera-user', 'onvif');
    await admin.fill('#camera-password', 'cam-pass-1234');
    await admin.click('#camera-onvif');
    await admin.waitForSelector('#camera-test-result[data-status="onvif"]', { timeout: 10_000 });
    assert.equal(await admin.inputValue('#camera-url'), rtsp.url, 'ONVIF filled in the stream URL');
    assert.match((await admin.textContent('#camera-test-result')) ?? '', /Vigil Test Optics VTO-2000: mainStream 1280×720 H264/);
    await admin.fill('#camera-password', 'wrong-password');
    await admin.click('#camera-test');
    await admin.waitForSelector('#camera-test-result[data-status="auth_failed"]');
    await admin.fill('#camera-password', 'cam-pass-1234');
    await admin.click('#camera-test');
    await admin.waitForSelector('#camera-test-result[data-status="live"]', { timeout: 15_000 });
    assert.match((await admin.textContent('#camera-test-result')) ?? '', /h264 High 640×360 30 fps, GOP 2 s: plays as sent/);
    await submit(admin, '#camera-form', { '#camera-zone': 'yard-cam-01', '#camera-name': 'Yard' });
    await admin.waitForSelector('#cameras-body tr[data-zone="YARD-CAM-01"][data-status="live"]', { timeout: 20_000 });
    assert.equal(await admin.inputValue('#camera-password'), '', 'the form is cleared');
    assert.ok(!((await admin.content()).includes('cam-pass-1234')), 'the page never shows the password back');
    const added = ((await gw.api('/api/cameras', { cookie: gw.admin.cookie })).json.cameras as { zone: string; kind: string; onvif: unknown }[]).find((c) => c.zone === 'YARD-CAM-01');
    assert.deepEqual([added?.kind, added?.onvif], ['onvif', { host: onvif.host, port: onvif.port, profile: 'main' }], 'added with the ONVIF endpoint it was found at');
    const { page: wall } = await openConsole(browser, gw, ['YARD-CAM-01']);
    await waitForVideo(wall, 'YARD-CAM-01');
    // An admin may steer any camera: the tile of an ONVIF camera with PTZ carries the controls.
    await wall.locator('.tile[data-zone="YARD-CAM-01"] [data-ptz="up"]').waitFor({ timeout: 10_000 });
    const tookMs = Date.now() - started;
    assert.ok(tookMs < 60_000, `from the admin page to video on the wall in ${tookMs} ms`);
    assert.deepEqual(errors, []);
    await admin.click('#cameras-body tr[data-zone="YARD-CAM-01"] button[data-action="remove"]');
    await admin.click('#cameras-body tr[data-zone="YARD-CAM-01"] button[data-action="remove"]');
    await admin.waitForSelector('#cameras-body tr[data-zone="YARD-CAM-01"]', { state: 'detached' });
    await wall.close();
    await admin.close();
  } finally {
    await Promise.all([rtsp.stop(), onvif.close()]);
  }
});

it('an admin unlocks an account that failed sign-ins locked, and sets a password in a dialog that checks it', async () => {
  const tomas = await gw.addUser('tomas', 'operator');
  const login = (password: string, from: string) => gw.api('/api/auth/login', { body: { username: 'tomas', password }, localAddress: from });
  // Five wrong guesses from each of two addresses: the account itself is locked, everywhere.
  for (const from of ['127.0.13.1', '127.0.13.2']) for (let i = 0; i < 5; i++) assert.equal((await login(`wrong-guess-${i}-long`, from)).status, 401);
  assert.equal((await login(tomas.password, '127.0.13.3')).status, 429, 'locked: the right password is refused too');

  const { page: admin, errors } = await signedInPage(browser, gw, '/admin.html');
  const row = 'tr[data-user="tomas"]';
  await admin.waitForSelector(`${row}[data-locked="true"]`);
  assert.match((await admin.textContent(row)) ?? '', /locked until \d{2}\/\d{2}\/\d{4}, \d{2}:\d{2}:\d{2}/);
  assert.match((await admin.getAttribute(`${row} time`, 'title')) ?? '', /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC$/, 'UTC on hover');
  await admin.click(`${row} [data-action="unlock"]`);
  await admin.waitForSelector('#admin-alert[data-code="DONE"]', { state: 'visible' });
  assert.equal(await admin.textContent('#admin-alert .alert-text'), 'tomas can sign in again.');
  await admin.waitForSelector(`${row}[data-locked="false"]`);
  assert.equal((await login(tomas.password, '127.0.13.1')).status, 200, 'unlocked, even from an address that had spent its own tries');
  const unlocked = (await gw.api('/api/audit?kind=user.unlocked', { cookie: gw.admin.cookie })).json.entries;
  assert.deepEqual([unlocked[0]?.actor, unlocked[0]?.detail.user], ['admin', 'tomas']);
  assert.ok(unlocked[0].detail.addresses >= 2, 'both addresses it was guessed from were cleared');
  const asOperator = await gw.api(`/api/users/${tomas.id}/unlock`, { method: 'POST', cookie: tomas.cookie });
  assert.equal(asOperator.status, 403, 'only an admin unlocks');

  // The password dialog: too short and a mismatch are said in the dialog, which stays open.
  await admin.click(`${row} [data-action="password"]`);
  const dialog = admin.locator('dialog[data-dialog="set-password"]');
  await dialog.waitFor();
  const [first, second] = [dialog.locator('input').nth(0), dialog.locator('input').nth(1)];
  await first.fill('short');
  await second.fill('short');
  await dialog.locator('[data-action="confirm"]').click();
  assert.equal(await dialog.locator('[data-field="password"]').textContent(), 'At least 12 characters.');
  await first.fill('a-new-long-password-1');
  await second.fill('a-new-long-password-2');
  await dialog.locator('[data-action="confirm"]').click();
  assert.equal(await dialog.locator('[data-field="password"]').textContent(), 'The two passwords differ.');
  await second.fill('a-new-long-password-1');
  await dialog.locator('[data-action="confirm"]').click();
  await dialog.waitFor({ state: 'detached' });
  await admin.waitForFunction(() => document.querySelector('#admin-alert .alert-text')?.textContent === 'Password of tomas set; their sessions ended.');
  assert.equal((await login('a-new-long-password-1', '127.0.13.4')).status, 200);
  assert.equal((await login(tomas.password, '127.0.13.4')).status, 401, 'the old password no longer works');
  assert.deepEqual(errors, []);
  await admin.close();
});

it('the audit page lists what happened, filters by kind, and verifies the chain', async () => {
  const { page } = await signedInPage(browser, gw, '/audit.html');
  await page.waitForSelector('#audit-body tr[data-kind="key.revoked"]');
  await page.selectOption('#filter-kind', 'login.success');
  await page.click('#audit-filter button[type="submit"]');
  await page.waitForFunction(() => [...document.querySelectorAll('#audit-body tr')].every((tr) => tr.getAttribute('data-kind') === 'login.success'));
  assert.match(await page.getAttribute('#export-csv', 'href') ?? '', /kind=login.success/);
  // The export is what is on screen: a sign-in after the page loaded is not in it.
  const shown = await page.locator('#audit-body tr').count();
  await gw.login(gw.admin.username, gw.admin.password);
  const csv = await page.evaluate(async (href) => (await fetch(href!)).text(), await page.getAttribute('#export-csv', 'href'));
  const lines = csv.trim().split('\r\n');
  assert.equal(lines.length - 1, shown, `${shown} rows on screen, ${lines.length - 1} in the CSV`);
  assert.ok(lines.slice(1).every((line) => line.includes(',"login.success",')), lines.slice(0, 3).join('\n'));

  // Details read as name and value; the JSON stays on hover.
  await page.selectOption('#filter-kind', 'login.failure');
  await page.click('#audit-filter button[type="submit"]');
  await page.waitForFunction(() => document.querySelector('#audit-body tr')?.getAttribute('data-kind') === 'login.failure');
  assert.equal(await page.textContent('#audit-body tr:first-child .audit-detail .audit-key'), 'reason');
  assert.match((await page.textContent('#audit-body tr:first-child .audit-detail')) ?? '', /reason (wrong_password|rate_limited)/);
  assert.match((await page.getAttribute('#audit-body tr:first-child .audit-detail', 'title')) ?? '', /^\{"reason":/);

  // Nothing found says so, and there is nothing to export.
  await page.fill('#filter-actor', 'nobody-at-all');
  await page.click('#audit-filter button[type="submit"]');
  await page.waitForSelector('#audit-body tr[data-empty="true"]');
  assert.equal(await page.textContent('#audit-body'), 'No entries match these filters.');
  assert.equal(await page.getAttribute('#export-csv', 'aria-disabled'), 'true');
  await page.click('#verify-chain');
  await page.waitForSelector('#verify-result[data-ok="true"]');
  assert.match((await page.textContent('#verify-result')) ?? '', /Chain intact: \d+ entries verified/);
});

it('an auditor gets the audit page and no console; an operator gets no admin page', async () => {
  await gw.addUser('quinn', 'auditor');
  const auditor = await signedInPage(browser, gw, '/audit.html', { username: 'quinn', password: 'quinn-password-long-enough' });
  await auditor.page.goto(`${gw.url}/`);
  assert.match(auditor.page.url(), /\/audit\.html$/);
  await gw.addUser('rosa', 'operator');
  const operator = await signedInPage(browser, gw, '/', { username: 'rosa', password: 'rosa-password-long-enough' });
  await operator.page.goto(`${gw.url}/admin.html`);
  assert.equal(new URL(operator.page.url()).pathname, '/');
});
