import { percentile, round } from '../stats.ts';
import { probeTile } from './clockProbe.ts';
import { BrowserRig } from './rig.ts';

/** How long each operator's latency is sampled, after a warm-up. */
const MEASURE_MS = 8_000;
const WARM_UP_MS = 2_000;
const FIRST_FRAME_TRIALS = 7;

interface RunFigures {
  operators: number;
  firstFrameMs: number[];
  perOperator: { operator: number; latencyP50: number; latencyP95: number; fps: number; readableFrames: number; unreadableFrames: number }[];
  latencyP50: number;
  latencyP95: number;
  minFps: number;
}

/** One camera (clock test pattern, 720p30) and `operators` consoles on one zone. */
async function runWith(operators: number): Promise<RunFigures> {
  const rig = await BrowserRig.start();
  try {
    const zone = `BENCH-LATENCY-${operators}`;
    await rig.startCamera(zone);
    const pages = [];
    for (let i = 0; i < operators; i++) pages.push(await rig.openOperator());

    // Time to first frame: click → first presented frame, repeated on a warm camera.
    const firstFrameMs: number[] = [];
    const trials = operators === 1 ? FIRST_FRAME_TRIALS : 1;
    for (let trial = 0; trial < trials; trial++) {
      for (const page of pages) firstFrameMs.push(await rig.watch(page, zone));
      if (trial < trials - 1) for (const page of pages) await rig.unwatch(page, zone);
    }

    await pages[0]!.waitForTimeout(WARM_UP_MS);
    const probes = await Promise.all(pages.map((page) => probeTile(page, zone, MEASURE_MS)));
    const perOperator = probes.map((probe, index) => ({
      operator: index + 1,
      latencyP50: round(percentile(probe.latencies, 50)),
      latencyP95: round(percentile(probe.latencies, 95)),
      fps: round(probe.frames / probe.seconds),
      readableFrames: probe.latencies.length,
      unreadableFrames: probe.unreadable,
    }));
    const all = probes.flatMap((p) => p.latencies);
    if (all.length === 0) throw new Error('no frame carried a readable clock: is the camera publishing the test pattern?');
    return {
      operators,
      firstFrameMs,
      perOperator,
      latencyP50: round(percentile(all, 50)),
      latencyP95: round(percentile(all, 95)),
      minFps: Math.min(...perOperator.map((o) => o.fps)),
    };
  } finally {
    await rig.close();
  }
}

export const latencyPart = {
  name: 'latency',
  description: 'time to first frame and capture-to-display latency in Chromium, 1 and 4 operators',
  async run() {
    const one = await runWith(1);
    const four = await runWith(4);
    const firstFrames = [...one.firstFrameMs, ...four.firstFrameMs];
    const firstFrameP50 = percentile(firstFrames, 50);
    const rows = [one, four].flatMap((run) =>
      run.perOperator.map((o) => ({
        operators: run.operators,
        operator: o.operator,
        'first frame ms': run.firstFrameMs[run.operators === 1 ? run.firstFrameMs.length - 1 : o.operator - 1] ?? '',
        'latency p50 ms': o.latencyP50,
        'latency p95 ms': o.latencyP95,
        fps: o.fps,
        'frames read': `${o.readableFrames}/${o.readableFrames + o.unreadableFrames}`,
      })),
    );
    return {
      table: rows,
      figures: { oneOperator: one, fourOperators: four, firstFrameP50Ms: firstFrameP50, firstFrameSamplesMs: firstFrames },
      budgets: [
        { name: 'time to first frame p50', budget: 150, figure: firstFrameP50, unit: 'ms', met: firstFrameP50 <= 150 },
        { name: 'latency p50, 1 operator', budget: 25, figure: one.latencyP50, unit: 'ms', met: one.latencyP50 <= 25 },
        { name: 'latency p95, 1 operator', budget: 40, figure: one.latencyP95, unit: 'ms', met: one.latencyP95 <= 40 },
        { name: 'latency p50, 4 operators', budget: 30, figure: four.latencyP50, unit: 'ms', met: four.latencyP50 <= 30 },
        { name: 'latency p95, 4 operators', budget: 50, figure: four.latencyP95, unit: 'ms', met: four.latencyP95 <= 50 },
        { name: 'frame rate of every operator, 4 operators', budget: 25, figure: four.minFps, unit: 'fps (min)', met: four.minFps >= 25 },
      ],
    };
  },
};
