import { protocolError, Timing, type ZoneId, type ZoneSummary } from '../../shared/index.ts';
import type { Principal } from '../auth/Principal.ts';
import type { Logger } from '../observability/logger.ts';
import type { ZonePresence } from '../zones/ZonePresence.ts';
import type { VigilServer, VigilSocket } from './types.ts';

const ALL_ZONES_ROOM = 'directory:all';
const seesEverything = (socket: VigilSocket): boolean => socket.data.principal.kind === 'user' && socket.data.principal.role === 'admin';

export type ZoneFilter = (principal: Principal, zone: ZoneId) => boolean;

/**
 * Keeps operators' zone directories current. An operator gets the whole directory once, at
 * connect; after that only the zones that changed, coalesced, so a burst of joins (a camera
 * coming back to 16 waiting viewers) costs one small push and a city of zones is never resent.
 * Each operator sees only the zones it may watch: a forbidden zone is never named to it.
 */
export class DirectoryPublisher {
  #timer: NodeJS.Timeout | null = null;
  readonly #changed = new Set<ZoneId>();
  readonly #operators = new Set<VigilSocket>();
  readonly #unsubscribe: () => void;

  constructor(private readonly io: VigilServer, private readonly presence: ZonePresence, private readonly visible: ZoneFilter, private readonly logger: Logger) {
    this.#unsubscribe = presence.events.on('changed', (zone) => this.#schedule(zone));
  }

  add(socket: VigilSocket): void {
    // Admins see every zone: one broadcast serves them all. Operators get their own filtered copy.
    if (seesEverything(socket)) void socket.join(ALL_ZONES_ROOM);
    else this.#operators.add(socket);
    this.sendTo(socket);
  }

  remove(socket: VigilSocket): void {
    this.#operators.delete(socket);
  }

  sendTo(socket: VigilSocket): void {
    const principal = socket.data.principal;
    void this.presence.summaries().then(
      (zones) => socket.emit('zone:directory', { zones: zones.filter((z) => this.visible(principal, z.zone)) }),
      (error: unknown) => {
        this.logger.warn({ err: error, socket: socket.id }, 'zone directory unavailable for a console');
        socket.emit('vigil:error', { event: 'zone:directory', error: protocolError('INTERNAL', 'The zone directory is unavailable; it will be sent again.') });
      },
    );
  }

  close(): void {
    this.#unsubscribe();
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  #schedule(zone: ZoneId): void {
    this.#changed.add(zone);
    this.#timer ??= setTimeout(() => void this.#flush(), Timing.directoryCoalesceMs);
  }

  async #flush(): Promise<void> {
    this.#timer = null;
    const changed = [...this.#changed];
    this.#changed.clear();
    const zones: ZoneSummary[] = [];
    const removed: ZoneId[] = [];
    // A zone whose summary cannot be read now is left out of this push (its next change resends it).
    const summaries = await Promise.all(changed.map((zone) => this.presence.summary(zone).catch((error: unknown) => {
      this.logger.warn({ err: error, zone }, 'zone summary unavailable: left out of a directory update');
      return undefined;
    })));
    changed.forEach((zone, i) => {
      const summary = summaries[i];
      if (summary) zones.push(summary);
      else if (summary === null) removed.push(zone);
    });
    // Local: in a cluster every node hears of every change and serves its own operators.
    this.io.local.to(ALL_ZONES_ROOM).emit('zone:updated', { zones, removed });
    for (const socket of this.#operators) {
      const principal = socket.data.principal;
      const update = { zones: zones.filter((z) => this.visible(principal, z.zone)), removed: removed.filter((z) => this.visible(principal, z)) };
      if (update.zones.length > 0 || update.removed.length > 0) socket.emit('zone:updated', update);
    }
  }
}
