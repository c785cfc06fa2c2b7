import { isZoneId, normaliseZoneInput, type ZoneId } from '../../shared/index.ts';
import { byId } from './dom.ts';
import { renderStatus, type ConnectionStatus } from './statusPill.ts';

export interface PageHeader {
  /** The zone typed, normalised; null (with an inline message) when it is not a zone identifier. */
  readZone(): ZoneId | null;
  setZone(zone: string): void;
  setStatus(status: ConnectionStatus): void;
  /** Labels the form's button (the camera page: Start publishing / Stop publishing). */
  setActionLabel(label: string): void;
  /** The form's button pressed, or Enter in the zone field. */
  onSubmit(handler: () => void): void;
}

export const ZONE_HINT = 'Use upper-case letters and digits in hyphen-separated words, at most 64 characters, e.g. CBD-TRAFFIC-01.';

/** The zone named in the page address (`?zone=`), normalised, or '' when absent. */
export function zoneFromAddress(): string {
  return normaliseZoneInput(new URLSearchParams(window.location.search).get('zone') ?? '');
}

/**
 * Wires what the console and the camera page share: the zone form (#session-form, #zone-input
 * with inline validation, #init-session) and the status pill. The zone starts as `?zone=` says.
 */
export function initHeader(): PageHeader {
  const form = byId('session-form', HTMLFormElement);
  const zoneInput = byId('zone-input', HTMLInputElement);
  const feedback = byId('zone-feedback', HTMLElement);
  const initButton = byId('init-session', HTMLButtonElement);
  const pill = byId('status-pill', HTMLElement);

  zoneInput.value = zoneFromAddress();

  const clearInvalid = (): void => {
    zoneInput.classList.remove('is-invalid');
    zoneInput.removeAttribute('aria-invalid');
    feedback.textContent = '';
  };
  zoneInput.addEventListener('input', clearInvalid);

  const handlers: (() => void)[] = [];
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    for (const handler of handlers) handler();
  });

  return {
    readZone() {
      const zone = normaliseZoneInput(zoneInput.value);
      zoneInput.value = zone;
      if (isZoneId(zone)) {
        clearInvalid();
        return zone;
      }
      zoneInput.classList.add('is-invalid');
      zoneInput.setAttribute('aria-invalid', 'true');
      feedback.textContent = zone === '' ? `Enter a zone identifier. ${ZONE_HINT}` : `"${zone}" is not a zone identifier. ${ZONE_HINT}`;
      zoneInput.focus();
      return null;
    },
    setZone(zone) {
      zoneInput.value = zone;
      clearInvalid();
    },
    setStatus(status) {
      renderStatus(pill, status);
    },
    setActionLabel(label) {
      initButton.textContent = label;
    },
    onSubmit(handler) {
      handlers.push(handler);
    },
  };
}
