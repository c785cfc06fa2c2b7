import type { LayoutView, Wall, ZoneId } from '../../shared/index.ts';
import { api } from '../shared-ui/api.ts';
import { byId, element } from '../shared-ui/dom.ts';
import type { VideoWall } from './VideoWall.ts';

/** A wall change is saved this long after the last one (a burst of adds is one save). */
const SAVE_AFTER_MS = 400;

export interface WallLayoutsOptions {
  readonly wall: VideoWall;
  /** Puts a layout on the wall: its grid, its zones in order (what is there and not in it goes). */
  apply(layout: Wall): void;
  /** Said when the gateway refuses (a name in use, not allowed). */
  refused(code: string, message: string): void;
}

/**
 * The operator's walls, kept by the gateway: the wall as it is now is saved as it changes and
 * comes back after a reload or the next sign-in; named layouts are saved and opened from the bar
 * (and by address, `/?layout=<name>`); admins may share a layout with every operator.
 */
export class WallLayouts {
  readonly #select = byId('layout-open', HTMLSelectElement);
  readonly #name = byId('layout-name', HTMLInputElement);
  #layouts: LayoutView[] = [];
  #saved = '';
  #timer: ReturnType<typeof setTimeout> | null = null;
  #ready = false;

  constructor(private readonly options: WallLayoutsOptions) {
    this.#select.addEventListener('change', () => {
      const chosen = this.#layouts.find((l) => this.#key(l) === this.#select.value);
      this.#select.value = '';
      if (chosen) options.apply(chosen);
    });
    byId('layout-save-form', HTMLFormElement).addEventListener('submit', (event) => {
      event.preventDefault();
      const audience = byId('layout-audience', HTMLInputElement).value.split(',').map((name) => name.trim().toLowerCase()).filter(Boolean);
      void this.#saveAs(this.#name.value.trim(), byId('layout-shared', HTMLInputElement).checked, audience);
    });
  }

  /**
   * At load: what the address asks for (`?zones=`: that wall, not saved; `?layout=`: that saved
   * layout), else the wall as last left. Saving follows from here on.
   */
  async restore(address: URLSearchParams): Promise<void> {
    const reply = await api<{ layouts: LayoutView[]; current: Wall | null }>('GET', '/api/layouts');
    if (reply.ok) this.#render(reply.data.layouts);
    // A wall opened by address (a kiosk screen, a link) is shown, not saved over the operator's own.
    if (address.has('zones')) return;
    const named = address.get('layout');
    const layout = named !== null && reply.ok
      ? reply.data.layouts.find((l) => l.name === named && !l.shared) ?? reply.data.layouts.find((l) => l.name === named)
      : reply.ok ? reply.data.current : null;
    if (named !== null && !layout) this.options.refused('NOT_FOUND', `No saved layout named "${named}".`);
    if (layout) this.options.apply(layout);
    this.#ready = true;
    this.changed();
  }

  /** The wall changed (or may have): saved once it settles, if it differs from what was saved. */
  changed(): void {
    if (!this.#ready) return;
    const wall = this.#current();
    if (JSON.stringify(wall) === this.#saved) return;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = null;
      const now = this.#current();
      this.#saved = JSON.stringify(now);
      void api('PUT', '/api/wall', now);
    }, SAVE_AFTER_MS);
  }

  #current(): Wall {
    return { grid: String(this.options.wall.layout) as Wall['grid'], zones: [...this.options.wall.zones] };
  }

  async #saveAs(name: string, shared: boolean, audience: string[]): Promise<void> {
    if (!name) return this.options.refused('PAYLOAD_INVALID', 'Name the layout first.');
    const reply = await api<{ layout: LayoutView }>('PUT', `/api/layouts/${encodeURIComponent(name)}`, { ...this.#current(), shared, ...(shared ? { audience } : {}) });
    if (!reply.ok) return this.options.refused(reply.error.code, reply.error.message);
    this.#name.value = '';
    this.#render([...this.#layouts.filter((l) => this.#key(l) !== this.#key(reply.data.layout)), reply.data.layout]);
  }

  #key(layout: LayoutView): string {
    return `${layout.shared ? 'shared' : 'own'}:${layout.name}`;
  }

  #render(layouts: LayoutView[]): void {
    this.#layouts = [...layouts].sort((a, b) => Number(a.shared) - Number(b.shared) || a.name.localeCompare(b.name));
    this.#select.replaceChildren(
      element('option', { text: this.#layouts.length ? 'Open layout…' : 'No saved layouts', attributes: { value: '' } }),
      ...this.#layouts.map((l) => element('option', {
        text: `${l.name}${l.shared ? (l.audience ? ` (shared with ${l.audience.join(', ')})` : ' (shared)') : ''} · ${l.zones.length}`,
        attributes: { value: this.#key(l) },
      })),
    );
  }
}

/** The zones of `layout` that are not on the wall, and those on it that are not in the layout. */
export function wallDifference(onWall: readonly ZoneId[], layout: Wall): { add: ZoneId[]; remove: ZoneId[] } {
  return { add: layout.zones.filter((z) => !onWall.includes(z)), remove: onWall.filter((z) => !layout.zones.includes(z)) };
}

