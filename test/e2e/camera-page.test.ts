import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, before, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { addZone, launchBrowser, openConsole, openPage, resultsPath, signedInPage, startCamera, tile, waitForVideo } from '../support/browser.ts';
import { startGateway, type TestGateway } from '../support/gateway.ts';

let gw: TestGateway;
let browser: Browser;
before(async () => { gw = await startGateway(); browser = await launchBrowser(); });
after(async () => { await browser?.close(); await gw?.close(); });

const ZONE = 'GATE-03-N';
const stateOf = (page: import('playwright-core').Page) => page.$eval('#camera-state', (el) => ({ state: el.getAttribute('data-state'), text: el.textContent ?? '' }));

it('the camera page says what it publishes and as whom, and asks before anything that ends the feed', async () => {
  const key = await gw.createCameraKey('GATE-*', 'Gate 3 north');
  const camera = await startCamera(browser, gw, ZONE, { apiKey: key, source: 'test-pattern' });
  const { page } = camera;
  assert.equal(await page.title(), 'Vigil – Camera node');
  assert.equal(await page.textContent('h1'), 'Camera node');
  assert.equal(await page.$('#role-select'), null, 'no role switch on a camera page');
  // The key comes before the button that uses it.
  const order = await page.$$eval('#session-form input, #session-form button', (els) => els.map((el) => el.id));
  assert.ok(order.indexOf('api-key-input') < order.indexOf('init-session'), order.join(','));

  await page.waitForFunction(() => document.querySelector('#camera-state')?.getAttribute('data-state') === 'publishing');
  assert.equal((await stateOf(page)).text, `Publishing to ${ZONE} as Gate 3 north · no operator watching.`);

  const operator = await openConsole(browser, gw, [ZONE]);
  await waitForVideo(operator.page, ZONE);
  await page.waitForFunction(() => /1 operator watching/.test(document.querySelector('#camera-state')?.textContent ?? ''));
  await page.screenshot({ path: resultsPath('camera-page.png') });
  // Over the picture: a live clock and the round trip.
  await operator.page.waitForFunction((sel) => /^\d{2}:\d{2}:\d{2} · \d+ ms$/.test(document.querySelector(sel)?.textContent ?? ''), `${tile(ZONE)} .tile-clock`);
  // The operator sees the camera by its name: on the tile and in the directory, searchable and grouped.
  const item = operator.page.locator(`[data-directory-zone="${ZONE}"]`);
  await operator.page.waitForFunction((sel) => document.querySelector(sel)?.textContent === ' · Gate 3 north', `${tile(ZONE)} .tile-name`);
  assert.equal(await item.getAttribute('data-status'), 'live');
  assert.equal(await item.locator('.directory-zone').textContent(), 'Gate 3 north');
  await operator.page.fill('#directory-search', 'gate 3');
  assert.equal(await item.count(), 1);
  await operator.page.fill('#directory-search', 'no-such-camera');
  await operator.page.waitForSelector('#zone-directory .directory-empty');
  assert.equal(await operator.page.textContent('#zone-directory'), 'No camera matches the search');
  await operator.page.fill('#directory-search', '');
  assert.ok((await operator.page.$$eval('#directory-group option', (os) => os.map((o) => o.textContent))).includes('GATE'));
  // Its thumbnail, sent by the camera node itself every few seconds (no connection of the operator's).
  await operator.page.waitForFunction((zone) => {
    const img = document.querySelector(`img.directory-thumb[data-zone="${zone}"]`);
    return img instanceof HTMLImageElement && img.complete && img.naturalWidth === 192;
  }, ZONE, { timeout: 12_000 });

  // A still of the tile: the file the browser saves is the one whose SHA-256 the trail recorded first.
  const [download] = await Promise.all([operator.page.waitForEvent('download'), operator.page.click(`${tile(ZONE)} [data-action="snapshot"]`)]);
  assert.match(download.suggestedFilename(), new RegExp(`^${ZONE} \\d{4}-\\d{2}-\\d{2}T\\d{2}-\\d{2}-\\d{2}Z\\.png$`));
  const saved = readFileSync((await download.path())!);
  const still = (await gw.api('/api/audit?kind=view.snapshot', { cookie: gw.admin.cookie })).json.entries[0];
  assert.deepEqual([still.zone, still.actor, still.detail.sha256, still.detail.width], [ZONE, 'admin', createHash('sha256').update(saved).digest('hex'), 1280]);

  // Stop publishing asks; Keep publishing (the default, focused) keeps the feed.
  await page.click('#init-session');
  const dialog = page.locator('dialog[data-dialog="stop-publishing"]');
  await dialog.waitFor();
  assert.match((await dialog.textContent()) ?? '', new RegExp(`Stop publishing ${ZONE}\\?.*1 operator watching lose the picture`));
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-action')), 'cancel', 'the safe answer has the focus');
  await dialog.locator('[data-action="cancel"]').click();
  await dialog.waitFor({ state: 'detached' });
  assert.equal((await stateOf(page)).state, 'publishing');
  await waitForVideo(operator.page, ZONE, 2_000);

  // Esc is a no too; so is leaving for the Control Centre, until confirmed.
  await page.click('#control-centre-link');
  await dialog.waitFor();
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' });
  assert.match(page.url(), /\/camera\.html/, 'still on the camera page');
  assert.equal((await stateOf(page)).state, 'publishing');

  await page.click('#init-session');
  await dialog.locator('[data-action="confirm"]').click();
  await page.waitForFunction(() => document.querySelector('#camera-state')?.getAttribute('data-state') === 'idle');
  assert.equal(await page.textContent('#init-session'), 'Start publishing');
  await operator.page.waitForFunction((sel) => document.querySelector(sel)?.getAttribute('data-state') !== 'live', tile(ZONE), { timeout: 3_000 });
  await operator.page.waitForSelector(`[data-directory-zone="${ZONE}"][data-status="offline"]`);
  assert.match((await item.textContent()) ?? '', /offline since \d{2}:\d{2}/);
  assert.deepEqual(camera.errors, []);
  await Promise.all([camera.context.close(), operator.context.close()]);
});

