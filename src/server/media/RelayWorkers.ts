import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ZoneId } from '../../shared/index.ts';
import type { Logger } from '../observability/logger.ts';
import { SafeEmitter } from '../util/SafeEmitter.ts';
import type { FromWorker, RelayReplyOf, RelayRequest, RelayStats, ToWorker } from './relayProtocol.ts';
import type { RelayNetwork } from './worker/peerNetwork.ts';

const WORKER_ENTRY = fileURLToPath(new URL('./worker/relayWorker.ts', import.meta.url));
/** A request the worker has not answered in this long is failed (the worker is stuck or gone). */
const REQUEST_TIMEOUT_MS = 10_000;
/** A worker that keeps dying is restarted after a growing pause, up to this. */
const MAX_RESTART_DELAY_MS = 5_000;

export interface RelayWorkersEvents extends Record<string, unknown[]> {
  /** A worker died: these zones lost their relay and must be set up again (it is restarting). */
  lost: [zones: ZoneId[]];
  'peer-state': [peerId: string, state: 'connected' | 'failed' | 'closed'];
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

class Worker {
  child: ChildProcess | null = null;
  ready: Promise<void> = Promise.resolve();
  readonly zones = new Set<ZoneId>();
  readonly pending = new Map<number, Pending>();
  restarts = 0;
  startedAt = 0;
  /** A restart is scheduled (the worker died): nobody starts it meanwhile. */
  restarting = false;
  constructor(readonly index: number) {}
}

export interface RelayWorkersOptions {
  count: number;
  /**
   * Start every worker now (policy `relay`: every view needs one). Otherwise a worker starts when
   * the first zone is given to it, so a gateway that stays peer to peer runs none.
   */
  eager?: boolean;
  network: RelayNetwork;
  logger: Logger;
}

/**
 * The relay's child processes, supervised: each zone's relay lives on one worker (the least
 * loaded when it starts); a worker that dies is restarted, and the zones it held are reported
 * `lost` so their pairings are made again. Requests are answered or fail after a timeout; none
 * waits forever on a dead worker.
 */
export class RelayWorkers {
  readonly events: SafeEmitter<RelayWorkersEvents>;
  readonly #workers: Worker[];
  readonly #zoneWorker = new Map<ZoneId, Worker>();
  readonly #options: RelayWorkersOptions;
  #nextId = 1;
  #closed = false;

