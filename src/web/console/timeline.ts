import { SCENE_KIND_LABELS, type SceneEvent, type TimelineEvent, type TimelineKind, type ZoneId } from '../../shared/index.ts';
import { hhmmss } from '../shared-ui/clock.ts';
import { byId, element } from '../shared-ui/dom.ts';

/** How many events the panel keeps (the gateway keeps more; a reload fetches the recent ones again). */
const KEPT = 200;

const WORDS: Record<TimelineKind, string> = { 'camera.online': 'camera online', 'camera.offline': 'camera offline' };

/** One line of the timeline: a camera coming or going, or a motion or tamper event. */
type Entry = { key: string; at: string; zone: ZoneId; filter: string } & ({ presence: TimelineEvent } | { scene: SceneEvent });

/**
 * The event timeline, newest first, filtered by kind and zone, each entry a link to its tile:
 * cameras coming and going (`timeline:events`) and what the cameras' detectors saw
 * (`scene:events`), which an operator acknowledges here.
 */
export class Timeline {
  readonly #list = byId('timeline-list', HTMLElement);
  readonly #kind = byId('timeline-kind', HTMLSelectElement);
  readonly #zone = byId('timeline-zone', HTMLInputElement);
  readonly #entries = new Map<string, Entry>();

  constructor(private readonly onPick: (zone: ZoneId) => void, private readonly on: { acknowledge(event: SceneEvent): void; annotate(event: SceneEvent): void; play(event: SceneEvent): void; snapshot(event: SceneEvent): void }) {
    this.#kind.addEventListener('change', () => this.#render());
    this.#zone.addEventListener('input', () => this.#render());
    this.#list.addEventListener('click', (event) => {
      const target = event.target instanceof Element ? event.target : null;
      const action = target?.closest<HTMLElement>('[data-scene-action]');
      if (action) {
        const entry = this.#entries.get(`s${action.dataset.eventId}`);
        const act = action.dataset.sceneAction as 'acknowledge' | 'annotate' | 'play' | 'snapshot';
        if (entry && 'scene' in entry && act in this.on) this.on[act](entry.scene);
        return;
      }
      const item = target?.closest<HTMLElement>('[data-event-zone]');
      if (item?.dataset.eventZone) this.onPick(item.dataset.eventZone);
    });
    this.#render();
  }

  add(events: readonly TimelineEvent[]): void {
    for (const e of events) this.#entries.set(`t${e.id}`, { key: `t${e.id}`, at: e.at, zone: e.zone, filter: e.kind, presence: e });
    this.#trimAndRender();
  }

  /** New or changed scene events: the same id replaces what is shown. */
  addScene(events: readonly SceneEvent[]): void {
    for (const e of events) this.#entries.set(`s${e.id}`, { key: `s${e.id}`, at: e.startedAt, zone: e.zone, filter: e.kind === 'motion' ? 'motion' : 'tamper', scene: e });
    this.#trimAndRender();
  }

  #trimAndRender(): void {
    const newest = [...this.#entries.values()].sort((a, b) => b.at.localeCompare(a.at));
    for (const stale of newest.slice(KEPT)) this.#entries.delete(stale.key);
    this.#render();
  }

  #render(): void {
    const kind = this.#kind.value;
    const zone = this.#zone.value.trim().toUpperCase();
    const all = [...this.#entries.values()].sort((a, b) => b.at.localeCompare(a.at));
    const shown = all.filter((e) => (!kind || e.filter === kind) && (!zone || e.zone.includes(zone)));
    if (shown.length === 0) {
      this.#list.replaceChildren(element('li', { className: 'list-group-item timeline-empty', text: all.length ? 'No events match.' : 'No events yet.' }));
      return;
    }
    this.#list.replaceChildren(...shown.map((entry) => {
      // A list item holding a button: still a list to a screen reader, and Enter or Space goes to the tile.
      const item = element('li', { className: 'list-group-item', attributes: { 'data-event-zone': entry.zone, 'data-event-kind': 'scene' in entry ? entry.scene.kind : entry.presence.kind } });
      const go = element('button', { className: 'timeline-item', attributes: { type: 'button', title: `${entry.at} (UTC) — show the tile` } });
      const camera = 'scene' in entry ? entry.scene.camera : entry.presence.camera;
      go.append(
        element('time', { className: 'timeline-time', text: hhmmss(entry.at), attributes: { datetime: entry.at } }),
        element('span', { className: 'timeline-zone', text: camera ? `${entry.zone} · ${camera}` : entry.zone }),
        'scene' in entry ? sceneWords(entry.scene) : presenceWords(entry.presence),
      );
      item.append(go);
      if ('scene' in entry) item.append(sceneActions(entry.scene));
      return item;
    }));
  }
}

function presenceWords(e: TimelineEvent): HTMLElement {
  return element('span', { className: `timeline-kind timeline-${e.kind.replace('.', '-')}`, text: e.detail ? `${WORDS[e.kind]} (${e.detail.replace('_', ' ')})` : WORDS[e.kind] });
}

function sceneWords(e: SceneEvent): HTMLElement {
  const lasted = e.endedAt ? ` · ${Math.max(1, Math.round((Date.parse(e.endedAt) - Date.parse(e.startedAt)) / 1000))} s` : ' · now';
  return element('span', {
    className: `timeline-kind timeline-scene-${e.kind === 'motion' ? 'motion' : 'tamper'}`,
    text: `${SCENE_KIND_LABELS[e.kind]}${lasted}${e.note ? ` — “${e.note}”` : ''}`,
  });
}

/** Who saw to it (or the button to say one did), a note, and the snapshot and clip when there are. */
function sceneActions(e: SceneEvent): HTMLElement {
  const row = element('div', { className: 'timeline-actions' });
  const button = (action: string, text: string, label: string, variant = 'outline-light') => element('button', {
    className: `btn btn-sm btn-${variant} timeline-ack`, text,
    attributes: { type: 'button', 'data-scene-action': action, 'data-event-id': String(e.id), 'aria-label': `${label} ${SCENE_KIND_LABELS[e.kind]} in ${e.zone}` },
  });
  row.append(e.acknowledgedBy
    ? element('span', { className: 'timeline-acked', text: `✓ ${e.acknowledgedBy}${e.acknowledgedAt ? ` ${hhmmss(e.acknowledgedAt)}` : ''}` })
    : button('acknowledge', 'Acknowledge', 'Acknowledge', 'outline-warning'));
  row.append(button('annotate', e.note ? 'Edit note' : 'Note…', 'Write a note on'));
  if (e.hasSnapshot) row.append(button('snapshot', 'Snapshot', 'Show the snapshot of'));
  if (e.clipId !== null) row.append(button('play', '▶ Clip', 'Play the clip of'));
  return row;
}

/** The banner that cannot be missed: how many of the wall's cameras are down. */
export function renderDownBanner(banner: HTMLElement, down: readonly ZoneId[], total: number): void {
  banner.hidden = down.length === 0;
  banner.dataset.down = String(down.length);
  const text = down.length === 0 ? '' : `${down.length} of ${total} ${total === 1 ? 'camera' : 'cameras'} down: ${down.join(', ')}`;
  if (banner.textContent !== text) banner.textContent = text;
}
