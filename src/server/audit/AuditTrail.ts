import { AUDIT_FIELDS, type AnyAuditField } from '../../shared/auditCatalogue.ts';
import { addressSource } from '../http/clientAddress.ts';
import type { AuditDraft, AuditFilter, AuditRecord, LiveActivity, Store } from '../store/types.ts';
import { verifyChain, type VerifyResult } from './chain.ts';
import { ANONYMOUS_DENIAL_LIMITS, DenialWindows, type DenialWindowLimits } from './DenialWindows.ts';

/** Who did something, from where: the part of an entry every caller already knows. */
export interface AuditActor {
  actor: string | null;
  actorRole: string | null;
  address: string | null;
  userAgent: string | null;
}

// C0 controls, DEL and C1 controls (ANSI escapes start with ESC or CSI): stored as visible \u escapes.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;
const encodeControls = (value: string): string =>
  value.replace(CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).slice(0, 512);

function clean(value: unknown): unknown {
  if (typeof value === 'string') return encodeControls(value);
  if (Array.isArray(value)) return value.map(clean);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [encodeControls(k), clean(v)]));
  return value;
}

/**
 * The tamper-evident audit trail. Every write resolves only once committed, so callers await it
 * before the action it records takes effect. Text from clients (user agents, labels) is stored
 * with control characters encoded, so no entry can forge a line in a terminal or a log.
 */
export interface AuditTrailOptions {
  /** A write of the trail's own (an anonymous denial, a summary) failed: nobody awaits those. */
  onWriteError?(error: unknown, draft: AuditDraft): void;
  anonymousDenials?: DenialWindowLimits;
  /** How often closed denial windows are summed up into rows. */
  summaryEveryMs?: number;
  now?(): number;
}

const safeDraft = (draft: AuditDraft): AuditDraft => ({
  ...draft,
  actor: draft.actor === null ? null : encodeControls(draft.actor),
  userAgent: draft.userAgent === null ? null : encodeControls(draft.userAgent),
  address: draft.address === null ? null : encodeControls(draft.address),
  detail: clean(draft.detail) as Record<string, unknown>,
});

export class AuditTrail {
  readonly #observers: ((draft: AuditDraft) => void)[] = [];
  readonly #denialObservers: ((draft: AuditDraft) => void)[] = [];
  readonly #anonymous: DenialWindows;
  readonly #options: AuditTrailOptions;
  readonly #now: () => number;
  readonly #writes = new Set<Promise<unknown>>();
  #summaryTimer: NodeJS.Timeout | null = null;

  constructor(private readonly store: Store, options: AuditTrailOptions = {}) {
    this.#options = options;
    this.#anonymous = new DenialWindows(options.anonymousDenials ?? ANONYMOUS_DENIAL_LIMITS);
    this.#now = options.now ?? Date.now;
  }

  /** Called with every entry as it is written (the log line of each entry). */
  observe(observer: (draft: AuditDraft) => void): void {
    this.#observers.push(observer);
  }

  /** Called with every denial, written or only counted in a summary (metrics count from here). */
  observeDenials(observer: (draft: AuditDraft) => void): void {
    this.#denialObservers.push(observer);
  }

  record(draft: AuditDraft, activity?: { open?: LiveActivity; close?: string }): Promise<AuditRecord> {
    const safe = safeDraft(draft);
    if (safe.outcome === 'denied') for (const observer of this.#denialObservers) observer(safe);
    return this.#append(safe, activity);
  }

