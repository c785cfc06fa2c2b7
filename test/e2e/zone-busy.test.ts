import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchBrowser, openConsole, openPage, pillText, startCamera, waitForVideo } from '../support/browser.ts';
import { startGateway, type TestGateway } from '../support/gateway.ts';

const ZONE = 'STATION-NORTH-05';
let gw: TestGateway;
let browser: Browser;
before(async () => { gw = await startGateway(); browser = await launchBrowser(); });
after(async () => { await browser?.close(); await gw?.close(); });

it('a second camera on a busy zone is refused with ZONE_BUSY and the first keeps streaming', async () => {
  await startCamera(browser, gw, ZONE);
  const operator = await openConsole(browser, gw, [ZONE]);
  await waitForVideo(operator.page, ZONE);

  const intruder = await openPage(browser, `${gw.url}/camera.html?zone=${ZONE}`);
  await intruder.page.fill('#api-key-input', await gw.createCameraKey(ZONE, 'intruder'));
  await intruder.page.click('#init-session');
  await intruder.page.waitForSelector('#camera-alert[data-code="ZONE_BUSY"]', { state: 'visible' });
  assert.match((await intruder.page.textContent('#camera-alert')) ?? '', /already has a live camera/);
  assert.notEqual(await pillText(intruder.page), 'STREAMING');

  const still = await waitForVideo(operator.page, ZONE);
  assert.ok(still.framesDecoded > 0);
});
