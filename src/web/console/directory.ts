import { groupOf, Timing, type ZoneDirectoryUpdate, type ZoneId, type ZoneSummary } from '../../shared/index.ts';
import { hhmm } from '../shared-ui/clock.ts';
import { element } from '../shared-ui/dom.ts';


/** Where a zone's camera stands, in one word for tests (`data-status`) and a few for people. */
export function cameraStatusOf(summary: ZoneSummary): { status: string; text: string; tone: 'success' | 'warning' | 'danger' | 'secondary' } {
  const ip = summary.ipCamera;
  const camera = summary.camera;
  if (summary.cameraOnline) return { status: 'live', text: 'live', tone: 'success' };
  if (camera?.keyRevoked) return { status: 'key_revoked', text: 'key revoked', tone: 'danger' };
  if (ip) return { status: ip.status, text: `IP camera ${IP_CAMERA_STATUS[ip.status]} since ${hhmm(ip.since)}`, tone: 'warning' };
  if (camera?.lastSeenAt) return { status: 'offline', text: `offline since ${hhmm(camera.lastSeenAt)}`, tone: 'warning' };
  // A zone no camera ever published: often a mistyped zone on a wall.
  return { status: 'never_seen', text: 'never seen', tone: 'secondary' };
}

export interface TileCamera {
  readonly name: string | null;
  readonly lastSeenAt: string | null;
  /** No camera has ever published the zone: often a mistyped zone. */
  readonly neverSeen: boolean;
}

/** The zone's camera name: the one an admin gave it under Named cameras, else the IP camera's, else the label of the key that published it. */
export const cameraNameOf = (summary: ZoneSummary | undefined): string | null =>
  summary?.camera?.name ?? summary?.ipCamera?.name ?? summary?.camera?.displayName ?? null;

/** An IP camera that is not live, in the operator's words (the reason is on the admin page). */
const IP_CAMERA_STATUS: Record<NonNullable<ZoneSummary['ipCamera']>['status'], string> = {
  live: 'live', connecting: 'connecting', auth_failed: 'refused the gateway', unreachable: 'unreachable', unsupported_codec: 'sends video browsers cannot play',
  stalled: 'stalled', relay_disabled: 'needs the media relay', zone_busy: 'held by another gateway',
};

export interface DirectoryOptions {
  /** "Watch" pressed for `zone`, at performance.now() `clickedAt`. */
  onWatch(zone: ZoneId, clickedAt: number): void;
  /** Whether `zone` already has a tile (its Watch button is then disabled). */
  isOnWall(zone: ZoneId): boolean;
}

/** The search box and group filter over the list. */
export interface DirectoryFilters {
  readonly search: HTMLInputElement;
  readonly group: HTMLSelectElement;
}

/**
 * The live list of cameras (`zone:directory` at connect, `zone:updated` deltas after), by name
 * with zone, place, status (live, offline since, never seen, key revoked), viewers and a Watch
 * button; searched by name, zone or place, filtered by group.
 */
export class ZoneDirectory {
  readonly #list: HTMLElement;
  readonly #options: DirectoryOptions;
  readonly #filters: DirectoryFilters | null;
  #zones: ZoneSummary[] = [];
  /** Bumped every few seconds: the live cameras' thumbnails are fetched again. */
  #thumbnailRound = 0;

