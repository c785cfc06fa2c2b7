import type { TimelineEvent, TimelineKind, ZoneId } from '../../shared/index.ts';
import { hhmmss } from '../shared-ui/clock.ts';
import { byId, element } from '../shared-ui/dom.ts';

/** How many events the panel keeps (the gateway keeps more; a reload fetches the recent ones again). */
const KEPT = 200;

const WORDS: Record<TimelineKind, string> = { 'camera.online': 'camera online', 'camera.offline': 'camera offline' };


/**
 * The event timeline, fed by the gateway (`timeline:events`): newest first, filtered by kind and
 * zone, each entry a link to its tile.
 */
export class Timeline {
  readonly #list = byId('timeline-list', HTMLElement);
  readonly #kind = byId('timeline-kind', HTMLSelectElement);
  readonly #zone = byId('timeline-zone', HTMLInputElement);
  #events: TimelineEvent[] = [];

  constructor(private readonly onPick: (zone: ZoneId) => void) {
    this.#kind.addEventListener('change', () => this.#render());
    this.#zone.addEventListener('input', () => this.#render());
    this.#list.addEventListener('click', (event) => {
      const item = event.target instanceof Element ? event.target.closest<HTMLElement>('[data-event-zone]') : null;
      if (item?.dataset.eventZone) this.onPick(item.dataset.eventZone);
    });
    this.#render();
  }

  add(events: readonly TimelineEvent[]): void {
    const known = new Set(this.#events.map((e) => e.id));
    this.#events = [...this.#events, ...events.filter((e) => !known.has(e.id))].sort((a, b) => b.id - a.id).slice(0, KEPT);
    this.#render();
  }

  #render(): void {
    const kind = this.#kind.value;
    const zone = this.#zone.value.trim().toUpperCase();
    const shown = this.#events.filter((e) => (!kind || e.kind === kind) && (!zone || e.zone.includes(zone)));
    if (shown.length === 0) {
      this.#list.replaceChildren(element('li', { className: 'list-group-item timeline-empty', text: this.#events.length ? 'No events match.' : 'No events yet.' }));
      return;
    }
    this.#list.replaceChildren(...shown.map((e) => {
      // A list item holding a button: still a list to a screen reader, and Enter or Space goes to the tile.
      const item = element('li', { className: 'list-group-item', attributes: { 'data-event-zone': e.zone, 'data-event-kind': e.kind } });
      const go = element('button', { className: 'timeline-item', attributes: { type: 'button', title: `${e.at} (UTC) — show the tile` } });
      go.append(
        element('time', { className: 'timeline-time', text: hhmmss(e.at), attributes: { datetime: e.at } }),
        element('span', { className: 'timeline-zone', text: e.camera ? `${e.zone} · ${e.camera}` : e.zone }),
        element('span', { className: `timeline-kind timeline-${e.kind.replace('.', '-')}`, text: e.detail ? `${WORDS[e.kind]} (${e.detail.replace('_', ' ')})` : WORDS[e.kind] }),
      );
      item.append(go);
      return item;
    }));
  }
}

/** The banner that cannot be missed: how many of the wall's cameras are down. */
export function renderDownBanner(banner: HTMLElement, down: readonly ZoneId[], total: number): void {
  banner.hidden = down.length === 0;
  banner.dataset.down = String(down.length);
  const text = down.length === 0 ? '' : `${down.length} of ${total} ${total === 1 ? 'camera' : 'cameras'} down: ${down.join(', ')}`;
  if (banner.textContent !== text) banner.textContent = text;
}
