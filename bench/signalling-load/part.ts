import { fork, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { percentile, round } from '../stats.ts';
import type { BenchPart } from '../types.ts';
import type { GeneratorCommand, GeneratorReport } from './loadGenerator.ts';
import { MESSAGES_PER_PAIR } from './payloads.ts';
import type { ServerCommand, ServerMessage } from './serverControl.ts';

const DEFAULT_STEPS = [100, 1_000, 5_000];
const GENERATORS = 2;
const FD_PER_PAIR_ON_SERVER = 2;

function child(file: string, execArgv: string[] = [], env: Record<string, string> = {}): ChildProcess {
  return fork(join(import.meta.dirname, file), [], { execArgv: [...execArgv, '--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'], env: { ...process.env, ...env } });
}

/** Where the gateway nodes of a step keep shared state: nothing (one node) or Redis and PostgreSQL. */
export interface ClusterServices { env: () => Promise<Record<string, string>> }

export interface StepOptions {
  /** Two gateway nodes sharing these services instead of one. */
  cluster?: ClusterServices;
  /** `floor`: bare Socket.IO relaying the same messages (floorProcess.ts) instead of the gateway; `floor-plain` the same without TLS. */
  server?: 'gateway' | 'floor' | 'floor-plain';
}

function next<T>(proc: ChildProcess, type: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: { type: string }) => {
      if (message.type !== type) return;
      proc.off('message', onMessage);
      resolve(message as T);
    };
    proc.on('message', onMessage);
    proc.once('exit', (code) => reject(new Error(`${type}: process exited with ${code}`)));
  });
}

type Usage = Extract<ServerMessage, { type: 'usage' }>;
type Negotiated = Extract<GeneratorReport, { type: 'negotiated' }>;

/** One round: every generator's pairs send their offers at once; resolves when all are answered. */
async function negotiate(generators: ChildProcess[]): Promise<Negotiated[]> {
  const reports = generators.map((g) => next<Negotiated>(g, 'negotiated'));
  generators.forEach((g) => g.send({ type: 'negotiate' } satisfies GeneratorCommand));
  return Promise.all(reports);
}

async function profile(servers: ChildProcess[], command: ServerCommand): Promise<void> {
  await Promise.all(servers.map((server) => {
    server.send(command);
    return next(server, 'profiled');
  }));
}

/** The nodes' CPU, RSS and sockets, summed: a cluster's cost is all of its nodes'. */
async function usage(servers: ChildProcess[]): Promise<Usage> {
  const each = await Promise.all(servers.map((server) => {
    server.send({ type: 'usage' });
    return next<Usage>(server, 'usage');
  }));
  return each.reduce((sum, u) => ({ type: 'usage', cpuMicros: sum.cpuMicros + u.cpuMicros, rss: sum.rss + u.rss, heapUsed: sum.heapUsed + u.heapUsed, sockets: sum.sockets + u.sockets }));
}

function mergeFailures(reports: { failures: Record<string, number> }[]): Record<string, number> {
  const merged: Record<string, number> = {};
  for (const report of reports) for (const [reason, count] of Object.entries(report.failures)) merged[reason] = (merged[reason] ?? 0) + count;
  return merged;
}

/**
 * One step: one gateway node, or (with `cluster`) two nodes sharing Redis and PostgreSQL with
 * every camera on the first and its viewer on the second, so every message crosses nodes.
 */
