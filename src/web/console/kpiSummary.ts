import { formatKpis, NO_VALUE } from '../lib/kpis.ts';
import { byId } from '../shared-ui/dom.ts';
import type { Tile } from './Tile.ts';

/** The KPI row under the header: Zone, ICE path, RTT and encryption of the selected tile. */
export class KpiSummary {
  readonly #zone = byId('kpi-zone', HTMLElement);
  readonly #ice = byId('kpi-ice', HTMLElement);
  readonly #rtt = byId('kpi-rtt', HTMLElement);
  readonly #encryption = byId('kpi-encryption', HTMLElement);

  render(tile: Tile | null): void {
    const shown = formatKpis(tile?.kpis ?? null);
    set(this.#zone, tile?.zone ?? NO_VALUE);
    set(this.#ice, shown.icePath);
    set(this.#rtt, shown.rtt);
    set(this.#encryption, shown.encryption);
  }
}

function set(target: HTMLElement, text: string): void {
  if (target.textContent !== text) target.textContent = text;
}
