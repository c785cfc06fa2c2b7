import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { addZone, launchBrowser, signedInPage, startCamera, tile } from '../../test/support/browser.ts';
import { startGateway, type TestGateway } from '../../test/support/gateway.ts';
import type { RelayStats } from '../../src/server/media/relayProtocol.ts';
import { percentile, round } from '../stats.ts';
import type { BenchPart, Budget } from '../types.ts';
import { clockReaderScript, probeTile } from './clockProbe.ts';
import type { PageClock } from './pageClock.ts';
import type { ViewerCommand, ViewerReport, ViewerSample } from '../../test/support/weriftViewerProcess.ts';

/** Viewer counts of a run unless the command line gives some (`relay 1,4,8,50`). */
const DEFAULT_STEPS = [1, 4, 8, 20, 35, 50];
/** Chromium viewers first (they decode and display), werift receivers for the rest; `--chromium=N` changes it. */
const MAX_CHROMIUM = 8;
/** Processes the werift receivers are spread over. */
const WERIFT_PROCESSES = 2;
const FPS_FLOOR = 25;
const SETTLE_MS = 2_000;
const WINDOW_MS = 3_000;
const LATENCY_WARM_UP_MS = 2_000;
/** werift receivers join in groups of this many; each group gets this long to play before the next. */
const WERIFT_GROUP = 5;
const WERIFT_GROUP_TIMEOUT_MS = 3_000;
/** How long receivers without a picture get, after the last group, before the window opens anyway. */
const WERIFT_JOIN_TIMEOUT_MS = 5_000;
const LATENCY_MS = 6_000;
/** Cold first-frame trials of the first viewer (the zone's relay is set up each time). */
const FIRST_FRAME_TRIALS = 5;
/** "Live": the frame's painted clock is within this of the time it is displayed. */
const LIVE_WITHIN_MS = 100;
/** No step starts after this much of the run (the part is bounded to four minutes). */
const LAST_STEP_START_MS = 185_000;
const CAMERA_VIEWPORT = { width: 480, height: 360 };
/** Budget for "flat": the camera page's CPU may grow this much from the first step to the last. */
const FLAT_TOLERANCE_PERCENT = 25;

