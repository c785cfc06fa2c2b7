import { isZoneId, normaliseZoneInput, Role, type ZoneId } from '../../shared/index.ts';
import { byId } from './dom.ts';
import { renderStatus, type ConnectionStatus } from './statusPill.ts';

export interface PageHeader {
  /** The zone typed, normalised; null (with an inline message) when it is not a zone identifier. */
  readZone(): ZoneId | null;
  setZone(zone: string): void;
  setStatus(status: ConnectionStatus): void;
  /** Labels the Initialise button (the camera page turns it into "End Session"). */
  setActionLabel(label: string): void;
  /** "Initialise Secure Session" pressed, or Enter in the zone field. */
  onSubmit(handler: () => void): void;
}

const PAGE_FOR_ROLE: Record<Role, string> = { [Role.CAMERA]: '/camera.html', [Role.OPERATOR]: '/' };

export const ZONE_HINT = 'Use upper-case letters and digits in hyphen-separated words, at most 64 characters, e.g. CBD-TRAFFIC-01.';

/** The zone named in the page address (`?zone=`), normalised, or '' when absent. */
export function zoneFromAddress(): string {
  return normaliseZoneInput(new URLSearchParams(window.location.search).get('zone') ?? '');
}

/**
 * Wires the header both pages share (markup in partials/header.html): zone field with inline
 * validation, role select that moves to the other page carrying the zone, status pill.
 */
export function initHeader(pageRole: Role): PageHeader {
  const form = byId('session-form', HTMLFormElement);
  const zoneInput = byId('zone-input', HTMLInputElement);
  const feedback = byId('zone-feedback', HTMLElement);
  // The camera page has one; the console does not (an operator console is not a camera).
  const roleSelect = document.getElementById('role-select') as HTMLSelectElement | null;
  const initButton = byId('init-session', HTMLButtonElement);
  const pill = byId('status-pill', HTMLElement);

  if (roleSelect) roleSelect.value = pageRole;
  zoneInput.value = zoneFromAddress();

  const clearInvalid = (): void => {
    zoneInput.classList.remove('is-invalid');
    zoneInput.removeAttribute('aria-invalid');
    feedback.textContent = '';
  };
  zoneInput.addEventListener('input', clearInvalid);

  roleSelect?.addEventListener('change', () => {
    const role = roleSelect.value as Role;
    if (role === pageRole || !(role in PAGE_FOR_ROLE)) return;
    const zone = normaliseZoneInput(zoneInput.value);
    window.location.assign(zone ? `${PAGE_FOR_ROLE[role]}?zone=${encodeURIComponent(zone)}` : PAGE_FOR_ROLE[role]);
  });

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
