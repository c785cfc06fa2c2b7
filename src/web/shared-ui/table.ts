/** A table cell holding text only: data from the server is never parsed as HTML. */
export function cell(text: string, className?: string): HTMLTableCellElement {
  const td = document.createElement('td');
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

export function actionButton(label: string, action: string, onClick: () => void, variant = 'outline-danger'): HTMLButtonElement {
  const button = document.createElement('button');
  button.type = 'button';
  button.className = `btn btn-${variant} btn-sm`;
  button.dataset.action = action;
  button.textContent = label;
  button.addEventListener('click', onClick);
  return button;
}

/** How long a destructive button waits for its confirming second click. */
const CONFIRM_MS = 4_000;

/**
 * A destructive action takes two clicks: the first turns the button into "Confirm <label>?" (for
 * a few seconds, or until focus leaves it), the second does it. One stray click ends nothing.
 */
export function confirmingButton(label: string, action: string, onConfirm: () => void): HTMLButtonElement {
  let armed: ReturnType<typeof setTimeout> | null = null;
  const disarm = (): void => {
    if (armed !== null) clearTimeout(armed);
    armed = null;
    button.textContent = label;
    button.classList.replace('btn-danger', 'btn-outline-danger');
    delete button.dataset.confirming;
  };
  const button = actionButton(label, action, () => {
    if (armed === null) {
      button.textContent = `Confirm ${label.toLowerCase()}?`;
      button.classList.replace('btn-outline-danger', 'btn-danger');
      button.dataset.confirming = 'true';
      armed = setTimeout(disarm, CONFIRM_MS);
      return;
    }
    disarm();
    onConfirm();
  });
  button.addEventListener('blur', disarm);
  return button;
}

export function actionsCell(...buttons: HTMLButtonElement[]): HTMLTableCellElement {
  const td = document.createElement('td');
  td.className = 'text-end d-flex gap-2 justify-content-end';
  td.append(...buttons);
  return td;
}

/** 24-hour, with the screen's time zone named: a control room's log is read across shifts and sites. */
const WHEN_FORMAT: Intl.DateTimeFormatOptions = {
  year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23', timeZoneName: 'short',
};
export const when = (iso: string | null): string => (iso ? new Date(iso).toLocaleString([], WHEN_FORMAT) : '–');

/** UTC, to the second: what another site or an investigator compares against. */
export const utc = (iso: string): string => `${new Date(iso).toISOString().slice(0, 19).replace('T', ' ')} UTC`;

/** A time cell: `text` (local time by default) in a `<time>` that shows UTC on hover. */
export function timeCell(iso: string | null, text = when(iso)): HTMLTableCellElement {
  const td = document.createElement('td');
  if (!iso) {
    td.textContent = text;
    return td;
  }
  const time = document.createElement('time');
  time.dateTime = iso;
  time.title = utc(iso);
  time.textContent = text;
  td.append(time);
  return td;
}
