import type { ZoneDirectoryUpdate, ZoneId, ZoneSummary } from '../../shared/index.ts';
import { element } from '../shared-ui/dom.ts';

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

/** The live list of zones (`zone:directory` at connect, `zone:updated` deltas after): camera online or not, viewers, and a Watch button. */
export class ZoneDirectory {
  readonly #list: HTMLElement;
  readonly #options: DirectoryOptions;
  #zones: ZoneSummary[] = [];

  constructor(list: HTMLElement, options: DirectoryOptions) {
    this.#list = list;
    this.#options = options;
    list.addEventListener('click', (event) => {
      const button = event.target instanceof Element ? event.target.closest<HTMLButtonElement>('button[data-action="watch"]') : null;
      const zone = button?.closest<HTMLElement>('[data-directory-zone]')?.dataset.directoryZone;
      if (button && !button.disabled && zone) this.#options.onWatch(zone, performance.now());
    });
    this.render([]);
  }

  render(zones: readonly ZoneSummary[]): void {
    // Cameras online first, then by name: the zones an operator can watch right now lead.
    this.#zones = [...zones].sort((a, b) => Number(b.cameraOnline) - Number(a.cameraOnline) || a.zone.localeCompare(b.zone));
    if (this.#zones.length === 0) {
      this.#list.replaceChildren(element('li', { className: 'list-group-item directory-empty', text: 'No cameras online yet' }));
      return;
    }
    this.#list.replaceChildren(...this.#zones.map((summary) => this.#item(summary)));
  }

  /** Applies a `zone:updated` delta: changed or new zones replace their entry, removed ones go. */
  update({ zones, removed }: ZoneDirectoryUpdate): void {
    const byZone = new Map(this.#zones.map((summary) => [summary.zone, summary]));
    for (const zone of removed) byZone.delete(zone);
    for (const summary of zones) byZone.set(summary.zone, summary);
    this.render([...byZone.values()]);
  }

  /** The zone's camera name (an IP camera's, or one an edge node reports), or null. */
  cameraName(zone: ZoneId): string | null {
    return this.#zones.find((z) => z.zone === zone)?.ipCamera?.name ?? null;
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
    const item = element('li', { className: 'list-group-item directory-item', attributes: { 'data-directory-zone': summary.zone } });
    const name = element('span', { className: 'directory-zone', text: summary.ipCamera ? `${summary.zone} · ${summary.ipCamera.name}` : summary.zone });
    const ip = summary.ipCamera;
    const camera = element('span', {
      className: `badge rounded-pill ${summary.cameraOnline ? 'text-bg-success' : ip ? 'text-bg-warning' : 'text-bg-secondary'}`,
      text: summary.cameraOnline ? 'camera online' : ip ? `IP camera ${IP_CAMERA_STATUS[ip.status]} since ${new Date(ip.since).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })}` : 'camera offline',
      attributes: { 'data-camera': summary.cameraOnline ? 'online' : 'offline', ...(ip ? { 'data-ip-camera': ip.status, title: ip.name } : {}) },
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
    text.append(name, details);
    item.append(text, watch);
    return item;
  }

  #setWatchButton(button: HTMLButtonElement, zone: ZoneId): void {
    const onWall = this.#options.isOnWall(zone);
    button.disabled = onWall;
    button.textContent = onWall ? 'On wall' : 'Watch';
    button.setAttribute('aria-label', onWall ? `${zone} is on the wall` : `Watch ${zone}`);
  }
}
