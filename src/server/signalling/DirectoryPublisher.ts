import { Timing } from '../../shared/index.ts';
import type { ZoneRegistry } from '../zones/ZoneRegistry.ts';
import type { VigilServer, VigilSocket } from './types.ts';

export const OPERATORS_ROOM = 'operators';

/**
 * Pushes the zone directory to operators. Changes are coalesced so a burst of joins (a camera
 * coming back to 16 waiting viewers) costs one push, not sixteen.
 */
export class DirectoryPublisher {
  #timer: NodeJS.Timeout | null = null;
  readonly #unsubscribe: () => void;

  constructor(private readonly io: VigilServer, private readonly registry: ZoneRegistry) {
    this.#unsubscribe = registry.events.on('changed', () => this.#schedule());
  }

  sendTo(socket: VigilSocket): void {
    socket.emit('zone:directory', { zones: this.registry.summaries() });
  }

  close(): void {
    this.#unsubscribe();
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  #schedule(): void {
    if (this.#timer) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.io.to(OPERATORS_ROOM).emit('zone:directory', { zones: this.registry.summaries() });
    }, Timing.directoryCoalesceMs);
  }
}
