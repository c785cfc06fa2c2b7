import type { AuditDraft } from '../store/types.ts';

/** What one key's window adds up to when it closes: the denials after its first (written) one. */
export interface DenialSummary {
  first: AuditDraft;
  /** Denials after the first one, within the window. */
  repeated: number;
  firstAt: number;
  lastAt: number;
}

export interface DenialWindowLimits {
  /** A key's window opens at its first denial and lasts this long. */
  readonly windowMs: number;
  /** Keys with an open window; past this, new sources share one key per kind and code. */
  readonly maxKeys: number;
}

/** Denials with no credential, counted per source address, audit kind and code. */
export const ANONYMOUS_DENIAL_LIMITS: DenialWindowLimits = { windowMs: 60_000, maxKeys: 1_000 };

/** Stands for every source beyond `maxKeys` in a summary's address. */
export const OTHER_SOURCES = '*';

interface Window extends DenialSummary {
  readonly closesAt: number;
}

/**
 * Decides which denials without a credential are written to the trail: per key (source, kind,
 * code) the first of a window at once, the rest as one summary row with their count when the
 * window closes. A flood of any size from one source is then two rows a minute; from many
 * sources at most two per key, with keys bounded. Pure bookkeeping: the clock is passed in.
 */
export class DenialWindows {
  readonly #open = new Map<string, Window>();

  constructor(private readonly limits: DenialWindowLimits = ANONYMOUS_DENIAL_LIMITS) {}

  /** Counts one denial from `source`; true when it is the first of its window and must be written now. */
  note(source: string, draft: AuditDraft, now: number): boolean {
    const code = String(draft.detail.code ?? draft.detail.reason ?? '');
    let key = `${draft.kind}|${code}|${source}`;
    if (!this.#open.has(key) && this.#open.size >= this.limits.maxKeys) key = `${draft.kind}|${code}|${OTHER_SOURCES}`;
    const open = this.#open.get(key);
    if (open && now < open.closesAt) {
      open.repeated += 1;
      open.lastAt = now;
      return false;
    }
    const first = key.endsWith(`|${OTHER_SOURCES}`) ? { ...draft, address: OTHER_SOURCES } : draft;
    this.#open.set(key, { first, repeated: 0, firstAt: now, lastAt: now, closesAt: now + this.limits.windowMs });
    return true;
  }

  /** Closes the windows that ended by `now` (all of them with `Infinity`); those with repeats need a summary row. */
  close(now: number): DenialSummary[] {
    const summaries: DenialSummary[] = [];
    for (const [key, window] of this.#open) {
      if (window.closesAt > now) continue;
      this.#open.delete(key);
      if (window.repeated > 0) summaries.push({ first: window.first, repeated: window.repeated, firstAt: window.firstAt, lastAt: window.lastAt });
    }
    return summaries;
  }

  get openWindows(): number {
    return this.#open.size;
  }
}
