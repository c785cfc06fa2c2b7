import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { processCpuSeconds } from '../../src/server/util/processCpu.ts';
import type { CameraView } from '../../src/shared/index.ts';
import { launchBrowser } from '../../test/support/browser.ts';
import { startGateway, type TestGateway } from '../../test/support/gateway.ts';
import { makeClip, startRtspCamera, type RtspCamera } from '../../test/support/rtspCamera.ts';
import { waitFor } from '../../test/support/waitFor.ts';
import { percentile, round } from '../stats.ts';
import type { BenchPart, Budget } from '../types.ts';
import { clockReaderScript } from './clockProbe.ts';
import { openOperator, watchTimed, type JoinTiming } from './operatorJoin.ts';
import { WeriftFleet } from './weriftFleet.ts';

/** Cold joins of one RTSP camera (each a new console page), for first frame and first live frame. */
const FIRST_FRAME_TRIALS = 7;
/** 1080p30 cameras whose ingest CPU is measured together, and for how long. */
const CPU_CAMERAS = 4;
const CPU_WINDOW_MS = 10_000;
/** Camera counts of the capacity steps, two werift receivers each, unless the command line gives some (`rtsp 8,16`). */
const DEFAULT_STEPS = [8, 16, 32];
const VIEWERS_PER_CAMERA = 2;
const FPS_FLOOR = 25;
const WINDOW_MS = 5_000;

const cpuSeconds = (pid: number): number => processCpuSeconds(pid) ?? 0;

async function addCamera(gw: TestGateway, zone: string, url: string): Promise<number> {
  const reply = await gw.api('/api/cameras', { cookie: gw.admin.cookie, body: { zone, name: zone, url } });
  if (reply.status !== 201) throw new Error(`adding ${zone}: ${reply.status} ${reply.body}`);
  return (reply.json.camera as CameraView).id;
}

async function allLive(gw: TestGateway, ids: number[], timeoutMs: number): Promise<void> {
  await waitFor(() => ids.every((id) => gw.gateway.cameras.running.ingest(id)?.status === 'live'), `${ids.length} cameras live`, { timeoutMs, everyMs: 200 });
}

/** What the ingests of `ids` (their ffmpeg) and the relay workers use, in % of one core, over `ms`. */
async function ingestCpu(gw: TestGateway, ids: number[], ms: number): Promise<{ ffmpeg: number; relay: number }> {
  const pids = () => ids.flatMap((id) => { const pid = gw.gateway.cameras.running.ingest(id)?.ffmpegPid; return pid ? [pid] : []; });
  const relayCpu = async () => (await gw.gateway.relayWorkers!.stats()).reduce((sum, s) => sum + s.cpuMicros / 1e6, 0);
  const before = { ffmpeg: pids().reduce((sum, pid) => sum + cpuSeconds(pid), 0), relay: await relayCpu(), at: Date.now() };
  await new Promise((resolve) => setTimeout(resolve, ms));
  const seconds = (Date.now() - before.at) / 1000;
  return {
    ffmpeg: (100 * (pids().reduce((sum, pid) => sum + cpuSeconds(pid), 0) - before.ffmpeg)) / seconds,
    relay: (100 * ((await relayCpu()) - before.relay)) / seconds,
  };
}

function stepsFrom(args: string[]): number[] {
  const given = args.find((a) => /^[\d,]+$/.test(a));
  return given ? given.split(',').map(Number).filter((n) => n > 0) : DEFAULT_STEPS;
}

