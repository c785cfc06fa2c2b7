import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchBrowser, openPage, signIn } from '../support/browser.ts';
import { startGateway, type TestGateway } from '../support/gateway.ts';

/**
 * The sign-in page sends a person back to `next` after a real sign-in. Browsers drop tabs and
 * line breaks from URLs and read `\` as `/`, so spellings that look like paths can name another
 * site: each is tried here with the admin's real password, and the browser must stay on the
 * gateway. A request to the foreign site is answered by a route, so reaching it is seen.
 */
const FOREIGN = [
  '//evil.example/',
  'https://evil.example/',
  '/\t/evil.example/',
  '/\n/evil.example/',
  '/\r\n/evil.example/',
  '\t//evil.example/',
  '/\\evil.example/',
  '\\/evil.example/',
  '\\\\evil.example/',
  ' //evil.example/',
  'https:evil.example/',
  '/\t\\evil.example/',
  'javascript:alert(document.domain)',
  'data:text/html,phished',
];

describe('the sign-in page\'s next parameter after a real sign-in', () => {
  let gw: TestGateway;
  let browser: Browser;
  before(async () => { gw = await startGateway(); browser = await launchBrowser(); });
  after(async () => { await browser?.close(); await gw?.close(); });

  /** Signs in as the admin on /login.html?next=<next> and returns where the browser ended up. */
  async function landing(next: string): Promise<{ url: URL; reachedForeign: boolean; dialog: boolean }> {
    const { page, context } = await openPage(browser, `${gw.url}/login.html?next=${encodeURIComponent(next)}`);
    let reachedForeign = false;
    let dialog = false;
    await context.route((url) => url.hostname.endsWith('evil.example'), (route) => { reachedForeign = true; return route.fulfill({ body: 'phished', contentType: 'text/html' }); });
    page.on('dialog', (d) => { dialog = true; void d.dismiss(); });
    await signIn(page, gw.admin);
    await page.waitForURL((url) => !url.pathname.startsWith('/login.html') || url.origin !== gw.url);
    await page.waitForLoadState();
    const url = new URL(page.url());
    await context.close();
    return { url, reachedForeign, dialog };
  }

  it('stays on the gateway for every spelling of another site', async () => {
    const escaped: string[] = [];
    for (const next of FOREIGN) {
      const { url, reachedForeign, dialog } = await landing(next);
      if (url.origin !== gw.url || reachedForeign || dialog) escaped.push(`${JSON.stringify(next)} → ${url.href}`);
    }
    assert.deepEqual(escaped, [], 'no next value leaves the gateway');
  });

  it('still returns to a page of the gateway, with its query and fragment', async () => {
    const { url } = await landing('/audit.html?kind=login.failure#top');
    assert.equal(url.origin, gw.url);
    assert.equal(`${url.pathname}${url.search}${url.hash}`, '/audit.html?kind=login.failure#top');
  });
});
