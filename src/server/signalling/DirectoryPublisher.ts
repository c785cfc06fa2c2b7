import { Timing, type ZoneId, type ZoneSummary } from '../../shared/index.ts';
import type { ZoneRegistry } from '../zones/ZoneRegistry.ts';
import type { VigilServer, VigilSocket } from './types.ts';

export const OPERATORS_ROOM = 'operators';

/**
 * Keeps operators' zone directories current. An operator gets the whole directory once, at
 * connect; after that only the zones that changed, coalesced, so a burst of joins (a camera
 * coming back to 16 waiting viewers) costs one small push and a city of zones is never resent.
 */
export class DirectoryPublisher {
  #timer: NodeJS.Timeout | null = null;
  readonly #changed = new Set<ZoneId>();
  readonly #unsubscribe: () => void;

  constructor(private readonly io: VigilServer, private readonly registry: ZoneRegistry) {
    this.#unsubscribe = registry.events.on('changed', (zone) => this.#schedule(zone));
  }

  sendTo(socket: VigilSocket): void {
    socket.emit('zone:directory', { zones: this.registry.summaries() });
  }

  close(): void {
    this.#unsubscribe();
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  #schedule(zone: ZoneId): void {
    this.#changed.add(zone);
    this.#timer ??= setTimeout(() => this.#flush(), Timing.directoryCoalesceMs);
  }

  #flush(): void {
    this.#timer = null;
    const zones: ZoneSummary[] = [];
    const removed: ZoneId[] = [];
    for (const zone of this.#changed) {
      const summary = this.registry.summary(zone);
      if (summary) zones.push(summary);
      else removed.push(zone);
    }
    this.#changed.clear();
    this.io.to(OPERATORS_ROOM).emit('zone:updated', { zones, removed });
  }
}