/** Every RTCPeerConnection the page makes, for getStats (the console keeps its own private). */
const TRACK_CONNECTIONS = `
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
interface JoinTiming { offerMs: number | null; connectedMs: number | null; firstFrameMs: number; firstLiveMs: number | null }

interface StepFigures {
  viewers: number;
  chromium: number;
  werift: number;
  fps: { chromium: number[]; werift: number[] };
  cameraRendererCpuPercent: number;
  cameraBrowserCpuPercent: number;
  cameraKbps: number;
  chromiumJitterBufferMs: number[];
  cameraConnections: number;
  relayCpuPercent: number;
  relayCpuPercentPerViewer: number;
  relayKbpsPerViewer: number;
  relayLagP99Ms: number;
  relayDeltas: { nacks: number; plis: number; keyframeWaits: number };
  /** Since the step's first join: PLIs the relay sent, the camera received, keyframes it encoded. */
  keyframes: { relayPlis: number; cameraPlis: number; cameraKeyframes: number };
  operatorBrowserCpuPercent: number;
  weriftProcessesCpuPercent: number;
  joins: { chromium: JoinTiming[]; weriftFirstFrameMs: number[] };
  weriftFailures: string[];
}

// ---- Chromium helpers -------------------------------------------------------------------------

async function openOperator(browser: Browser, gw: TestGateway, reader: string): Promise<Page> {
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
async function watchTimed(page: Page, zone: string): Promise<JoinTiming> {
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

async function unwatch(page: Page, zone: string): Promise<void> {
  await page.click(`${tile(zone)} [data-action="remove"]`);
  await page.waitForSelector(tile(zone), { state: 'detached' });
}

/** Frames decoded (getStats inbound-rtp) and bytes sent (outbound-rtp) over the page's connected peers. */
interface RtpCounters {
  framesDecoded: number;
  /** Seconds frames spent in the jitter buffer, summed, and how many frames left it. */
  jitterBufferDelay: number;
  jitterBufferEmitted: number;
  /** The receiver's RTP interarrival jitter (RFC 3550), ms, the largest over its streams. */
  jitterMs: number;
  bytesSent: number;
  /** What the sender was asked for (PLI) and did (keyframes encoded). */
  pliReceived: number;
  keyFramesEncoded: number;
  connected: number;
  at: number;
}

async function rtpCounters(page: Page): Promise<RtpCounters> {
  return page.evaluate(async () => {
    const counters = { framesDecoded: 0, jitterBufferDelay: 0, jitterBufferEmitted: 0, jitterMs: 0, bytesSent: 0, pliReceived: 0, keyFramesEncoded: 0, connected: 0, at: 0 };
    for (const pc of (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs) {
      if (pc.connectionState !== 'connected') continue;
      counters.connected += 1;
      type Entry = { type: string; kind?: string; framesDecoded?: number; bytesSent?: number; pliCount?: number; keyFramesEncoded?: number; jitter?: number; jitterBufferDelay?: number; jitterBufferEmittedCount?: number };
      (await pc.getStats()).forEach((s: Entry) => {
        if (s.type === 'inbound-rtp' && s.kind === 'video') {
          counters.framesDecoded += s.framesDecoded ?? 0;
          counters.jitterBufferDelay += s.jitterBufferDelay ?? 0;
          counters.jitterBufferEmitted += s.jitterBufferEmittedCount ?? 0;
          counters.jitterMs = Math.max(counters.jitterMs, (s.jitter ?? 0) * 1000);
        }
        if (s.type === 'outbound-rtp' && s.kind === 'video') {
          counters.bytesSent += s.bytesSent ?? 0;
          counters.pliReceived += s.pliCount ?? 0;
          counters.keyFramesEncoded += s.keyFramesEncoded ?? 0;
        }
      });
    }
    counters.at = performance.now();
    return counters;
  });
}

const kbpsBetween = (a: RtpCounters, b: RtpCounters) => round(((b.bytesSent - a.bytesSent) * 8) / (b.at - a.at), 0);
const jitterBufferMs = (a: RtpCounters, b: RtpCounters) =>
  round(((b.jitterBufferDelay - a.jitterBufferDelay) * 1000) / Math.max(1, b.jitterBufferEmitted - a.jitterBufferEmitted));

/** CPU seconds so far of a browser's processes: its renderers, and all of them. */
async function browserCpu(browser: Browser): Promise<{ renderer: number; total: number }> {
  const session = await browser.newBrowserCDPSession();
  const info = (await session.send('SystemInfo.getProcessInfo')) as { processInfo: { type: string; cpuTime: number }[] };
  await session.detach();
  return {
    renderer: info.processInfo.filter((p) => p.type === 'renderer').reduce((sum, p) => sum + p.cpuTime, 0),
    total: info.processInfo.reduce((sum, p) => sum + p.cpuTime, 0),
  };
}

// ---- werift receivers ---------------------------------------------------------------------------

class WeriftFleet {
  readonly #procs: ChildProcess[] = [];
  #count = 0;

  static async start(gw: TestGateway, zone: string): Promise<WeriftFleet> {
    const fleet = new WeriftFleet();
    for (let i = 0; i < WERIFT_PROCESSES; i++) {
      const proc = fork(join(import.meta.dirname, '..', '..', 'test', 'support', 'weriftViewerProcess.ts'), [], {
        execArgv: ['--import', 'tsx'],
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
        env: { ...process.env, WERIFT_VIEWERS_URL: gw.url, WERIFT_VIEWERS_COOKIE: gw.admin.cookie, WERIFT_VIEWERS_ZONE: zone },
      });
      fleet.#procs.push(proc);
    }
    await Promise.all(fleet.#procs.map((proc) => next(proc, 'ready')));
    return fleet;
  }

  get count(): number {
    return this.#count;
  }

  /** `count` more receivers, spread over the processes; resolves with any that failed to watch. */
  async add(count: number): Promise<string[]> {
    const shares = this.#procs.map((_, i) => Math.floor(count / this.#procs.length) + (i < count % this.#procs.length ? 1 : 0));
    const replies = await Promise.all(this.#procs.map((proc, i) => {
      if (shares[i] === 0) return { type: 'added' as const, failed: [] };
      const reply = next<Extract<ViewerReport, { type: 'added' }>>(proc, 'added');
      proc.send({ type: 'add', count: shares[i]! } satisfies ViewerCommand);
      return reply;
    }));
    const failed = replies.flatMap((r) => r.failed);
    this.#count += count - failed.length;
    return failed;
  }

  /** Waits until at most `allowed` receivers have had no frame; resolves with how many had none at `timeoutMs`. */
  async waitPlaying(timeoutMs: number, allowed = 0): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const waiting = (await this.sample()).flatMap((s) => s.viewers).filter((v) => v.firstFrameMs === null).length;
      if (waiting <= allowed || Date.now() > deadline) return waiting;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  async sample(): Promise<ViewerSample[]> {
    return Promise.all(this.#procs.map((proc) => {
      const reply = next<ViewerSample>(proc, 'sample');
      proc.send({ type: 'sample' } satisfies ViewerCommand);
      return reply;
    }));
  }

  async close(): Promise<void> {
    await Promise.all(this.#procs.map(async (proc) => {
      if (proc.exitCode !== null || !proc.connected) return;
      const exited = new Promise((resolve) => proc.once('exit', resolve));
      proc.send({ type: 'close' } satisfies ViewerCommand);
      const timer = setTimeout(() => proc.kill('SIGKILL'), 3_000);
      await exited;
      clearTimeout(timer);
    }));
  }
}

function next<T>(proc: ChildProcess, type: string, timeoutMs = 30_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      clearTimeout(timer);
      proc.off('message', onMessage);
      proc.off('exit', onExit);
    };
    const onMessage = (message: { type: string }) => {
      if (message.type !== type) return;
      cleanup();
      resolve(message as T);
    };
    const onExit = (code: number | null) => {
      cleanup();
      reject(new Error(`werift viewer process exited (${code}) before '${type}'`));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`werift viewer process: no '${type}' within ${timeoutMs} ms`));
    }, timeoutMs);
    proc.on('message', onMessage);
    proc.once('exit', onExit);
  });
}

// ---- the part -----------------------------------------------------------------------------------

function stepsFrom(args: string[]): number[] {
  const given = args.filter((a) => /^[\d,]+$/.test(a)).flatMap((a) => a.split(',')).map(Number).filter((n) => n > 0);
  return given.length ? [...new Set(given)].sort((a, b) => a - b) : DEFAULT_STEPS;
}

const sumZones = (stats: RelayStats[], zone: string) => {
  const zones = stats.flatMap((s) => s.zones).filter((z) => z.zone === zone);
  const sum = (key: 'forwardedBytes' | 'nacks' | 'plis' | 'keyframeWaits') => zones.reduce((total, z) => total + z[key], 0);
  return { forwardedBytes: sum('forwardedBytes'), nacks: sum('nacks'), plis: sum('plis'), keyframeWaits: sum('keyframeWaits') };
};
const relayCpuMicros = (stats: RelayStats[]) => stats.reduce((sum, s) => sum + s.cpuMicros, 0);
const median = (values: number[]) => percentile(values, 50);

export const relayPart: BenchPart = {
  name: 'relay',
  description: 'one 720p30 camera through the media relay to 1…50 viewers (Chromium, then werift receivers); latency relay vs P2P',
  async run({ args }) {
    const runStarted = Date.now();
    const steps = stepsFrom(args);
    const chromiumArg = args.find((a) => a.startsWith('--chromium='));
    const maxChromium = chromiumArg ? Math.max(1, Number(chromiumArg.slice('--chromium='.length)) || MAX_CHROMIUM) : MAX_CHROMIUM;
    const zone = 'BENCH-RELAY';
    const p2pZone = 'BENCH-RELAY-P2P';
    const reader = clockReaderScript();
    const [relayGw, p2pGw, cameraBrowser, p2pCameraBrowser, operatorBrowser] = await Promise.all([
      startGateway({ media: { policy: 'relay', workers: 1, listenAddress: '127.0.0.1' } }),
      startGateway({ media: { policy: 'p2p' } }),
      launchBrowser({ loopbackMedia: true }),
      launchBrowser({ loopbackMedia: true }),
      launchBrowser({ loopbackMedia: true }),
    ]);
    const workers = relayGw.gateway.relayWorkers!;
    await workers.ready();
    let fleet: WeriftFleet | null = null;
    const rows: Record<string, string | number>[] = [];
    const figures: StepFigures[] = [];
    const notes: string[] = [];
    const coldFirstFrames: JoinTiming[] = [];
    type PathLatency = { p50: number; p95: number; fps: number; frames: string; jitterBufferMs: number; arrivalJitterMs: number; cameraKbps: number; firstFrame: JoinTiming | null };
    let latency: { relay: PathLatency; p2p: PathLatency } | null = null;
    try {
      const camera = (await startCamera(cameraBrowser, relayGw, zone, { source: 'test-pattern', preset: '720p30', initScripts: [TRACK_CONNECTIONS], viewport: CAMERA_VIEWPORT })).page;
      const pages: Page[] = [await openOperator(operatorBrowser, relayGw, reader)];

      // First frame of the first viewer, cold: with nobody watching the zone has no relay, so each
      // trial includes the camera's connection to the relay.
      for (let trial = 0; trial < FIRST_FRAME_TRIALS; trial++) {
        coldFirstFrames.push(await watchTimed(pages[0]!, zone));
        if (trial < FIRST_FRAME_TRIALS - 1) {
          await unwatch(pages[0]!, zone);
          // The camera's ingest connection closes with the last viewer: let it go.
          await pages[0]!.waitForTimeout(500);
        }
      }

      // Latency relay vs P2P at the same moment: a second camera on a peer-to-peer gateway, in a
      // browser of its own (the relay camera's CPU stays its own), with one viewer each.
      {
        const p2pCamera = (await startCamera(p2pCameraBrowser, p2pGw, p2pZone, { source: 'test-pattern', preset: '720p30', initScripts: [TRACK_CONNECTIONS], viewport: CAMERA_VIEWPORT })).page;
        const p2pViewer = await openOperator(operatorBrowser, p2pGw, reader);
        const p2pFirstFrame = await watchTimed(p2pViewer, p2pZone);
        const path = await p2pViewer.$eval(`${tile(p2pZone)} .tile-path`, (el) => el.getAttribute('data-path'));
        if (path !== 'p2p') notes.push(`the P2P viewer's tile said path ${path}`);
        await p2pViewer.waitForTimeout(LATENCY_WARM_UP_MS);
        const counted = [pages[0]!, p2pViewer, camera, p2pCamera];
        const countersBefore = await Promise.all(counted.map((p) => rtpCounters(p)));
        const [viaRelay, viaP2p] = await Promise.all([probeTile(pages[0]!, zone, LATENCY_MS), probeTile(p2pViewer, p2pZone, LATENCY_MS)]);
        const countersAfter = await Promise.all(counted.map((p) => rtpCounters(p)));
        const summary = (p: typeof viaRelay, viewer: number, cam: number, firstFrame: JoinTiming | null): PathLatency => ({
          p50: round(percentile(p.latencies, 50)),
          p95: round(percentile(p.latencies, 95)),
          fps: round(p.frames / p.seconds),
          frames: `${p.latencies.length}/${p.latencies.length + p.unreadable}`,
          jitterBufferMs: jitterBufferMs(countersBefore[viewer]!, countersAfter[viewer]!),
          arrivalJitterMs: round(countersAfter[viewer]!.jitterMs),
          cameraKbps: kbpsBetween(countersBefore[cam]!, countersAfter[cam]!),
          firstFrame,
        });
        latency = { relay: summary(viaRelay, 0, 2, coldFirstFrames.at(-1) ?? null), p2p: summary(viaP2p, 1, 3, p2pFirstFrame) };
        await p2pViewer.context().close();
        await p2pCameraBrowser.close();
      }

      fleet = await WeriftFleet.start(relayGw, zone);
      for (const [index, target] of steps.entries()) {
        if (Date.now() - runStarted > LAST_STEP_START_MS) {
          notes.push(`steps ${steps.slice(index).join(', ')} skipped: the part is bounded to four minutes`);
          break;
        }
        const chromiumTarget = Math.min(target, maxChromium);
        const chromiumJoins: JoinTiming[] = [];
        const [stepCamera, stepRelay] = await Promise.all([rtpCounters(camera), workers.stats()]);
        while (pages.length < chromiumTarget) {
          const page = await openOperator(operatorBrowser, relayGw, reader);
          pages.push(page);
          chromiumJoins.push(await watchTimed(page, zone));
        }
        const before = fleet.count > 0 ? await fleet.sample() : [];
        const seenBefore = new Set(before.flatMap((s, p) => s.viewers.map((_, v) => `${p}:${v}`)));
        // werift receivers join a few at a time, each group once the previous one plays (or
        // could not), as operators do rather than all in one instant.
        const weriftFailures: string[] = [];
        let notPlaying = fleet.count > 0 ? await fleet.waitPlaying(0) : 0;
        while (target > pages.length + fleet.count && weriftFailures.length < target) {
          weriftFailures.push(...(await fleet.add(Math.min(WERIFT_GROUP, target - pages.length - fleet.count))));
          notPlaying = await fleet.waitPlaying(WERIFT_GROUP_TIMEOUT_MS, notPlaying);
        }
        // Steady state: every receiver that will play does before the window opens.
        if (notPlaying > 0) notPlaying = await fleet.waitPlaying(WERIFT_JOIN_TIMEOUT_MS);
        if (notPlaying > 0) {
          const silent = (await fleet.sample()).flatMap((s) => s.viewers).filter((v) => v.firstFrameMs === null);
          const shown = silent.slice(0, 5).map((v) => `${v.state}/${v.via ?? 'no offer'}: ${v.packets} packets, ${v.keyframes} keyframe starts`).join('; ');
          notes.push(`${target} viewers: ${notPlaying} werift receivers had no frame yet when the window opened (${shown})`);
        }
        await pages[0]!.waitForTimeout(SETTLE_MS);

        // The window: every counter read at its start and its end.
        const statsBefore = await workers.stats();
        const [camBefore, opBefore, camRtpBefore, chromeBefore, weriftBefore] = await Promise.all([
          browserCpu(cameraBrowser), browserCpu(operatorBrowser), rtpCounters(camera),
          Promise.all(pages.map((p) => rtpCounters(p))), fleet.sample(),
        ]);
        const windowStart = Date.now();
        await pages[0]!.waitForTimeout(WINDOW_MS);
        const [camAfter, opAfter, camRtpAfter, chromeAfter, weriftAfter] = await Promise.all([
          browserCpu(cameraBrowser), browserCpu(operatorBrowser), rtpCounters(camera),
          Promise.all(pages.map((p) => rtpCounters(p))), fleet.sample(),
        ]);
        const statsAfter = await workers.stats();
        const seconds = (Date.now() - windowStart) / 1000;

        const chromiumFps = chromeAfter.map((after, i) => ((after.framesDecoded - chromeBefore[i]!.framesDecoded) * 1000) / (after.at - chromeBefore[i]!.at));
        const weriftFps = weriftAfter.flatMap((after, p) => after.viewers.map((v, i) => {
          const was = weriftBefore[p]!.viewers[i];
          return ((v.frames - (was?.frames ?? 0)) * 1000) / (after.at - weriftBefore[p]!.at);
        }));
        const weriftFirstFrameMs = weriftAfter.flatMap((s, p) => s.viewers.flatMap((v, i) => (seenBefore.has(`${p}:${i}`) || v.firstFrameMs === null ? [] : [v.firstFrameMs])));
        const weriftCpuPercent = weriftAfter.reduce((sum, s, p) => sum + (s.cpuMicros - weriftBefore[p]!.cpuMicros) / 1e6, 0) / seconds * 100;
        const viewers = pages.length + fleet.count;
        const relayCpuPercent = ((relayCpuMicros(statsAfter) - relayCpuMicros(statsBefore)) / 1e6 / seconds) * 100;
        const zoneBefore = sumZones(statsBefore, zone);
        const zoneAfter = sumZones(statsAfter, zone);
        const relayKbpsPerViewer = ((zoneAfter.forwardedBytes - zoneBefore.forwardedBytes) * 8) / 1000 / seconds / viewers;
        const allFps = [...chromiumFps, ...weriftFps];
        const step: StepFigures = {
          viewers,
          chromium: pages.length,
          werift: fleet.count,
          fps: { chromium: chromiumFps.map((f) => round(f)), werift: weriftFps.map((f) => round(f)) },
          cameraRendererCpuPercent: round(((camAfter.renderer - camBefore.renderer) / seconds) * 100),
          cameraBrowserCpuPercent: round(((camAfter.total - camBefore.total) / seconds) * 100),
          cameraKbps: kbpsBetween(camRtpBefore, camRtpAfter),
          chromiumJitterBufferMs: chromeAfter.map((after, i) => jitterBufferMs(chromeBefore[i]!, after)),
          cameraConnections: camRtpAfter.connected,
          relayCpuPercent: round(relayCpuPercent),
          relayCpuPercentPerViewer: round(relayCpuPercent / viewers, 2),
          relayKbpsPerViewer: round(relayKbpsPerViewer, 0),
          relayLagP99Ms: round(statsAfter[0]?.eventLoopLagMs ?? Number.NaN),
          relayDeltas: { nacks: zoneAfter.nacks - zoneBefore.nacks, plis: zoneAfter.plis - zoneBefore.plis, keyframeWaits: zoneAfter.keyframeWaits - zoneBefore.keyframeWaits },
          keyframes: {
            relayPlis: zoneAfter.plis - sumZones(stepRelay, zone).plis,
            cameraPlis: camRtpAfter.pliReceived - stepCamera.pliReceived,
            cameraKeyframes: camRtpAfter.keyFramesEncoded - stepCamera.keyFramesEncoded,
          },
          operatorBrowserCpuPercent: round(((opAfter.total - opBefore.total) / seconds) * 100),
          weriftProcessesCpuPercent: round(weriftCpuPercent),
          joins: { chromium: index === 0 ? [...coldFirstFrames.slice(-1), ...chromiumJoins] : chromiumJoins, weriftFirstFrameMs },
          weriftFailures,
        };
        if (weriftFailures.length) notes.push(`${target} viewers: ${weriftFailures.length} werift receivers failed to watch: ${weriftFailures[0]}`);
        figures.push(step);
        const joinFirst = step.joins.chromium.map((j) => j.firstFrameMs);
        const joinLive = step.joins.chromium.flatMap((j) => (j.firstLiveMs === null ? [] : [j.firstLiveMs]));
        rows.push({
          viewers,
          'chromium+werift': `${step.chromium}+${step.werift}`,
          'worst fps': round(Math.min(...allFps)),
          'median fps': round(median(allFps)),
          'at ≥25 fps': allFps.filter((f) => f >= FPS_FLOOR).length,
          'no picture': allFps.filter((f) => f === 0).length,
          'camera renderer CPU %': step.cameraRendererCpuPercent,
          'camera browser CPU %': step.cameraBrowserCpuPercent,
          'camera kbit/s': step.cameraKbps,
          'relay CPU %': step.relayCpuPercent,
          'relay CPU %/viewer': step.relayCpuPercentPerViewer,
          'kbit/s/viewer': step.relayKbpsPerViewer,
          'relay lag p99 ms': step.relayLagP99Ms,
          'first frame ms (new Chromium)': joinFirst.length ? joinFirst.join(' ') : '',
          'first live ms': joinLive.length ? joinLive.join(' ') : '',
          'werift first frame p50 ms': weriftFirstFrameMs.length ? round(median(weriftFirstFrameMs), 0) : '',
          'viewer-side CPU %': round(step.operatorBrowserCpuPercent + step.weriftProcessesCpuPercent),
        });
      }
    } finally {
      await fleet?.close().catch(() => undefined);
      await Promise.allSettled([cameraBrowser.close(), p2pCameraBrowser.close(), operatorBrowser.close()]);
      await Promise.allSettled([relayGw.close(), p2pGw.close()]);
    }

    // Budgets.
    const reached = figures.filter((f) => Math.min(...f.fps.chromium, ...f.fps.werift) >= FPS_FLOOR).reduce((most, f) => Math.max(most, f.viewers), 0);
    const firstStep = figures[0];
    const lastStep = figures.at(-1);
    const cameraGrowth = firstStep && lastStep && firstStep !== lastStep
      ? ((lastStep.cameraRendererCpuPercent - firstStep.cameraRendererCpuPercent) / firstStep.cameraRendererCpuPercent) * 100
      : Number.NaN;
    const perTwoMbit = lastStep && lastStep.relayKbpsPerViewer > 0 ? lastStep.relayCpuPercentPerViewer * (2000 / lastStep.relayKbpsPerViewer) : Number.NaN;
    const warmFirstFrames = figures.flatMap((f, i) => (i === 0 ? f.joins.chromium.slice(1) : f.joins.chromium));
    const allFirstFrames = [...coldFirstFrames, ...warmFirstFrames].map((j) => j.firstFrameMs);
    const allFirstLive = [...coldFirstFrames, ...warmFirstFrames].flatMap((j) => (j.firstLiveMs === null ? [] : [j.firstLiveMs]));
    const firstFrameP50 = percentile(allFirstFrames, 50);
    const added = latency ? latency.relay.p50 - latency.p2p.p50 : Number.NaN;
    const budgets: Budget[] = [
      { name: 'viewers of one camera at ≥ 25 fps each (all of them, werift included)', budget: 50, figure: reached, unit: 'viewers', met: reached >= 50 },
      {
        name: `camera page CPU (renderer) change from ${firstStep?.viewers ?? '?'} to ${lastStep?.viewers ?? '?'} viewers (flat: ≤ ${FLAT_TOLERANCE_PERCENT} %)`,
        budget: FLAT_TOLERANCE_PERCENT, figure: round(cameraGrowth), unit: '%', met: Number.isFinite(cameraGrowth) && cameraGrowth <= FLAT_TOLERANCE_PERCENT,
      },
      {
        name: `relay CPU per 2 Mbit/s viewer, at ${lastStep?.viewers ?? '?'} viewers (ingest included, scaled from ${lastStep?.relayKbpsPerViewer ?? '?'} kbit/s)`,
        budget: 1, figure: round(perTwoMbit, 2), unit: '% of a core', met: perTwoMbit <= 1,
      },
      { name: 'latency added by the relay, p50 (relay − P2P, same moment)', budget: 5, figure: round(added), unit: 'ms', met: added <= 5 },
      { name: `first frame via the relay, p50 (${allFirstFrames.length} Chromium joins)`, budget: 200, figure: firstFrameP50, unit: 'ms', met: firstFrameP50 <= 200 },
    ];
    const join = (j: JoinTiming | null) => (j ? `offer ${j.offerMs ?? '–'} / connected ${j.connectedMs ?? '–'} / first frame ${j.firstFrameMs} / live ${j.firstLiveMs ?? '–'} ms` : '–');
    if (latency) {
      const { relay, p2p } = latency;
      notes.push(`latency, one Chromium viewer each at the same moment: relay p50/p95 ${relay.p50}/${relay.p95} ms, P2P ${p2p.p50}/${p2p.p95} ms; added p50 ${round(added)} ms`);
      notes.push(`  relay: ${relay.fps} fps, ${relay.frames} frames read, viewer jitter buffer ${relay.jitterBufferMs} ms/frame, arrival jitter ${relay.arrivalJitterMs} ms, camera sends ${relay.cameraKbps} kbit/s; P2P: ${p2p.fps} fps, ${p2p.frames}, jitter buffer ${p2p.jitterBufferMs} ms/frame, arrival jitter ${p2p.arrivalJitterMs} ms, camera sends ${p2p.cameraKbps} kbit/s`);
      notes.push(`  join, from the click: via relay (first viewer) ${join(relay.firstFrame)}; P2P ${join(p2p.firstFrame)}`);
    }
    notes.push(`first frame via the relay: first viewer (the camera's connection to the relay made each time) ${coldFirstFrames.map((j) => j.firstFrameMs).join(', ')} ms; later viewers ${warmFirstFrames.map((j) => j.firstFrameMs).join(', ') || '–'} ms; first live frame p50 ${round(percentile(allFirstLive, 50), 0)} ms (${allFirstLive.length}/${allFirstFrames.length} reached one)`);
    notes.push(`  relay joins, from the click, p50: offer ${percentile([...coldFirstFrames, ...warmFirstFrames].flatMap((j) => (j.offerMs === null ? [] : [j.offerMs])), 50)} / connected ${percentile([...coldFirstFrames, ...warmFirstFrames].flatMap((j) => (j.connectedMs === null ? [] : [j.connectedMs])), 50)} / first frame ${firstFrameP50} ms`);
    notes.push('Chromium viewers\' jitter buffer, ms/frame, at each step: ' + figures.map((f) => `${f.viewers}: ${round(median(f.chromiumJitterBufferMs))}`).join(', '));
    if (firstStep && lastStep && lastStep !== firstStep) {
      const marginal = ((lastStep.relayCpuPercent - firstStep.relayCpuPercent) / (lastStep.viewers - firstStep.viewers));
      notes.push(`relay CPU per added viewer (${firstStep.viewers} → ${lastStep.viewers}): ${round(marginal, 2)} % of a core at ${lastStep.relayKbpsPerViewer} kbit/s each`);
    }
    notes.push('camera connections at each step (one encode): ' + figures.map((f) => `${f.viewers}→${f.cameraConnections}`).join(', '));
    notes.push('keyframes from the first join of each step to the end of its window: PLIs the relay sent / the camera received / keyframes it encoded: ' + figures.map((f) => `${f.viewers}: ${f.keyframes.relayPlis}/${f.keyframes.cameraPlis}/${f.keyframes.cameraKeyframes}`).join(', '));
    notes.push('relay NACKs / PLIs / keyframe waits in each window: ' + figures.map((f) => `${f.viewers}: ${f.relayDeltas.nacks}/${f.relayDeltas.plis}/${f.relayDeltas.keyframeWaits}`).join(', '));
    return {
      table: rows,
      figures: { steps: figures, latency, firstFrame: { cold: coldFirstFrames, warm: warmFirstFrames, p50Ms: firstFrameP50, firstLiveP50Ms: percentile(allFirstLive, 50) }, viewersAt25Fps: reached, cpus: (await import('node:os')).cpus().length },
      budgets,
      notes,
    };
  },
};