export const rtspPart: BenchPart = {
  name: 'rtsp',
  description: 'IP cameras (GStreamer RTSP server → ffmpeg -c copy → relay): first frame and first live frame in Chromium with a 2 s GOP, ingest CPU per 1080p30 camera, cameras one gateway ingests with 2 receivers each at ≥ 25 fps',
  async run({ args }) {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-rtsp-'));
    const cameras: RtspCamera[] = [];
    const gateways: TestGateway[] = [];
    const notes: string[] = [];
    try {
      // ---- first frame and first live frame: a 720p30 camera painting the clock, 2 s GOP
      const clockCamera = await startRtspCamera('high', { clock: true, size: '1280x720', gop: 60 });
      cameras.push(clockCamera);
      const gw = await startGateway({ media: { policy: 'auto', workers: 1 }, cameras: [{ zone: 'BENCH-RTSP-CLOCK', name: 'clock', url: clockCamera.url }] });
      gateways.push(gw);
      await waitFor(async () => (await gw.gateway.cameras.running.list())[0]?.status === 'live', 'the clock camera live', { timeoutMs: 20_000 });
      const browser = await launchBrowser();
      const joins: JoinTiming[] = [];
      try {
        const reader = clockReaderScript();
        for (let trial = 0; trial < FIRST_FRAME_TRIALS; trial++) {
          const page = await openOperator(browser, gw, reader);
          joins.push(await watchTimed(page, 'BENCH-RTSP-CLOCK'));
          await page.close();
          // Joins land at different points of the camera's GOP.
          await new Promise((resolve) => setTimeout(resolve, 700));
        }
      } finally {
        await browser.close();
      }
      await gw.close();
      gateways.pop();
      const firstFrames = joins.map((j) => j.firstFrameMs);
      const firstLive = joins.flatMap((j) => (j.firstLiveMs === null ? [] : [j.firstLiveMs]));

      // ---- ingest CPU and capacity: 1080p30 cameras from a looped clip (the camera side costs almost nothing)
      const clipCamera = await startRtspCamera('clip', { clip: makeClip(dir, { size: '1920x1080', fps: 30, bitrate: '4M' }) });
      cameras.push(clipCamera);
      const capacity = await startGateway({ media: { policy: 'auto' } });
      gateways.push(capacity);
      const ids: number[] = [];
      for (let i = ids.length; i < CPU_CAMERAS; i++) ids.push(await addCamera(capacity, `BENCH-RTSP-${i + 1}`, clipCamera.url));
      await allLive(capacity, ids, 30_000);
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      const cpu = await ingestCpu(capacity, ids, CPU_WINDOW_MS);
      const perCamera = (cpu.ffmpeg + cpu.relay) / CPU_CAMERAS;

      const fleet = await WeriftFleet.start(capacity, 'BENCH-RTSP-1');
      const steps: { cameras: number; viewers: number; atFloor: number; minFps: number; ingestCpuPercent: number; relayCpuPercent: number }[] = [];
      try {
        let watched = 0;
        for (const target of stepsFrom(args)) {
          for (let i = ids.length; i < target; i++) ids.push(await addCamera(capacity, `BENCH-RTSP-${i + 1}`, clipCamera.url));
          await allLive(capacity, ids, 60_000).catch((error: unknown) => notes.push(`${target} cameras: ${(error as Error).message}`));
          for (; watched < target; watched++) {
            const failed = await fleet.add(VIEWERS_PER_CAMERA, `BENCH-RTSP-${watched + 1}`);
            if (failed.length > 0) notes.push(`receivers refused: ${failed.join('; ')}`);
          }
          await fleet.waitPlaying(15_000);
          await new Promise((resolve) => setTimeout(resolve, 2_000));
          const before = (await fleet.sample()).flatMap((s) => s.viewers.map((v) => ({ ...v, at: s.at })));
          const stepCpu = await ingestCpu(capacity, ids, WINDOW_MS);
          const after = (await fleet.sample()).flatMap((s) => s.viewers.map((v) => ({ ...v, at: s.at })));
          const fps = after.map((v, i) => ((v.frames - before[i]!.frames) * 1000) / (v.at - before[i]!.at));
          steps.push({
            cameras: target, viewers: fps.length, atFloor: fps.filter((f) => f >= FPS_FLOOR).length, minFps: round(Math.min(...fps)),
            ingestCpuPercent: round(stepCpu.ffmpeg), relayCpuPercent: round(stepCpu.relay),
          });
          if (fps.some((f) => f < FPS_FLOOR)) break;
        }
      } finally {
        await fleet.close();
      }
      const reached = Math.max(0, ...steps.filter((s) => s.atFloor === s.viewers).map((s) => s.cameras));
      const budgets: Budget[] = [
        { name: 'rtsp: first frame, 2 s GOP, p50', budget: 250, figure: percentile(firstFrames, 50), unit: 'ms', met: percentile(firstFrames, 50) <= 250 },
        { name: 'rtsp: first live frame, p50', budget: 500, figure: percentile(firstLive, 50), unit: 'ms', met: firstLive.length === joins.length && percentile(firstLive, 50) <= 500 },
        { name: 'rtsp: ingest CPU per 1080p30 camera (ffmpeg + relay)', budget: 3, figure: round(perCamera, 2), unit: '% of a core', met: perCamera <= 3 },
        { name: `rtsp: 1080p30 cameras at ≥ ${FPS_FLOOR} fps, ${VIEWERS_PER_CAMERA} receivers each`, budget: 32, figure: reached, unit: 'cameras', met: reached >= 32 },
      ];
      notes.push(`first frame ms: ${firstFrames.join(', ')}; first live ms: ${joins.map((j) => j.firstLiveMs ?? '–').join(', ')}`);
      notes.push(`ingest of ${CPU_CAMERAS} cameras: ffmpeg ${round(cpu.ffmpeg)} %, relay workers ${round(cpu.relay)} % of a core in all`);
      return {
        table: [
          { measure: 'first frame p50 / p95', value: `${percentile(firstFrames, 50)} / ${percentile(firstFrames, 95)} ms` },
          { measure: 'first live frame p50 / p95', value: `${percentile(firstLive, 50)} / ${percentile(firstLive, 95)} ms (${firstLive.length}/${joins.length} went live)` },
          { measure: 'ingest CPU per 1080p30 camera', value: `${round(perCamera, 2)} % of a core (ffmpeg ${round(cpu.ffmpeg / CPU_CAMERAS, 2)} + relay ${round(cpu.relay / CPU_CAMERAS, 2)})` },
          ...steps.map((s) => ({ measure: `${s.cameras} cameras × ${VIEWERS_PER_CAMERA}`, value: `${s.atFloor}/${s.viewers} receivers ≥ ${FPS_FLOOR} fps (min ${s.minFps}); ffmpeg ${s.ingestCpuPercent} %, relay ${s.relayCpuPercent} %` })),
        ],
        figures: { joins, cpu: { ...cpu, perCamera }, steps, camerasReached: reached },
        budgets,
        notes,
      };
    } finally {
      for (const gw of gateways) await gw.close();
      await Promise.all(cameras.map((c) => c.stop()));
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
