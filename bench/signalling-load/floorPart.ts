import type { BenchPart } from '../types.ts';
import { besideSingleNode, runStep, stepsFrom, tableRow, type StepResult } from './part.ts';

const DEFAULT_STEPS = [100, 1_000];

/**
 * The same load against bare Socket.IO (floorProcess.ts), on HTTPS and on plain HTTP: the cost of
 * the transport alone on this machine, and of TLS within it, so the gateway's own share of each
 * figure can be read off.
 */
export const floorPart: BenchPart = {
  name: 'floor',
  description: 'the signalling load against bare Socket.IO relaying the same messages (no auth, schemas, access checks, audit), on HTTPS and on plain HTTP: the transport floor',
  async run({ args }) {
    const results: (StepResult & { transport: string })[] = [];
    for (const [server, transport] of [['floor', 'HTTPS'], ['floor-plain', 'HTTP']] as const) {
      for (const pairs of stepsFrom(args, DEFAULT_STEPS)) results.push({ transport, ...(await runStep(pairs, { server })) });
    }
    return {
      table: results.map((r) => ({ transport: r.transport, ...tableRow(r) })),
      figures: results,
      notes: [
        ...besideSingleNode(results.filter((r) => r.transport === 'HTTPS'), 'bare Socket.IO on HTTPS'),
        ...besideSingleNode(results.filter((r) => r.transport === 'HTTP'), 'bare Socket.IO on plain HTTP'),
      ],
      budgets: [],
    };
  },
};
