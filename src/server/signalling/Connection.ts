import type { Logger } from '../observability/logger.ts';
import { systemClock, type Clock, type ClockTimer } from '../util/clock.ts';
import type { Participant } from '../zones/Participant.ts';
import { CandidateBudget } from './CandidateBudget.ts';
import { Limits } from '../../shared/index.ts';

/** What a connection's resources are released with: Socket.IO's disconnect reason, or ours. */
export type CloseReason = string;

/**
 * One signalling connection and everything it holds. Each per-connection resource (registry
 * membership, live-access registration, directory subscription, quality figures, audit activity,
 * timers) registers its release with `own()` when it is taken, and `close()` releases them all,
 * the last taken first (mediasoup's habit: the parent closes its children). A resource added
 * later cannot be forgotten at disconnect, because there is no second list to forget it in.
 */
export class Connection {
  readonly id: string;
  /** ICE candidates this connection sent to each peer since its last description there. */
  readonly candidates = new CandidateBudget(Limits.maxCandidatesPerDescription);
  readonly #releases: { name: string; release: (reason: CloseReason) => void | Promise<void> }[] = [];
  readonly #timers = new Set<ClockTimer>();
  #closing: Promise<void> | null = null;

  constructor(
    readonly participant: Participant,
    readonly logger: Logger,
    readonly clock: Clock = systemClock,
  ) {
    this.id = participant.id;
  }

  get closed(): boolean {
    return this.#closing !== null;
  }

  /** Registers the release of a resource just taken; on a closed connection it is released at once. */
  own(name: string, release: (reason: CloseReason) => void | Promise<void>): void {
    if (this.#closing) {
      void this.#release({ name, release }, 'already closed');
      return;
    }
    this.#releases.push({ name, release });
  }

  /** A timer that dies with the connection. */
  setTimeout(run: () => void, delayMs: number): ClockTimer {
    const timer = this.clock.setTimeout(() => {
      this.#timers.delete(timer);
      if (!this.#closing) run();
    }, delayMs);
    this.#timers.add(timer);
    return timer;
  }

  /** Idempotent: releases every resource, last taken first; one that fails is logged and the rest go on. */
  close(reason: CloseReason): Promise<void> {
    this.#closing ??= (async () => {
      for (const timer of this.#timers) this.clock.clearTimeout(timer);
      this.#timers.clear();
      for (const resource of this.#releases.splice(0).reverse()) await this.#release(resource, reason);
    })();
    return this.#closing;
  }

  async #release(resource: { name: string; release: (reason: CloseReason) => void | Promise<void> }, reason: CloseReason): Promise<void> {
    try {
      await resource.release(reason);
    } catch (error) {
      this.logger.error({ err: error, resource: resource.name, reason }, 'releasing a closed connection\'s resource failed');
    }
  }
}