export async function runStep(pairs: number, { cluster, server = 'gateway' }: StepOptions = {}) {
  // BENCH_CPU_PROF=<dir> writes a V8 CPU profile of each gateway process's negotiation phase.
  const profileDir = process.env.BENCH_CPU_PROF;
  const env = { ...(cluster ? await cluster.env() : {}), ...(server === 'floor-plain' ? { BENCH_FLOOR_PLAIN: '1' } : {}) };
  const servers = [child(server === 'gateway' ? 'serverProcess.ts' : 'floorProcess.ts', ['--expose-gc'], env)];
  const { url, credentials } = await next<Extract<ServerMessage, { type: 'ready' }>>(servers[0]!, 'ready');
  let viewerUrl = url;
  if (cluster) {
    servers.push(child('serverProcess.ts', ['--expose-gc'], env));
    viewerUrl = (await next<Extract<ServerMessage, { type: 'ready' }>>(servers[1]!, 'ready')).url;
  }
  const generators = Array.from({ length: GENERATORS }, () => child('loadGenerator.ts'));
  try {
    const idle = await usage(servers);
    const share = Math.ceil(pairs / GENERATORS);
    const connected = generators.map((g, i) => next<Extract<GeneratorReport, { type: 'connected' }>>(g, 'connected'));
    generators.forEach((g, i) => g.send({
      type: 'connect', url, viewerUrl, credentials, pairs: Math.min(share, pairs - i * share), offset: i * share,
    } satisfies GeneratorCommand));
    const connectFailures = mergeFailures(await Promise.all(connected));
    await new Promise((r) => setTimeout(r, 1_000));
    const connectedIdle = await usage(servers);
    // One unmeasured round first: the JIT compiles the relay path in the gateway and the generators alike.
    const warmUp = await negotiate(generators);
    const loaded = await usage(servers);
    if (profileDir) await profile(servers, { type: 'profile', action: 'start' });

    const started = performance.now();
    const reports = await negotiate(generators);
    const wallMs = performance.now() - started;
    const after = await usage(servers);
    if (profileDir) {
      await Promise.all(servers.map((node, i) => profile([node], { type: 'profile', action: 'stop', path: join(profileDir, `${server}-${cluster ? 'cluster' : 'single'}-${pairs}-node${i}.cpuprofile`) })));
    }

    const latencies = reports.flatMap((r) => r.latencies);
    const relayed = reports.reduce((sum, r) => sum + r.received, 0);
    const failures = mergeFailures([{ failures: connectFailures }, ...warmUp, ...reports]);
    const coldLatencies = warmUp.flatMap((r) => r.latencies);
    const failureCount = Object.values(failures).reduce((a, b) => a + b, 0);
    return {
      pairs,
      sockets: connectedIdle.sockets,
      failures: failureCount,
      failureReasons: failures,
      relayed,
      expected: pairs * MESSAGES_PER_PAIR,
      p50: round(percentile(latencies, 50), 2),
      p99: round(percentile(latencies, 99), 2),
      max: round(Math.max(...latencies), 2),
      coldP99: round(percentile(coldLatencies, 99), 2),
      cpuMicrosPerMessage: round((after.cpuMicros - loaded.cpuMicros) / Math.max(1, relayed), 1),
      rssMb: round(connectedIdle.rss / 2 ** 20, 1),
      // RSS can fall while sockets connect (the collector returns start-up garbage): no figure then, not a negative one.
      rssPerSocketKb: connectedIdle.rss >= idle.rss ? round((connectedIdle.rss - idle.rss) / 1024 / Math.max(1, connectedIdle.sockets), 2) : Number.NaN,
      // The JavaScript heap's share of that (the rest is native: TLS state, buffers, allocator).
      heapPerSocketKb: round((connectedIdle.heapUsed - idle.heapUsed) / 1024 / Math.max(1, connectedIdle.sockets), 2),
      negotiationMs: Math.round(wallMs),
    };
  } finally {
    for (const g of generators) g.send({ type: 'close' } satisfies GeneratorCommand);
    for (const server of servers) server.send({ type: 'stop' });
    await Promise.all([...servers, ...generators].map((p) => new Promise((r) => (p.exitCode !== null ? r(null) : p.once('exit', r)))));
  }
}

export type StepResult = Awaited<ReturnType<typeof runStep>>;

export function tableRow(r: StepResult): Record<string, string | number> {
  return {
    pairs: r.pairs, sockets: r.sockets, failures: r.failures, relayed: r.relayed,
    'p50 ms': r.p50, 'p99 ms': r.p99, 'max ms': r.max, 'cold p99 ms': r.coldP99,
    'CPU µs/msg': r.cpuMicrosPerMessage, 'RSS MB': r.rssMb, 'KB/socket': r.rssPerSocketKb, 'heap KB/socket': r.heapPerSocketKb, 'wall ms': r.negotiationMs,
  };
}

