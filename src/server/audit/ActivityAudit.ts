import { randomBytes } from 'node:crypto';
import type { AuditKind } from '../../shared/auditCatalogue.ts';
import type { ProtocolError, ZoneId } from '../../shared/index.ts';
import type { AuditTrail } from './AuditTrail.ts';
import { principalName, principalRole } from '../auth/Principal.ts';
import type { Logger } from '../observability/logger.ts';
import type { LiveActivity } from '../store/types.ts';
import type { Participant } from '../zones/Participant.ts';
import type { EndReason, ZoneRegistryEvents } from '../zones/ZonePresence.ts';
import type { SafeEmitter } from '../util/SafeEmitter.ts';

/** Denials recorded per connection; a flood past this leaves one "suppressed" entry, not a million. */
export const DENIALS_AUDITED_PER_CONNECTION = 50;

const who = (p: Participant) => ({
  actor: p.principal ? principalName(p.principal) : null,
  actorRole: p.principal ? principalRole(p.principal) : null,
  address: p.address,
  userAgent: p.userAgent,
});

/**
 * Views, publishes and denials of signalling connections in the audit trail. A start is
 * committed before the registry acts on it; the matching end is written when the registry
 * reports it, with its duration, and closes the live-activity row a crash would leave open.
 */
export class ActivityAudit {
  readonly #open = new Map<string, LiveActivity>();
  readonly #denials = new Map<string, number>();
  readonly #unsubscribe: (() => void)[];

  readonly #writes = new Set<Promise<unknown>>();

  /** `node` names this gateway in live-activity rows ('' on a single box). */
  constructor(private readonly audit: AuditTrail, events: SafeEmitter<ZoneRegistryEvents>, private readonly logger: Logger, private readonly node = '') {
    this.#unsubscribe = [
      events.on('watchEnded', (zone, viewer, reason) => this.#ended('view', zone, viewer, reason)),
      events.on('unpublished', (zone, camera, reason) => this.#ended('publish', zone, camera, reason)),
    ];
  }

  close(): void {
    for (const off of this.#unsubscribe) off();
  }

  /** `path`: for a view, whether its video comes from the camera itself or through the relay. */
  async started(kind: 'view' | 'publish', zone: ZoneId, p: Participant, path?: 'p2p' | 'relay'): Promise<void> {
    const activity: LiveActivity = {
      id: `${kind}:${randomBytes(9).toString('base64url')}`, kind, zone, startedAt: Date.now(),
      actor: who(p).actor ?? '', actorRole: who(p).actorRole ?? '', address: p.address, userAgent: p.userAgent, node: this.node,
    };
    this.#open.set(this.#key(kind, zone, p), activity);
    await this.audit.record({ kind: `${kind}.started`, ...who(p), zone, outcome: 'ok', detail: { activity: activity.id, ...(path ? { path } : {}) } }, { open: activity });
  }

  /** The start was recorded but the registry refused after all (a race): close it as not started. */
  async notStarted(kind: 'view' | 'publish', zone: ZoneId, p: Participant, error: ProtocolError): Promise<void> {
    const activity = this.#open.get(this.#key(kind, zone, p));
    this.#open.delete(this.#key(kind, zone, p));
    await this.audit.record({ kind: `${kind}.ended`, ...who(p), zone, outcome: 'denied', detail: { activity: activity?.id, reason: error.code, durationMs: 0 } },
      activity ? { close: activity.id } : undefined);
  }

  denied(kind: AuditKind, p: Participant, zone: string | null, error: ProtocolError, detail: Record<string, unknown> = {}): void {
    const count = (this.#denials.get(p.id) ?? 0) + 1;
    this.#denials.set(p.id, count);
    if (count > DENIALS_AUDITED_PER_CONNECTION + 1) return;
    const suppressed = count === DENIALS_AUDITED_PER_CONNECTION + 1;
    void this.audit.record({
      kind: suppressed ? 'denial.suppressed' : kind, ...who(p), zone, outcome: 'denied',
      detail: suppressed ? { reason: 'too many denials on one connection; further ones are not recorded' } : { code: error.code, ...detail },
    }).catch((e: unknown) => this.logger.error({ err: e }, 'audit write failed'));
  }

  /** Something a connection did that is audited as it happens (a camera steered). */
  acted(kind: AuditKind, p: Participant, zone: string, detail: Record<string, unknown>): Promise<void> {
    return this.audit.record({ kind, ...who(p), zone, outcome: 'ok', detail }).then(
      () => undefined,
      (e: unknown) => this.logger.error({ err: e }, 'audit write failed'),
    );
  }

  forget(p: Participant): void {
    this.#denials.delete(p.id);
  }

  #ended(kind: 'view' | 'publish', zone: ZoneId, p: Participant, reason: EndReason): void {
    const key = this.#key(kind, zone, p);
    const activity = this.#open.get(key);
    if (!activity) return;
    this.#open.delete(key);
    const write = this.audit.record({
      kind: `${kind}.ended`, ...who(p), zone, outcome: 'ok',
      detail: { activity: activity.id, reason, startedAt: new Date(activity.startedAt).toISOString(), durationMs: Date.now() - activity.startedAt },
    }, { close: activity.id }).catch((e: unknown) => this.logger.error({ err: e }, 'audit write failed'));
    this.#writes.add(write);
    void write.finally(() => this.#writes.delete(write));
  }

  /** Resolves once every end already reported is committed (shutdown waits for it). */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.#writes]);
  }

  #key(kind: string, zone: string, p: Participant): string {
    return `${kind}|${zone}|${p.id}`;
  }
}