it('an admin names and places the camera on the admin page; the directory shows it so, grouped and searchable by place', async () => {
  const { page: admin, errors } = await signedInPage(browser, gw, '/admin.html');
  await admin.waitForSelector(`#profiles-body tr[data-zone="${ZONE}"]`);
  assert.match((await admin.textContent(`#profiles-body tr[data-zone="${ZONE}"]`)) ?? '', /Gate 3 north \(key label\)/);
  await admin.fill('#profile-zone', ZONE);
  await admin.fill('#profile-name', 'North gate');
  await admin.fill('#profile-location', 'Harbour Rd & 3rd St');
  await admin.fill('#profile-group', 'Harbour');
  await admin.fill('#profile-latitude', '91');
  await admin.fill('#profile-longitude', '0');
  await admin.click('#profile-form button[type="submit"]');
  await admin.waitForSelector('#admin-alert[data-code="PAYLOAD_INVALID"]', { state: 'visible' });
  await admin.fill('#profile-latitude', '-33.8568');
  await admin.fill('#profile-longitude', '151.2153');
  await admin.click('#profile-form button[type="submit"]');
  await admin.waitForFunction(() => document.querySelector('#admin-alert .alert-text')?.textContent === 'GATE-03-N saved.');
  const row = admin.locator(`#profiles-body tr[data-zone="${ZONE}"]`);
  await admin.waitForFunction((zone) => document.querySelector(`#profiles-body tr[data-zone="${zone}"]`)?.textContent?.includes('North gate'), ZONE);
  assert.match((await row.textContent()) ?? '', /North gate.*Harbour Rd & 3rd St · -33\.85680, 151\.21530.*Harbour/);
  await row.locator('[data-action="edit"]').click();
  assert.equal(await admin.inputValue('#profile-name'), 'North gate', 'Edit fills the form');

  const { page, context } = await signedInPage(browser, gw, '/?zones=');
  const item = page.locator(`[data-directory-zone="${ZONE}"]`);
  await item.waitFor();
  assert.equal(await item.locator('.directory-zone').textContent(), 'North gate');
  assert.equal(await item.locator('.directory-place').textContent(), `${ZONE} · Harbour Rd & 3rd St`);
  await page.selectOption('#directory-group', 'Harbour');
  assert.equal(await item.count(), 1);
  await page.fill('#directory-search', 'harbour rd');
  assert.equal(await item.count(), 1, 'found by its place');
  assert.deepEqual(errors, []);
  await Promise.all([context.close(), admin.close()]);
});

it('a long shift: a grant about to end is said ahead; with the sound on, a camera on the wall going down sounds', async () => {
  const vera = await gw.addUser('vera', 'operator');
  await gw.grant(vera.id, 'SHIFT-*', new Date(Date.now() + 10 * 60_000).toISOString());
  const camera = await startCamera(browser, gw, 'SHIFT-CAM-01', { source: 'test-pattern' });
  const { page, context } = await openConsole(browser, gw, ['SHIFT-CAM-01'], vera);
  await page.waitForSelector('#console-alert[data-code="GRANT_EXPIRING"]', { state: 'visible' });
  assert.match((await page.textContent('#console-alert .alert-text')) ?? '', /^Your access to SHIFT-\* ends at \d{2}:\d{2}; its tiles close then\./);
  await waitForVideo(page, 'SHIFT-CAM-01');
  // A mistyped zone says so on its tile instead of waiting in silence.
  await addZone(page, 'SHIFT-CMA-01');
  await page.waitForFunction((sel) => /No camera has ever published this zone: check its spelling\./.test(document.querySelector(sel)?.textContent ?? ''), `${tile('SHIFT-CMA-01')} .tile-message`);
  assert.equal(await page.getAttribute('[data-directory-zone="SHIFT-CMA-01"]', 'data-status'), 'never_seen');
  assert.equal(await page.getAttribute('#sound-toggle', 'aria-pressed'), 'false', 'silent unless turned on');
  await page.click('#sound-toggle');
  assert.equal(await page.getAttribute('#sound-toggle', 'aria-pressed'), 'true');
  await camera.context.close();
  await page.waitForSelector('#sound-toggle[data-played="1"]', { timeout: 5_000 });
  await page.reload();
  assert.equal(await page.getAttribute('#sound-toggle', 'aria-pressed'), 'true', 'remembered in this browser');
  await context.close();
});

it('on a phone the zone, the key and the button come first, then the picture, with no sideways scroll', async () => {
  const { page, context } = await openPage(browser, `${gw.url}/camera.html?zone=${ZONE}`, [], { width: 390, height: 844 });
  const bottom = async (selector: string) => { const box = await page.locator(selector).boundingBox(); return box ? box.y + box.height : Infinity; };
  for (const selector of ['#zone-input', '#api-key-input', '#init-session']) assert.ok((await bottom(selector)) <= 844, `${selector} above the fold`);
  assert.ok((await page.locator('#local-video').boundingBox())!.y > (await page.locator('#init-session').boundingBox())!.y);
  assert.equal(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), true);
  await context.close();
});