  constructor(list: HTMLElement, options: DirectoryOptions, filters: DirectoryFilters | null = null) {
    this.#list = list;
    this.#options = options;
    this.#filters = filters;
    setInterval(() => {
      // Nobody sees them (the page hidden, the drawer closed, kiosk mode): nothing is fetched.
      if (document.visibilityState !== 'visible' || list.offsetParent === null) return;
      this.#thumbnailRound += 1;
      for (const img of list.querySelectorAll<HTMLImageElement>('img.directory-thumb')) img.src = this.#thumbnailAddress(img.dataset.zone!);
    }, Timing.thumbnailIntervalMs);
    filters?.search.addEventListener('input', () => this.render(this.#zones));
    filters?.group.addEventListener('change', () => this.render(this.#zones));
    list.addEventListener('click', (event) => {
      const button = event.target instanceof Element ? event.target.closest<HTMLButtonElement>('button[data-action="watch"]') : null;
      const zone = button?.closest<HTMLElement>('[data-directory-zone]')?.dataset.directoryZone;
      if (button && !button.disabled && zone) this.#options.onWatch(zone, performance.now());
    });
    this.render([]);
  }

  render(zones: readonly ZoneSummary[]): void {
    // Cameras online first, then by name: the cameras an operator can watch right now lead.
    const label = (z: ZoneSummary) => cameraNameOf(z) ?? z.zone;
    this.#zones = [...zones].sort((a, b) => Number(b.cameraOnline) - Number(a.cameraOnline) || label(a).localeCompare(label(b)) || a.zone.localeCompare(b.zone));
    this.#renderGroups();
    const shown = this.#zones.filter((z) => this.#matches(z));
    if (shown.length === 0) {
      const text = this.#zones.length === 0 ? 'No cameras online yet' : 'No camera matches the search';
      this.#list.replaceChildren(element('li', { className: 'list-group-item directory-empty', text }));
      return;
    }
    this.#list.replaceChildren(...shown.map((summary) => this.#item(summary)));
  }

  #matches(summary: ZoneSummary): boolean {
    if (!this.#filters) return true;
    const group = this.#filters.group.value;
    if (group && groupOf(summary.zone, summary.camera?.group) !== group) return false;
    const words = this.#filters.search.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    const haystack = [summary.zone, cameraNameOf(summary), summary.camera?.location, summary.camera?.description].filter(Boolean).join(' ').toLowerCase();
    return words.every((word) => haystack.includes(word));
  }

  /** The group filter offers the groups of the cameras listed, keeping the choice. */
  #renderGroups(): void {
    const select = this.#filters?.group;
    if (!select) return;
    const groups = [...new Set(this.#zones.map((z) => groupOf(z.zone, z.camera?.group)))].sort();
    const current = [...select.options].slice(1).map((o) => o.value);
    if (current.join('\n') === groups.join('\n')) return;
    const chosen = select.value;
    select.replaceChildren(new Option('All groups', ''), ...groups.map((g) => new Option(g, g)));
    select.value = groups.includes(chosen) ? chosen : '';
  }

  /** Applies a `zone:updated` delta: changed or new zones replace their entry, removed ones go. */
  update({ zones, removed }: ZoneDirectoryUpdate): void {
    const byZone = new Map(this.#zones.map((summary) => [summary.zone, summary]));
    for (const zone of removed) byZone.delete(zone);
    for (const summary of zones) byZone.set(summary.zone, summary);
    this.render([...byZone.values()]);
  }

  /** What a tile shows of its zone's camera: its name, when it was last seen, whether it ever was. */
  tileCamera(zone: ZoneId): TileCamera {
    const summary = this.#zones.find((z) => z.zone === zone);
    return {
      name: cameraNameOf(summary),
      lastSeenAt: summary?.camera?.lastSeenAt ?? null,
      // Not in the directory (yet): nothing is claimed. Listed, never online, never seen: say so.
      neverSeen: summary !== undefined && !summary.cameraOnline && !summary.ipCamera && !summary.camera?.lastSeenAt,
    };
  }

  summary(zone: ZoneId): ZoneSummary | undefined {
    return this.#zones.find((z) => z.zone === zone);
  }

  /** Whether the zone's camera can be steered (an ONVIF camera with PTZ). */
  steerable(zone: ZoneId): boolean {
    return this.#zones.find((z) => z.zone === zone)?.ipCamera?.ptz === true;
  }

  /** Re-evaluates the Watch buttons after tiles were added or removed. */
  refresh(): void {
    for (const button of this.#list.querySelectorAll<HTMLButtonElement>('button[data-action="watch"]')) {
      const zone = button.closest<HTMLElement>('[data-directory-zone]')?.dataset.directoryZone;
      if (zone) this.#setWatchButton(button, zone);
    }
  }

  #item(summary: ZoneSummary): HTMLElement {
    const { status, text: statusText, tone } = cameraStatusOf(summary);
    const item = element('li', { className: 'list-group-item directory-item', attributes: { 'data-directory-zone': summary.zone, 'data-status': status } });
    const cameraName = cameraNameOf(summary);
    const name = element('span', { className: 'directory-zone', text: cameraName ?? summary.zone });
    if (summary.camera?.description) name.title = summary.camera.description;
    const ip = summary.ipCamera;
    const camera = element('span', {
      className: `badge rounded-pill text-bg-${tone}`,
      text: statusText,
      attributes: { 'data-camera': summary.cameraOnline ? 'online' : 'offline', ...(ip ? { 'data-ip-camera': ip.status } : {}) },
    });
    const viewers = element('span', {
      className: 'directory-viewers',
      text: `${summary.viewers} ${summary.viewers === 1 ? 'viewer' : 'viewers'}`,
      attributes: { 'data-viewers': String(summary.viewers) },
    });
    const watch = element('button', { className: 'btn btn-sm btn-outline-success', text: 'Watch', attributes: { type: 'button', 'data-action': 'watch' } });
    this.#setWatchButton(watch, summary.zone);
    const details = element('div', { className: 'directory-details' });
    details.append(camera, viewers);
    const text = element('div', { className: 'directory-text' });
    text.append(name);
    const place = [cameraName ? summary.zone : null, summary.camera?.location].filter(Boolean).join(' · ');
    if (place) text.append(element('span', { className: 'directory-place', text: place }));
    text.append(details);
    if (summary.cameraOnline) {
      const thumb = element('img', {
        className: 'directory-thumb',
        attributes: { alt: '', width: '64', height: '36', loading: 'lazy', 'data-zone': summary.zone, src: this.#thumbnailAddress(summary.zone) },
      });
      // Nothing yet (204): the slot stays empty until the camera's first thumbnail.
      thumb.addEventListener('error', () => thumb.classList.add('empty'));
      thumb.addEventListener('load', () => thumb.classList.remove('empty'));
      item.append(thumb);
    }
    item.append(text, watch);
    return item;
  }

  #thumbnailAddress(zone: string): string {
    return `/api/thumbnails/${encodeURIComponent(zone)}?round=${this.#thumbnailRound}`;
  }

  #setWatchButton(button: HTMLButtonElement, zone: ZoneId): void {
    const onWall = this.#options.isOnWall(zone);
    button.disabled = onWall;
    button.textContent = onWall ? 'On wall' : 'Watch';
    // The visible words first: a voice command ("click Watch") names what is seen.
    button.setAttribute('aria-label', onWall ? `On wall: ${zone}` : `Watch ${zone}`);
  }
}
