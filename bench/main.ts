import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fanoutPart } from './browser/fanoutPart.ts';
import { latencyPart } from './browser/latencyPart.ts';
import { relayPart } from './browser/relayPart.ts';
import { rtspPart } from './browser/rtspPart.ts';
import { clusterPart } from './signalling-load/clusterPart.ts';
import { floorPart } from './signalling-load/floorPart.ts';
import { signallingPart } from './signalling-load/part.ts';
import { budgetLine, renderTable } from './table.ts';
import { visionPart } from './vision/part.ts';
import { eventsPart } from './events/part.ts';
import type { BenchPart, Budget } from './types.ts';

const PARTS: BenchPart[] = [signallingPart, floorPart, clusterPart, latencyPart, fanoutPart, relayPart, rtspPart, visionPart, eventsPart];
const RESULTS = join(import.meta.dirname, 'results');

const args = process.argv.slice(2);
const names = args.filter((a) => !a.startsWith('--') && PARTS.some((p) => p.name === a));
const unknown = args.filter((a) => !a.startsWith('--') && !/^[\d,]+$/.test(a) && !PARTS.some((p) => p.name === a));
if (unknown.length > 0) {
  console.error(`bench: unknown part ${unknown.join(', ')}; parts: ${PARTS.map((p) => p.name).join(', ')}`);
  process.exit(2);
}
const selected = names.length ? PARTS.filter((p) => names.includes(p.name)) : PARTS;

mkdirSync(RESULTS, { recursive: true });
const latestPath = join(RESULTS, 'latest.json');
const latest: Record<string, unknown> = existsSync(latestPath) ? JSON.parse(readFileSync(latestPath, 'utf8')) : {};
const budgets: Budget[] = [];
const started = Date.now();
for (const part of selected) {
  console.log(`\n== ${part.name}: ${part.description}`);
  const partStarted = Date.now();
  const result = await part.run({ args });
  console.log(renderTable(result.table));
  for (const note of result.notes ?? []) console.log(`note: ${note}`);
  console.log(`(${((Date.now() - partStarted) / 1000).toFixed(0)} s)`);
  const record = { measuredAt: new Date().toISOString(), machine: { cpus: (await import('node:os')).cpus().length, node: process.version }, ...result };
  writeFileSync(join(RESULTS, `${part.name}.json`), `${JSON.stringify(record, null, 2)}\n`);
  latest[part.name] = record;
  budgets.push(...result.budgets);
}
writeFileSync(latestPath, `${JSON.stringify(latest, null, 2)}\n`);
console.log(`\nBudgets (${((Date.now() - started) / 1000).toFixed(0)} s in all):`);
for (const b of budgets) console.log(budgetLine(b));
