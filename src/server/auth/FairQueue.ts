/**
 * Runs expensive work (password hashes) a few at a time, taking turns between sources (client
 * addresses), with bounded waiting: a flood from one source fills only its own small share and is
 * refused beyond it at once, so another source's work waits for at most the jobs already running.
 */
export interface FairQueueLimits {
  /** Jobs running at once. */
  readonly concurrency: number;
  /** Jobs one source may have running or waiting. */
  readonly perSource: number;
  /** Jobs waiting in all, whatever their source. */
  readonly waiting: number;
}

/** The queue was full for this source (or for everyone): the job was not started. */
export class QueueFullError extends Error {
  constructor(readonly scope: 'source' | 'all') {
    super(scope === 'source' ? 'Too many jobs of this source at once.' : 'Too many jobs waiting.');
    this.name = 'QueueFullError';
  }
}

export class FairQueue {
  #running = 0;
  #waitingCount = 0;
  /** Source → its waiting jobs; the map's order is the turn order (a source goes to the back after its turn). */
  readonly #waiting = new Map<string, (() => void)[]>();
  /** Source → jobs running or waiting. */
  readonly #held = new Map<string, number>();

  constructor(readonly limits: FairQueueLimits) {}

  /** Jobs running now and waiting now, for metrics and tests. */
  get load(): { running: number; waiting: number } {
    return { running: this.#running, waiting: this.#waitingCount };
  }

  /**
   * Runs `work` when its turn comes; rejects with QueueFullError at once when the queue is full.
   * `trusted` work (the gateway's own: an admin setting a password) always waits its turn instead.
   */
  async run<T>(source: string, work: () => Promise<T>, trusted = false): Promise<T> {
    const held = this.#held.get(source) ?? 0;
    if (!trusted && held >= this.limits.perSource) throw new QueueFullError('source');
    const mustWait = this.#running >= this.limits.concurrency;
    if (!trusted && mustWait && this.#waitingCount >= this.limits.waiting) throw new QueueFullError('all');
    this.#held.set(source, held + 1);
    try {
      if (mustWait) await this.#turn(source);
      else this.#running += 1;
      try {
        return await work();
      } finally {
        this.#running -= 1;
        this.#next();
      }
    } finally {
      const left = (this.#held.get(source) ?? 1) - 1;
      if (left === 0) this.#held.delete(source);
      else this.#held.set(source, left);
    }
  }

  #turn(source: string): Promise<void> {
    return new Promise<void>((resolve) => {
      const jobs = this.#waiting.get(source);
      if (jobs) jobs.push(resolve);
      else this.#waiting.set(source, [resolve]);
      this.#waitingCount += 1;
    });
  }

  /** A slot freed: the source at the front of the turn order runs its oldest job and goes to the back. */
  #next(): void {
    const first = this.#waiting.entries().next();
    if (first.done) return;
    const [source, jobs] = first.value;
    const start = jobs.shift()!;
    this.#waiting.delete(source);
    if (jobs.length > 0) this.#waiting.set(source, jobs);
    this.#waitingCount -= 1;
    this.#running += 1;
    start();
  }
}