/** The single-node figures of the last `signalling` run, to set another run's beside them. */
function singleNodeFigures(): StepResult[] {
  const path = join(import.meta.dirname, '..', 'results', 'signalling.json');
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as { figures: StepResult[] }).figures : [];
}

/** One note per step that the last `signalling` run also measured: `label` against one gateway node. */
export function besideSingleNode(results: StepResult[], label: string): string[] {
  const single = singleNodeFigures();
  return results.flatMap((r) => {
    const one = single.find((s) => s.pairs === r.pairs);
    if (!one) return [];
    const ratio = (a: number, b: number) => `×${round(a / b, 2)}`;
    const kb = (value: number | null) => (value === null || !Number.isFinite(value) ? '–' : String(value));
    return [`${r.pairs} pairs, ${label} vs the gateway: p99 ${r.p99} vs ${one.p99} ms (${ratio(r.p99, one.p99)}), CPU ${r.cpuMicrosPerMessage} vs ${one.cpuMicrosPerMessage} µs/msg (${ratio(r.cpuMicrosPerMessage, one.cpuMicrosPerMessage)}), ${kb(r.rssPerSocketKb)} vs ${kb(one.rssPerSocketKb)} KB/socket, failures ${r.failures} vs ${one.failures}`];
  });
}

/** `--pairs 100,1000` replaces a part's default steps. */
export function stepsFrom(args: string[], defaults: number[]): number[] {
  const override = args.indexOf('--pairs');
  return override >= 0 ? args[override + 1]!.split(',').map(Number) : defaults;
}

export const signallingPart: BenchPart = {
  name: 'signalling',
  description: 'K camera/viewer pairs negotiating at once (offer+answer ~4 KB, 8 candidates each way), 2 load-generator processes',
  async run({ args }) {
    const steps = stepsFrom(args, DEFAULT_STEPS);
    const limit = Number((await import('node:child_process')).execSync('ulimit -n', { shell: '/bin/bash' }).toString().trim());
    const results: Awaited<ReturnType<typeof runStep>>[] = [];
    for (const pairs of steps) {
      if (pairs * FD_PER_PAIR_ON_SERVER + 100 > limit) throw new Error(`${pairs} pairs need about ${pairs * 2 + 100} file descriptors; ulimit -n is ${limit}.`);
      results.push(await runStep(pairs));
    }
    const at = (pairs: number) => results.find((r) => r.pairs === pairs);
    const largest = results.at(-1)!;
    const cpuStep = at(1_000) ?? largest;
    return {
      table: results.map(tableRow),
      figures: results,
      notes: results.filter((r) => r.failures > 0).map((r) => `${r.pairs} pairs failures: ${JSON.stringify(r.failureReasons)}`),
      budgets: [
        { name: 'pairs negotiating at once with 0 failures', budget: 5_000, figure: Math.max(0, ...results.filter((r) => r.failures === 0).map((r) => r.pairs)), unit: 'pairs', met: at(5_000)?.failures === 0 },
        { name: 'relay latency p99 at 100 pairs', budget: 20, figure: at(100)?.p99 ?? Number.NaN, unit: 'ms', met: (at(100)?.p99 ?? Infinity) <= 20 },
        { name: 'relay latency p99 at 1,000 pairs', budget: 100, figure: at(1_000)?.p99 ?? Number.NaN, unit: 'ms', met: (at(1_000)?.p99 ?? Infinity) <= 100 },
        { name: `server CPU per relayed message (${cpuStep.pairs} pairs)`, budget: 50, figure: cpuStep.cpuMicrosPerMessage, unit: 'µs', met: cpuStep.cpuMicrosPerMessage <= 50 },
        { name: `server memory per idle connected socket (${largest.pairs} pairs)`, budget: 20, figure: largest.rssPerSocketKb, unit: 'KB', met: largest.rssPerSocketKb <= 20 },
      ],
    };
  },
};
