import type { Browser, Page } from 'playwright-core';
import { addZone, launchBrowser, signedInPage, startCamera, tile } from '../../test/support/browser.ts';
import { startGateway, type TestGateway } from '../../test/support/gateway.ts';
import { clockReaderScript } from './clockProbe.ts';

/**
 * A gateway on a loopback port and Chromium with the test flags. The camera runs in a browser of
 * its own so its CPU can be measured apart from the operators'. Media stays peer to peer
 * (`media.policy: p2p`): these parts measure the camera serving its operators itself; the relay
 * part measures the relay.
 */
export class BrowserRig {
  private constructor(readonly gateway: TestGateway, readonly cameraBrowser: Browser, readonly operatorBrowser: Browser, private readonly reader: string) {}

  static async start(): Promise<BrowserRig> {
    const [gateway, cameraBrowser, operatorBrowser] = await Promise.all([startGateway({ media: { policy: 'p2p' } }), launchBrowser(), launchBrowser()]);
    return new BrowserRig(gateway, cameraBrowser, operatorBrowser, clockReaderScript());
  }

  /** A camera publishing the clock test pattern at `preset` into `zone`. */
  async startCamera(zone: string, preset = '720p30'): Promise<Page> {
    return (await startCamera(this.cameraBrowser, this.gateway, zone, { source: 'test-pattern', preset })).page;
  }

  /** An operator console, connected and idle, with the clock reader loaded. */
  async openOperator(): Promise<Page> {
    const { page } = await signedInPage(this.operatorBrowser, this.gateway);
    // Evaluated through the DevTools protocol: the page's CSP (rightly) refuses inline scripts.
    await page.evaluate(this.reader);
    await page.waitForFunction(() => document.querySelector('#status-pill')?.textContent?.trim() !== 'DISCONNECTED');
    return page;
  }

  /** Types the zone and presses Initialise, as a person would; resolves with the tile's click-to-first-frame time. */
  async watch(page: Page, zone: string): Promise<number> {
    await addZone(page, zone);
    const handle = await page.waitForSelector(`${tile(zone)}[data-first-frame-ms]`, { timeout: 20_000 });
    return Number(await handle.getAttribute('data-first-frame-ms'));
  }

  async unwatch(page: Page, zone: string): Promise<void> {
    await page.click(`${tile(zone)} [data-action="remove"]`);
    await page.waitForSelector(tile(zone), { state: 'detached' });
  }

  /** CPU seconds used so far by every process of the camera's browser. */
  async cameraCpuSeconds(): Promise<number> {
    const session = await this.cameraBrowser.newBrowserCDPSession();
    const info = (await session.send('SystemInfo.getProcessInfo')) as { processInfo: { cpuTime: number }[] };
    await session.detach();
    return info.processInfo.reduce((sum, p) => sum + p.cpuTime, 0);
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.cameraBrowser.close(), this.operatorBrowser.close()]);
    await this.gateway.close();
  }
}
