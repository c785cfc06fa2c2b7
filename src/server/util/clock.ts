/**
 * Time as a dependency: what owns a timer takes a Clock, so a test can move time on instead of
 * waiting for it (TURN renewal every few minutes, grace periods, expiries).
 */
export interface Clock {
  now(): number;
  setTimeout(run: () => void, delayMs: number): ClockTimer;
  clearTimeout(timer: ClockTimer): void;
}

/** A pending timer of a Clock; opaque to its users. */
export type ClockTimer = { readonly __clockTimer: true } | NodeJS.Timeout;

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (run, delayMs) => setTimeout(run, delayMs),
  clearTimeout: (timer) => clearTimeout(timer as NodeJS.Timeout),
};

/** A clock that moves only when told to: `advance(ms)` runs every timer due by then, in order. */
export class ManualClock implements Clock {
  #now: number;
  #timers: { at: number; run: () => void; timer: ClockTimer }[] = [];

  constructor(start = 1_700_000_000_000) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(run: () => void, delayMs: number): ClockTimer {
    const timer = { __clockTimer: true } as const;
    this.#timers.push({ at: this.#now + Math.max(0, delayMs), run, timer });
    return timer;
  }

  clearTimeout(timer: ClockTimer): void {
    this.#timers = this.#timers.filter((t) => t.timer !== timer);
  }

  /** Timers waiting to run. */
  get pending(): number {
    return this.#timers.length;
  }

  advance(ms: number): void {
    const until = this.#now + ms;
    for (;;) {
      const due = this.#timers.filter((t) => t.at <= until).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.#timers = this.#timers.filter((t) => t !== due);
      this.#now = due.at;
      due.run();
    }
    this.#now = until;
  }
}
