import { round } from '../stats.ts';
import { probeTile } from './clockProbe.ts';
import { BrowserRig } from './rig.ts';

const MAX_OPERATORS = 12;
const FPS_FLOOR = 25;
const SETTLE_MS = 2_000;
const WINDOW_MS = 3_000;

/** Operators join one 720p camera one by one until any of them drops below 25 fps. */
export const fanoutPart = {
  name: 'fanout',
  description: 'operators on one 720p30 camera until any falls below 25 fps',
  async run() {
    const rig = await BrowserRig.start();
    const zone = 'BENCH-FANOUT';
    const rows: { operators: number; 'min fps': number; 'mean fps': number; 'camera CPU % of a core': number }[] = [];
    let reached = 0;
    try {
      await rig.startCamera(zone);
      const pages = [];
      for (let count = 1; count <= MAX_OPERATORS; count++) {
        const page = await rig.openOperator();
        pages.push(page);
        await rig.watch(page, zone);
        await page.waitForTimeout(SETTLE_MS);
        const cpuBefore = await rig.cameraCpuSeconds();
        const started = Date.now();
        const probes = await Promise.all(pages.map((p) => probeTile(p, zone, WINDOW_MS)));
        const cpuPercent = ((await rig.cameraCpuSeconds()) - cpuBefore) / ((Date.now() - started) / 1000) * 100;
        const fps = probes.map((p) => p.frames / p.seconds);
        rows.push({
          operators: count,
          'min fps': round(Math.min(...fps)),
          'mean fps': round(fps.reduce((a, b) => a + b, 0) / fps.length),
          'camera CPU % of a core': round(cpuPercent),
        });
        if (Math.min(...fps) < FPS_FLOOR) break;
        reached = count;
      }
    } finally {
      await rig.close();
    }
    return {
      table: rows,
      figures: { operatorsAt25Fps: reached, capped: reached === MAX_OPERATORS, steps: rows },
      budgets: [],
      notes: [`${reached}${reached === MAX_OPERATORS ? '+ (the bench stops there)' : ''} operators kept ≥ ${FPS_FLOOR} fps on one 720p30 camera`],
    };
  },
};
