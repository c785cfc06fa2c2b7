import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { TestGateway } from '../../test/support/gateway.ts';
import type { ViewerCommand, ViewerReport, ViewerSample } from '../../test/support/weriftViewerProcess.ts';

/** Processes the werift receivers are spread over. */
const WERIFT_PROCESSES = 2;

/**
 * Non-browser receivers for the benches (test/support/weriftViewerProcess.ts), spread over child
 * processes so that dozens of SRTP receivers do not slow the bench's own process.
 */

export class WeriftFleet {
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
  async add(count: number, zone?: string): Promise<string[]> {
    const shares = this.#procs.map((_, i) => Math.floor(count / this.#procs.length) + (i < count % this.#procs.length ? 1 : 0));
    const replies = await Promise.all(this.#procs.map((proc, i) => {
      if (shares[i] === 0) return { type: 'added' as const, failed: [] };
      const reply = next<Extract<ViewerReport, { type: 'added' }>>(proc, 'added');
      proc.send({ type: 'add', count: shares[i]!, ...(zone ? { zone } : {}) } satisfies ViewerCommand);
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

export function next<T>(proc: ChildProcess, type: string, timeoutMs = 30_000): Promise<T> {
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

