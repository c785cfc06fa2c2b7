import type { BenchPart } from '../types.ts';
import { besideSingleNode, runStep, stepsFrom, tableRow, type StepResult } from './part.ts';

const DEFAULT_STEPS = [100, 1_000];

/**
 * The same load against bare Socket.IO on HTTPS (floorProcess.ts): the cost of the transport
 * alone on this machine, so the gateway's own share of each figure can be read off.
 */
export const floorPart: BenchPart = {
  name: 'floor',
  description: 'the signalling load against bare Socket.IO on HTTPS relaying the same messages (no auth, schemas, access checks, audit): the transport floor',
  async run({ args }) {
    const results: StepResult[] = [];
    for (const pairs of stepsFrom(args, DEFAULT_STEPS)) results.push(await runStep(pairs, { server: 'floor' }));
    return { table: results.map(tableRow), figures: results, notes: besideSingleNode(results, 'bare Socket.IO'), budgets: [] };
  },
};
