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

export function actionsCell(...buttons: HTMLButtonElement[]): HTMLTableCellElement {
  const td = document.createElement('td');
  td.className = 'text-end d-flex gap-2 justify-content-end';
  td.append(...buttons);
  return td;
}

export const when = (iso: string | null): string => (iso ? new Date(iso).toLocaleString() : '–');
