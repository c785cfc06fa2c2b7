import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { after, before, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, openConsole, openPage, resultsPath, signedInPage, startCamera, waitForVideo } from '../support/browser.ts';
import { startGateway, type TestGateway } from '../support/gateway.ts';

/**
 * axe-core (the engine of Lighthouse's and Deque's accessibility audits) on every page, in the
 * states a person meets them: signed out, a live wall with its drawer and timeline, a publishing
 * camera node with its confirmation open, the admin page with its password dialog, the audit page.
 * WCAG 2.x A and AA rules; a serious or critical violation fails, naming the rule and the element.
 */
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const BLOCKING = new Set(['serious', 'critical']);

let gw: TestGateway;
let browser: Browser;
before(async () => { gw = await startGateway(); browser = await launchBrowser(); });
after(async () => { await browser?.close(); await gw?.close(); });

interface Violation { id: string; impact: string | null; help: string; nodes: { target: string[] }[] }

/** Runs axe in the page (evaluated over the DevTools protocol, so the page's CSP does not apply). */
async function audit(page: Page, what: string): Promise<void> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(context: Document, options: object): Promise<{ violations: Violation[] }> } }).axe;
    const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] }, resultTypes: ['violations'] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => ({ target: n.target })) }));
  });
  const blocking = violations.filter((v) => BLOCKING.has(v.impact ?? ''));
  const described = blocking.map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  assert.deepEqual(described, [], `${what}: ${described.length} serious or critical violations`);
}

it('the sign-in page', async () => {
  const { page, context } = await openPage(browser, `${gw.url}/login.html`);
  await page.waitForSelector('#login-form');
  await audit(page, 'sign-in page');
  await context.close();
});

it('the camera node page, idle, publishing, and with its stop confirmation open', async () => {
  const camera = await startCamera(browser, gw, 'A11Y-CAM-01', { source: 'test-pattern' });
  await audit(camera.page, 'camera page, publishing');
  await camera.page.click('#init-session');
  await camera.page.waitForSelector('dialog[data-dialog="stop-publishing"]');
  await audit(camera.page, 'camera page, stop confirmation');
  await camera.page.keyboard.press('Escape');
  const idle = await openPage(browser, `${gw.url}/camera.html`);
  await audit(idle.page, 'camera page, idle');
  await idle.context.close();

  // The console, with that camera live on the wall, the drawer open and the timeline filled.
  const { page, context } = await openConsole(browser, gw, ['A11Y-CAM-01', 'A11Y-CAM-02']);
  await waitForVideo(page, 'A11Y-CAM-01');
  await audit(page, 'console with a live tile and a waiting one');
  await camera.context.close();
  await context.close();
});

it('the admin page, and its password dialog', async () => {
  await gw.addUser('ulla', 'operator', ['A11Y-*']);
  const { page, context } = await signedInPage(browser, gw, '/admin.html');
  await page.waitForSelector('tr[data-user="ulla"]');
  await audit(page, 'admin page');
  await page.screenshot({ path: resultsPath('admin-page.png'), fullPage: true });
  await page.click('tr[data-user="ulla"] [data-action="password"]');
  await page.waitForSelector('dialog[data-dialog="set-password"]');
  await audit(page, 'admin page, password dialog');
  await context.close();
});

it('the audit page', async () => {
  const { page, context } = await signedInPage(browser, gw, '/audit.html');
  await page.waitForSelector('#audit-body tr');
  await audit(page, 'audit page');
  await context.close();
});
