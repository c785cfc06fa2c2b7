import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { TestGateway } from './gateway.ts';

/** What the page helpers need of a gateway: its address (or nginx's), its admin, a way to make camera keys. */
export type BrowserTarget = Pick<TestGateway, 'url' | 'admin' | 'createCameraKey'>;

/** Someone who can sign in; the gateway's admin unless a test says otherwise. */
export interface Credentials { username: string; password: string }

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const RESULTS_DIR = join(import.meta.dirname, '..', '..', 'test-results');

/** The flags DEVELOPERS.md prescribes: headless, no network beyond loopback, fake camera. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--use-fake-ui-for-media-stream',
  '--use-fake-device-for-media-stream',
  '--disable-features=WebRtcHideLocalIpsWithMdns',
  '--ignore-certificate-errors',
  // Background tabs must keep decoding: every operator page of a test is "visible".
  '--disable-background-timer-throttling',
  '--disable-renderer-backgrounding',
  '--disable-backgrounding-occluded-windows',
  '--autoplay-policy=no-user-gesture-required',
];

/**
 * `loopbackMedia` (the default): pages may exchange media with a server on loopback (the
 * gateway's relay listens on 127.0.0.1 in tests, and `auto` moves a zone with a third viewer
 * there); Chromium leaves loopback out of ICE otherwise.
 */
export async function launchBrowser(options: { loopbackMedia?: boolean } = {}): Promise<Browser> {
  const args = options.loopbackMedia !== false ? [...CHROMIUM_ARGS, '--allow-loopback-in-peer-connection'] : CHROMIUM_ARGS;
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args });
}

/**
 * Each page in its own context: own sessionStorage, own camera, like separate machines.
 * `initScripts` run in the page before any of its own scripts.
 */
export async function openPage(
  browser: Browser,
  url: string,
  initScripts: string[] = [],
  viewport = { width: 1280, height: 800 },
): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport });
  // tsx compiles test files with keepNames, wrapping functions passed to $eval in __name(...),
  // which does not exist in the page.
  for (const content of ['globalThis.__name = (fn) => fn;', ...initScripts]) await context.addInitScript({ content });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => { if (message.type() === 'error') errors.push(message.text()); });
  await page.goto(url);
  return { context, page, errors };
}

/**
 * Signs in through the real login page (as the admin unless `who` is given) and lands on `path`,
 * where the login page sends a person back to. `initScripts` run in every page of the context.
 */
export async function signedInPage(browser: Browser, gw: BrowserTarget, path = '/', who: Credentials = gw.admin, initScripts: string[] = []) {
  const opened = await openPage(browser, `${gw.url}/login.html?next=${encodeURIComponent(path)}`, initScripts);
  await signIn(opened.page, who);
  await opened.page.waitForURL((url) => url.pathname === path.split('?')[0]);
  return opened;
}

export async function signIn(page: Page, who: Credentials): Promise<void> {
  await page.fill('#username', who.username);
  await page.fill('#password', who.password);
  await page.click('#login-button');
}

export interface CameraOptions {
  /** The camera key to type; a key for every zone (`*`) by default. */
  apiKey?: string;
  /** `test-pattern` publishes the clock test pattern instead of the (fake) camera. */
  source?: string;
  /** A capture preset of the camera page, e.g. `720p30`. */
  preset?: string;
  /** Scripts run in the page before its own (see openPage). */
  initScripts?: string[];
  /** A smaller window costs less to draw: tests with many cameras on two cores use one. */
  viewport?: { width: number; height: number };
}

const anyZoneKeys = new WeakMap<BrowserTarget, Promise<string>>();

/** Opens the camera node page for `zone`, types its key and starts publishing. */
export async function startCamera(browser: Browser, gw: BrowserTarget, zone: string, options: CameraOptions = {}) {
  const source = options.source ? `&source=${options.source}` : '';
  const opened = await openPage(browser, `${gw.url}/camera.html?zone=${zone}${source}`, options.initScripts, options.viewport);
  if (!anyZoneKeys.has(gw)) anyZoneKeys.set(gw, gw.createCameraKey('*', 'browser camera'));
  await opened.page.fill('#api-key-input', options.apiKey ?? (await anyZoneKeys.get(gw)!));
  if (options.preset) await opened.page.selectOption('#preset-select', options.preset);
  await opened.page.click('#init-session');
  await opened.page.waitForFunction(() => ['CONNECTED', 'STREAMING'].includes(document.querySelector('#status-pill')?.textContent?.trim() ?? ''));
  return opened;
}

/** Signs in, opens the operator console and adds `zones` to the wall by typing each and pressing Initialise. */
export async function openConsole(browser: Browser, gw: BrowserTarget, zones: string[], who: Credentials = gw.admin) {
  const opened = await signedInPage(browser, gw, '/?zones=', who);
  for (const zone of zones) await addZone(opened.page, zone);
  return opened;
}

export async function addZone(page: Page, zone: string): Promise<void> {
  await page.fill('#zone-input', zone);
  await page.click('#init-session');
  await page.waitForSelector(`.tile[data-zone="${zone}"]`);
}

export const tile = (zone: string) => `.tile[data-zone="${zone}"]`;

/** Waits until the tile presents frames, and returns its first-frame time and decoded count. */
export async function waitForVideo(page: Page, zone: string, timeoutMs = 20_000) {
  await page.waitForFunction(
    (selector) => {
      const el = document.querySelector(selector);
      const video = el?.querySelector('video');
      return el?.getAttribute('data-state') === 'live' && Number(el.getAttribute('data-frames-decoded')) > 0 && (video?.videoWidth ?? 0) > 0;
    },
    tile(zone),
    { timeout: timeoutMs },
  );
  return readTile(page, zone);
}

export async function readTile(page: Page, zone: string) {
  return page.$eval(tile(zone), (el) => {
    const video = el.querySelector('video')!;
    const kpi = (name: string) => el.querySelector(`[data-kpi="${name}"]`)?.textContent?.trim() ?? '';
    return {
      state: el.getAttribute('data-state'),
      framesDecoded: Number(el.getAttribute('data-frames-decoded')),
      firstFrameMs: el.hasAttribute('data-first-frame-ms') ? Number(el.getAttribute('data-first-frame-ms')) : null,
      videoWidth: video.videoWidth,
      videoHeight: video.videoHeight,
      presentedFrames: video.getVideoPlaybackQuality().totalVideoFrames,
      kpis: {
        icePath: kpi('icePath'), rtt: kpi('rtt'), bitrate: kpi('bitrate'), fps: kpi('fps'),
        resolution: kpi('resolution'), loss: kpi('loss'), codec: kpi('codec'), encryption: kpi('encryption'),
      },
    };
  });
}

/** Frames per second measured from the decoder's own counter over `windowMs` of real playback. */
export async function measureFps(page: Page, zone: string, windowMs = 2_000): Promise<number> {
  const before = await readTile(page, zone);
  const started = Date.now();
  await page.waitForTimeout(windowMs);
  const after = await readTile(page, zone);
  return ((after.presentedFrames - before.presentedFrames) * 1000) / (Date.now() - started);
}

export async function pillText(page: Page): Promise<string> {
  return (await page.textContent('#status-pill'))?.trim() ?? '';
}

export function resultsPath(name: string): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  return join(RESULTS_DIR, name);
}