  constructor(options: RelayWorkersOptions) {
    this.#options = options;
    this.events = new SafeEmitter((error, event) => options.logger.error({ err: error, event }, 'relay listener failed'));
    this.#workers = Array.from({ length: Math.max(1, options.count) }, (_, index) => new Worker(index));
    if (options.eager) for (const worker of this.#workers) this.#start(worker);
  }

  /** Waits until every started worker said it is ready. */
  async ready(): Promise<void> {
    await Promise.all(this.#workers.map((worker) => worker.ready));
  }

  /** The running workers' process ids, for tests and the operator's `ps`. */
  get pids(): number[] {
    return this.#workers.flatMap((worker) => (worker.child?.pid ? [worker.child.pid] : []));
  }

  /** Sends `request` to the worker that holds (or will hold) `zone`. */
  async request<R extends RelayRequest>(zone: ZoneId, request: R): Promise<RelayReplyOf<R>> {
    return (await this.#send(this.#workerFor(zone), request)) as RelayReplyOf<R>;
  }

  /** Starts the worker `zone` would be given, if it is not running: the zone may need it soon. */
  warm(zone: ZoneId): void {
    if (this.#zoneWorker.has(zone) || this.#closed) return;
    const worker = this.#leastLoaded();
    if (worker.child === null && !worker.restarting) this.#start(worker);
  }

  /** The zone's relay is gone from its worker (it holds no peer any more). */
  release(zone: ZoneId): void {
    const worker = this.#zoneWorker.get(zone);
    worker?.zones.delete(zone);
    this.#zoneWorker.delete(zone);
  }

  async stats(): Promise<RelayStats[]> {
    const running = this.#workers.filter((worker) => worker.child !== null);
    const replies = await Promise.allSettled(running.map((worker) => this.#send(worker, { op: 'stats' })));
    return replies.flatMap((reply) => (reply.status === 'fulfilled' ? [reply.value as RelayStats] : []));
  }

  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all(
      this.#workers.map(async (worker) => {
        const child = worker.child;
        if (!child || child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.disconnect();
        const timer = setTimeout(() => child.kill('SIGKILL'), 2_000);
        await exited;
        clearTimeout(timer);
      }),
    );
  }

  #workerFor(zone: ZoneId): Worker {
    let worker = this.#zoneWorker.get(zone);
    if (!worker) {
      worker = this.#leastLoaded();
      worker.zones.add(zone);
      this.#zoneWorker.set(zone, worker);
    }
    if (worker.child === null && !worker.restarting && !this.#closed) this.#start(worker);
    return worker;
  }

  /** The worker with the fewest zones, a running one first among equals. */
  #leastLoaded(): Worker {
    const load = (w: Worker) => w.zones.size * 2 + (w.child === null ? 1 : 0);
    return this.#workers.reduce((least, w) => (load(w) < load(least) ? w : least));
  }

  #start(worker: Worker): void {
    const child = fork(WORKER_ENTRY, [], {
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, VIGIL_RELAY_NETWORK: JSON.stringify(this.#options.network) },
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    worker.child = child;
    worker.startedAt = Date.now();
    let markReady: () => void = () => undefined;
    worker.ready = new Promise((resolve) => (markReady = resolve));
    child.on('message', (message: FromWorker) => {
      if ('event' in message) {
        if (message.event === 'ready') {
          markReady();
          this.#options.logger.info({ worker: worker.index, pid: child.pid }, 'relay worker ready');
        } else this.events.emit('peer-state', message.peerId, message.state);
        return;
      }
      const pending = worker.pending.get(message.id);
      if (!pending) return;
      worker.pending.delete(message.id);
      clearTimeout(pending.timer);
      if (message.ok) pending.resolve(message.result);
      else pending.reject(new Error(message.message));
    });
    child.on('error', (error) => this.#options.logger.error({ err: error, worker: worker.index }, 'relay worker error'));
    child.on('exit', (code, signal) => {
      markReady();
      for (const pending of worker.pending.values()) {
        clearTimeout(pending.timer);
        pending.reject(new Error('relay worker exited'));
      }
      worker.pending.clear();
      const zones = [...worker.zones];
      for (const zone of zones) this.#zoneWorker.delete(zone);
      worker.zones.clear();
      worker.child = null;
      if (this.#closed) return;
      this.#options.logger.error({ worker: worker.index, code, signal, zones: zones.length }, 'relay worker died: restarting');
      // The first restart is immediate: its viewers must be back within seconds. One that had
      // stayed up for a minute counts as a first failure again.
      if (Date.now() - worker.startedAt > 60_000) worker.restarts = 0;
      const delay = Math.min(MAX_RESTART_DELAY_MS, worker.restarts === 0 ? 0 : 250 * 2 ** worker.restarts);
      worker.restarts += 1;
      if (delay === 0) {
        // Pairing again starts now, beside the boot: the camera makes its new offer while the
        // worker loads, and the requests wait on its ready.
        this.#start(worker);
        this.events.emit('lost', zones);
        return;
      }
      worker.restarting = true;
      const timer = setTimeout(() => {
        worker.restarting = false;
        if (this.#closed) return;
        this.#start(worker);
        void worker.ready.then(() => this.events.emit('lost', zones));
      }, delay);
      timer.unref();
    });
  }

  async #send(worker: Worker, request: RelayRequest): Promise<unknown> {
    await worker.ready;
    const child = worker.child;
    if (!child?.connected) throw new Error('relay worker unavailable');
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        worker.pending.delete(id);
        reject(new Error(`relay worker did not answer ${request.op}`));
      }, REQUEST_TIMEOUT_MS);
      worker.pending.set(id, { resolve, reject, timer });
      child.send({ id, request } satisfies ToWorker);
    });
  }
}
