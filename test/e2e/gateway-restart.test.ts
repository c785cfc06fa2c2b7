import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchBrowser, openConsole, startCamera, tile, waitForVideo } from '../support/browser.ts';
import { startGateway, type TestGateway } from '../support/gateway.ts';

const ZONE = 'CBD-TRAFFIC-01';
let gw: TestGateway;
let browser: Browser;
before(async () => { gw = await startGateway(); browser = await launchBrowser(); });
after(async () => { await browser?.close(); await gw?.close(); });

it('the gateway restarts mid-stream: camera and operator reconnect, restore their zone and play again with no action', async () => {
  const camera = await startCamera(browser, gw, ZONE);
  const operator = await openConsole(browser, gw, [ZONE]);
  await waitForVideo(operator.page, ZONE);

  const { port, dataDir } = gw;
  // The same store comes back: sessions, keys and grants survive a restart.
  await gw.gateway.close();
  await operator.page.waitForSelector('#console-alert[data-code="CONNECTION_LOST"]', { state: 'visible', timeout: 10_000 });
  gw = await startGateway({ port }, dataDir);

  // Both pages come back by themselves: the camera publishes again, the operator watches again.
  await camera.page.waitForFunction(() => document.querySelector('#status-pill')?.textContent?.trim() !== 'DISCONNECTED', undefined, { timeout: 15_000 });
  await operator.page.waitForFunction(
    (selector) => document.querySelector(selector)?.getAttribute('data-state') === 'live',
    tile(ZONE),
    { timeout: 15_000 },
  );
  const before = (await waitForVideo(operator.page, ZONE)).framesDecoded;
  await operator.page.waitForFunction(
    ([selector, frames]) => Number(document.querySelector(selector as string)?.getAttribute('data-frames-decoded')) > (frames as number),
    [tile(ZONE), before] as const,
    { timeout: 10_000 },
  );
  assert.deepEqual(await gw.gateway.presence.summaries(), [{ zone: ZONE, cameraOnline: true, viewers: 1 }]);
  assert.ok(await operator.page.isHidden('#console-alert[data-code="CONNECTION_LOST"]'), 'the connection alert clears itself');
});
