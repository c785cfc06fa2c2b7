import type { Browser, Page } from 'playwright-core';
import { addZone, signedInPage, tile } from '../../test/support/browser.ts';
import type { TestGateway } from '../../test/support/gateway.ts';
import type { PageClock } from './pageClock.ts';

/** "Live": the frame's painted clock is within this of the time it is displayed. */
export const LIVE_WITHIN_MS = 100;

/** Every RTCPeerConnection the page makes, for getStats (the console keeps its own private). */
export const TRACK_CONNECTIONS = `
  window.__pcs = [];
  const Native = RTCPeerConnection;
  window.RTCPeerConnection = function (...args) {
    const pc = new Native(...args);
    const setRemote = pc.setRemoteDescription.bind(pc);
    pc.setRemoteDescription = (description) => { pc.__offerAt ??= performance.now(); return setRemote(description); };
    pc.addEventListener('connectionstatechange', () => { if (pc.connectionState === 'connected') pc.__connectedAt ??= performance.now(); });
    window.__pcs.push(pc);
    return pc;
  };
  window.RTCPeerConnection.prototype = Native.prototype;
  Object.assign(window.RTCPeerConnection, Native);
`;

/**
 * One viewer's join, in ms from its click: the offer (its connection made), the connection up
 * (ICE and DTLS), the first presented frame (the console's own figure), the first live frame.
 */
export interface JoinTiming { offerMs: number | null; connectedMs: number | null; firstFrameMs: number; firstLiveMs: number | null }


export async function openOperator(browser: Browser, gw: TestGateway, reader: string): Promise<Page> {
  const { page } = await signedInPage(browser, gw, '/', gw.admin, [TRACK_CONNECTIONS]);
  await page.evaluate(reader);
  await page.waitForFunction(() => document.querySelector('#status-pill')?.textContent?.trim() !== 'DISCONNECTED');
  return page;
}

/**
 * Watches `zone` as a person would (type, Initialise) and times the tile's first presented frame
 * (the console's own click-to-first-frame figure) and its first live one: the first whose
 * painted clock is within 100 ms of the time it is displayed.
 */
export async function watchTimed(page: Page, zone: string): Promise<JoinTiming> {
  await page.evaluate(([zone, liveWithin]) => {
    const clock = (window as unknown as { VigilClock: PageClock }).VigilClock;
    const state: { clickedAt: number | null; liveMs: number | null; done: boolean } = { clickedAt: null, liveMs: null, done: false };
    (window as unknown as { __join: typeof state }).__join = state;
    const onClick = (event: Event) => {
      if (!(event.target instanceof Element) || !event.target.closest('#init-session')) return;
      state.clickedAt ??= performance.now();
      document.removeEventListener('click', onClick, true);
    };
    document.addEventListener('click', onClick, true);
    const armed = performance.now();
    const poll = setInterval(() => {
      const video = document.querySelector<HTMLVideoElement>(`.tile[data-zone="${zone}"] video`);
      if (performance.now() - armed > 20_000) {
        clearInterval(poll);
        state.done = true;
        return;
      }
      if (!video) return;
      clearInterval(poll);
      const onFrame = (_now: number, meta: VideoFrameCallbackMetadata) => {
        if (state.done) return;
        const displayedAt = performance.timeOrigin + meta.expectedDisplayTime;
        const sinceClick = meta.expectedDisplayTime - (state.clickedAt ?? armed);
        void clock.readPainted(video).then((painted) => {
          if (state.done || painted === null) return;
          if (clock.clockDelta(displayedAt, painted) <= (liveWithin as number)) {
            state.liveMs = Math.max(0, sinceClick);
            state.done = true;
          }
        }, () => undefined);
        if (sinceClick > 10_000) state.done = true;
        else video.requestVideoFrameCallback(onFrame);
      };
      video.requestVideoFrameCallback(onFrame);
    }, 5);
  }, [zone, LIVE_WITHIN_MS] as const);
  await addZone(page, zone);
  const handle = await page.waitForSelector(`${tile(zone)}[data-first-frame-ms]`, { timeout: 20_000 });
  const firstFrameMs = Number(await handle.getAttribute('data-first-frame-ms'));
  await page.waitForFunction(() => (window as unknown as { __join: { done: boolean } }).__join.done, null, { timeout: 15_000, polling: 50 });
  const { liveMs, offerMs, connectedMs } = await page.evaluate(() => {
    type Tracked = RTCPeerConnection & { __offerAt?: number; __connectedAt?: number };
    const w = window as unknown as { __join: { liveMs: number | null; clickedAt: number | null }; __pcs: Tracked[] };
    const clickedAt = w.__join.clickedAt;
    // The connection of this join: the last to get the other end's description after the click
    // (the console prepares spare connections ahead).
    const pc = w.__pcs.filter((c) => clickedAt !== null && (c.__offerAt ?? -1) >= clickedAt).sort((a, b) => a.__offerAt! - b.__offerAt!).at(-1);
    const since = (t: number | undefined) => (t === undefined || clickedAt === null ? null : Math.round(t - clickedAt));
    return { liveMs: w.__join.liveMs, offerMs: since(pc?.__offerAt), connectedMs: since(pc?.__connectedAt) };
  });
  return { offerMs, connectedMs, firstFrameMs, firstLiveMs: liveMs === null ? null : Math.round(liveMs) };
}

export async function unwatch(page: Page, zone: string): Promise<void> {
  await page.click(`${tile(zone)} [data-action="remove"]`);
  await page.waitForSelector(tile(zone), { state: 'detached' });
}
