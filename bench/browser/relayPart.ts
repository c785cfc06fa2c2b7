import type { Browser, Page } from 'playwright-core';
import { launchBrowser, startCamera, tile } from '../../test/support/browser.ts';
import { startGateway, type TestGateway } from '../../test/support/gateway.ts';
import type { RelayStats } from '../../src/server/media/relayProtocol.ts';
import { percentile, round } from '../stats.ts';
import type { BenchPart, Budget } from '../types.ts';
import { clockReaderScript, probeTile } from './clockProbe.ts';
import { openOperator, TRACK_CONNECTIONS, unwatch, watchTimed, type JoinTiming } from './operatorJoin.ts';
import { WeriftFleet } from './weriftFleet.ts';

/** Viewer counts of a run unless the command line gives some (`relay 1,4,8,50`). */
const DEFAULT_STEPS = [1, 4, 8, 20, 35, 50];
/** Chromium viewers first (they decode and display), werift receivers for the rest; `--chromium=N` changes it. */
const MAX_CHROMIUM = 8;
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
/** No step starts after this much of the run (the part is bounded to four minutes). */
const LAST_STEP_START_MS = 185_000;
const CAMERA_VIEWPORT = { width: 480, height: 360 };
/** Budget for "flat": the camera page's CPU may grow this much from the first step to the last. */
const FLAT_TOLERANCE_PERCENT = 25;


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
