import { Role, type SceneChange, type SceneEvent } from '../../shared/index.ts';
import type { SceneEvents } from '../events/SceneEvents.ts';
import type { Logger } from '../observability/logger.ts';
import type { ZoneFilter } from './DirectoryPublisher.ts';
import type { VigilServer, VigilSocket } from './types.ts';

/** How many recent events a console gets at connect, for its timeline. */
export const SCENE_EVENTS_AT_CONNECT = 50;

/**
 * Puts motion and tamper events in front of the operators who may watch their zone: the recent
 * ones when a console connects, then each change as it happens. In a cluster an event happens on
 * its camera's node; that node tells the others, and each node tells its own operators, so an
 * operator on any node sees every zone it may watch and never one it may not.
 */
export class ScenePublisher {
  readonly #off: () => void;

  constructor(private readonly io: VigilServer, events: SceneEvents, private readonly visible: ZoneFilter, private readonly logger: Logger, clustered: boolean) {
    this.#off = events.onChange((event, change) => {
      this.#deliver(event, change);
      if (clustered) io.serverSideEmit('scene:event', event, change);
    });
    if (clustered) io.on('scene:event', (event, change) => this.#deliver(event, change));
  }

  /** The zone's recent events a console may see, oldest first. */
  async sendRecent(socket: VigilSocket, events: SceneEvents): Promise<void> {
    try {
      const recent = await events.list((zone) => this.visible(socket.data.principal, zone as SceneEvent['zone']), { limit: SCENE_EVENTS_AT_CONNECT });
      socket.emit('scene:events', { events: recent.reverse() });
    } catch (error) {
      this.logger.warn({ err: error, socket: socket.id }, 'recent scene events unavailable for a console');
    }
  }

  close(): void {
    this.#off();
  }

  #deliver(event: SceneEvent, change: SceneChange): void {
    for (const socket of this.io.of('/').sockets.values()) {
      if (socket.data.role === Role.OPERATOR && this.visible(socket.data.principal, event.zone)) socket.emit('scene:events', { events: [event], change });
    }
  }
}
