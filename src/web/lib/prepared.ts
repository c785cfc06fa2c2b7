/** How long after one was taken the next is made: not during the start it was taken for. */
export const PREPARE_DELAY_MS = 250;

export interface PreparedOptions<T> {
  /** The configuration in force; one made under another (TURN credentials since renewed) is never handed out. */
  config(): RTCConfiguration;
  /** Makes one under `config`, or null when it cannot be made now. */
  make(config: RTCConfiguration): T | null;
  dispose(thing: T): void;
  /** False for one that went bad while waiting (closed). */
  usable(thing: T): boolean;
}

/**
 * One connection made ahead of need, so the work of setting it up is done before anyone clicks:
 * the camera's next viewer gets an offer with its candidates at once, the console answers on a
 * connection whose candidates are gathered. After one is taken the next is made a little later.
 */
export class Prepared<T> {
  #thing: T | null = null;
  #config: RTCConfiguration | null = null;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #closed = false;

  constructor(private readonly options: PreparedOptions<T>) {}

  /** Makes one after `delayMs` (or replaces one made under another configuration). */
  prepare(delayMs = 0): void {
    if (this.#closed) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = null;
      const config = this.options.config();
      if (this.#closed || (this.#thing !== null && this.#config === config)) return;
      this.discard();
      this.#thing = this.options.make(config);
      this.#config = config;
    }, delayMs);
  }

  /** The prepared one when it matches the configuration in force, else null; the next is made later. */
  take(): T | null {
    const thing = this.#thing;
    const fresh = thing !== null && this.#config === this.options.config() && this.options.usable(thing);
    this.#thing = null;
    if (thing !== null && !fresh) this.options.dispose(thing);
    this.prepare(PREPARE_DELAY_MS);
    return fresh ? thing : null;
  }

  /** Throws the prepared one away (what it was made from changed); `prepare` makes another. */
  discard(): void {
    if (this.#thing !== null) this.options.dispose(this.#thing);
    this.#thing = null;
  }

  close(): void {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.discard();
  }
}
