import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchBrowser, openConsole, startCamera, tile, waitForVideo } from '../support/browser.ts';
import { startGateway, type TestGateway } from '../support/gateway.ts';

const ZONE = 'HARBOUR-EAST-03';
let gw: TestGateway;
let browser: Browser;
before(async () => { gw = await startGateway(); browser = await launchBrowser(); });
after(async () => { await browser?.close(); await gw?.close(); });

it('a camera page reloaded mid-stream: every operator shows "camera offline", then recovers with no action', async () => {
  const camera = await startCamera(browser, gw, ZONE);
  const operators = [await openConsole(browser, gw, [ZONE]), await openConsole(browser, gw, [ZONE])];
  for (const { page } of operators) await waitForVideo(page, ZONE);

  // Record every state the tile passes through: "offline" may last only as long as the reload.
  for (const { page } of operators) {
    await page.$eval(tile(ZONE), (el) => {
      const seen: string[] = [];
      (window as unknown as { tileHistory: string[] }).tileHistory = seen;
      new MutationObserver(() => seen.push(`${el.getAttribute('data-state')}: ${el.querySelector('.tile-message')?.textContent ?? ''}`))
        .observe(el, { attributes: true, attributeFilter: ['data-state'] });
    });
  }
  await camera.page.reload();

  // An unattended camera node resumes publishing by itself after a reload; operators do nothing.
  const reloadedAt = Date.now();
  const history = (page: (typeof operators)[number]['page']) =>
    page.evaluate(() => (window as unknown as { tileHistory: string[] }).tileHistory);
  for (const { page } of operators) {
    await page.waitForFunction(() => {
      const seen = (window as unknown as { tileHistory: string[] }).tileHistory;
      return seen.some((entry) => entry.startsWith('offline')) && (seen.at(-1) ?? '').startsWith('live');
    }, undefined, { timeout: 10_000 });
    const resumed = await waitForVideo(page, ZONE);
    await page.waitForFunction(
      ([selector, frames]) => Number(document.querySelector(selector as string)?.getAttribute('data-frames-decoded')) > (frames as number),
      [tile(ZONE), resumed.framesDecoded] as const,
      { timeout: 10_000 },
    );
    assert.ok(resumed.videoWidth > 0, 'video resumed');
    const seen = await history(page);
    assert.ok(seen.some((entry) => /^offline: .*Camera offline/i.test(entry)), `tile said "Camera offline": ${seen.join(' → ')}`);
  }
  const recoveryMs = Date.now() - reloadedAt;
  console.log(`camera-restart: every operator had video again ${recoveryMs} ms after the camera page reloaded`);
  assert.ok(recoveryMs < 10_000);
  await camera.page.waitForFunction(() => document.querySelector('#operator-count')?.textContent === '2');
});