  /**
   * A denial of someone who presented no valid credential (no session, no key, a foreign origin,
   * an address already blocked, an unknown user). Per source address (an IPv6 /64), kind and code,
   * the first of each minute is written at once and the rest as one summary row with their count,
   * so a flood cannot bury real events or fill the disk; every one is still counted in metrics.
   * Resolves once the entry is committed (at once when it is only counted); never rejects.
   */
  recordAnonymous(draft: AuditDraft): Promise<void> {
    const safe = safeDraft(draft);
    for (const observer of this.#denialObservers) observer(safe);
    this.#summaryTimer ??= this.#scheduleSummaries();
    return this.#anonymous.note(addressSource(safe.address ?? ''), safe, this.#now()) ? this.#track(safe) : Promise.resolve();
  }

  /** Writes the summaries of every open denial window now and waits for the trail's own writes (shutdown). */
  async flush(): Promise<void> {
    this.#writeSummaries(Infinity);
    if (this.#summaryTimer) clearInterval(this.#summaryTimer);
    this.#summaryTimer = null;
    await Promise.allSettled([...this.#writes]);
  }

  #scheduleSummaries(): NodeJS.Timeout {
    const timer = setInterval(() => {
      this.#writeSummaries(this.#now());
      if (this.#anonymous.openWindows === 0 && this.#summaryTimer) {
        clearInterval(this.#summaryTimer);
        this.#summaryTimer = null;
      }
    }, this.#options.summaryEveryMs ?? 5_000);
    timer.unref();
    return timer;
  }

  #writeSummaries(now: number): void {
    for (const { first, repeated, firstAt, lastAt } of this.#anonymous.close(now)) {
      void this.#track({
        ...first,
        userAgent: null,
        detail: { ...first.detail, summary: true, repeated, firstAt: new Date(firstAt).toISOString(), lastAt: new Date(lastAt).toISOString() },
      });
    }
  }

  #append(safe: AuditDraft, activity?: { open?: LiveActivity; close?: string }): Promise<AuditRecord> {
    for (const observer of this.#observers) observer(safe);
    return this.store.audit.append(safe, activity);
  }

  /** A write nobody awaits: its failure is reported, and shutdown waits for it. */
  #track(draft: AuditDraft): Promise<void> {
    const tracked = this.#append(draft).then(() => undefined, (error: unknown) => this.#options.onWriteError?.(error, draft));
    this.#writes.add(tracked);
    void tracked.finally(() => this.#writes.delete(tracked));
    return tracked;
  }

  query(filter: AuditFilter): Promise<AuditRecord[]> {
    return this.store.audit.query(filter);
  }

  entries(filter?: Omit<AuditFilter, 'limit'>): AsyncIterable<AuditRecord> {
    return this.store.audit.all(filter);
  }

  /** Walks the whole chain, from the anchor to the head (see verifyChain). */
  async verify(): Promise<VerifyResult> {
    const [anchor, head] = await Promise.all([this.store.audit.anchor(), this.store.audit.head()]);
    return verifyChain(this.store.audit.all(), { anchor, head });
  }

  /** Drops entries older than `retentionDays`, leaving an anchor and an entry saying so. */
  async prune(retentionDays: number, now = Date.now()): Promise<number> {
    const before = new Date(now - retentionDays * 86_400_000).toISOString();
    const removed = await this.store.audit.prune(before);
    if (removed > 0) {
      const anchor = (await this.store.audit.anchor())!;
      await this.record({
        kind: 'audit.pruned', actor: 'system', actorRole: 'system', zone: null, address: null, userAgent: null, outcome: 'ok',
        detail: { removed, before, upToId: anchor.lastId, anchorHash: anchor.lastHash, retentionDays },
      });
    }
    return removed;
  }

  /**
   * Views and publishes open when their process died are closed now, with reason `server_crash`.
   * On one box that is every open one at start; in a cluster only those of nodes that are gone.
   */
  async closeCrashed(isGone: (node: string) => Promise<boolean> = async () => true): Promise<number> {
    const open = [];
    for (const activity of await this.store.audit.liveActivities()) if (await isGone(activity.node)) open.push(activity);
    for (const activity of open) {
      await this.record({
        kind: activity.kind === 'view' ? 'view.ended' : 'publish.ended',
        actor: activity.actor, actorRole: activity.actorRole, zone: activity.zone, address: activity.address,
        userAgent: activity.userAgent, outcome: 'ok',
        detail: { activity: activity.id, reason: 'server_crash', startedAt: new Date(activity.startedAt).toISOString(), durationMs: null },
      }, { close: activity.id });
    }
    return open.length;
  }
}

const FORMULA_START = /^[=+\-@\t\r]/;

/** One CSV cell, quoted, with spreadsheet formulas neutralised (OWASP CSV injection). */
export function csvCell(value: unknown): string {
  let text = value === null || value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value);
  if (FORMULA_START.test(text)) text = `'${text}`;
  return `"${text.replace(/"/g, '""')}"`;
}

const csvFields: readonly AnyAuditField[] = AUDIT_FIELDS.filter((f) => f.csv);

export const CSV_HEADER = csvFields.map((f) => f.column);

export function csvRow(e: AuditRecord): string {
  const values = e as unknown as Record<string, unknown>;
  return csvFields.map((f) => csvCell(f.toColumn(values[f.key]))).join(',');
}
