import { element } from './dom.ts';

/**
 * Modal questions on the native `<dialog>`: focus moves into it and back, Esc cancels, the rest of
 * the page is inert while it is open. Every dialog carries `data-dialog` (its purpose) for tests
 * and kiosk tools; the default button is the safe one.
 */

export interface ConfirmOptions {
  /** `data-dialog` value, e.g. `stop-publishing`. */
  readonly name: string;
  readonly title: string;
  readonly body: string;
  readonly confirmLabel: string;
  readonly cancelLabel?: string;
}

export interface PasswordOptions {
  readonly name: string;
  readonly title: string;
  readonly body: string;
  readonly confirmLabel: string;
  readonly minLength: number;
}

interface Built {
  readonly dialog: HTMLDialogElement;
  readonly form: HTMLFormElement;
  readonly confirm: HTMLButtonElement;
  readonly cancel: HTMLButtonElement;
}

let opened = 0;

function build(name: string, title: string, body: string, confirmLabel: string, cancelLabel: string, danger: boolean): Built {
  const id = `vigil-dialog-${++opened}`;
  const dialog = element('dialog', { className: 'vigil-dialog', attributes: { 'data-dialog': name, 'aria-labelledby': `${id}-title`, 'aria-describedby': `${id}-body` } });
  const form = element('form', { attributes: { method: 'dialog', novalidate: '' } });
  const heading = element('h2', { className: 'vigil-dialog-title', text: title, attributes: { id: `${id}-title` } });
  const text = element('p', { className: 'vigil-dialog-body', text: body, attributes: { id: `${id}-body` } });
  const actions = element('div', { className: 'vigil-dialog-actions' });
  const cancel = element('button', { className: 'btn btn-outline-light btn-sm', text: cancelLabel, attributes: { type: 'button', 'data-action': 'cancel' } });
  const confirm = element('button', { className: `btn btn-sm ${danger ? 'btn-danger' : 'btn-primary'}`, text: confirmLabel, attributes: { type: 'submit', 'data-action': 'confirm' } });
  actions.append(cancel, confirm);
  form.append(heading, text, actions);
  dialog.append(form);
  document.body.append(dialog);
  return { dialog, form, confirm, cancel };
}

/** Shows the dialog and resolves with what `answer` makes of the submit, or null on cancel/Esc. */
function run<T>(built: Built, answer: () => T | undefined, initialFocus: HTMLElement): Promise<T | null> {
  const { dialog, form, cancel } = built;
  return new Promise((resolve) => {
    let result: T | null = null;
    form.addEventListener('submit', (event) => {
      const value = answer();
      // undefined: not acceptable yet (the field says why); the dialog stays open.
      if (value === undefined) {
        event.preventDefault();
        return;
      }
      result = value;
    });
    cancel.addEventListener('click', () => dialog.close());
    dialog.addEventListener('close', () => {
      dialog.remove();
      resolve(result);
    }, { once: true });
    dialog.showModal();
    initialFocus.focus();
  });
}

/** Asks before an action that cannot be undone from here (ending a feed, leaving a live page). */
export async function confirmAction(options: ConfirmOptions): Promise<boolean> {
  const built = build(options.name, options.title, options.body, options.confirmLabel, options.cancelLabel ?? 'Cancel', true);
  return (await run(built, () => true, built.cancel)) === true;
}

/** Asks for a new password twice, checked here for length and match; the server checks it again. */
export function askNewPassword(options: PasswordOptions): Promise<string | null> {
  const built = build(options.name, options.title, options.body, options.confirmLabel, 'Cancel', false);
  const fields = element('div', { className: 'vigil-dialog-fields' });
  const input = (id: string, label: string): HTMLInputElement => {
    const field = element('input', {
      className: 'form-control form-control-sm',
      attributes: { id, type: 'password', autocomplete: 'new-password', minlength: String(options.minLength), required: '' },
    });
    fields.append(element('label', { className: 'form-label small mb-0', text: label, attributes: { for: id } }), field);
    return field;
  };
  const first = input(`${built.dialog.getAttribute('aria-labelledby')}-new`, 'New password');
  const second = input(`${built.dialog.getAttribute('aria-labelledby')}-again`, 'Type it again');
  const feedback = element('p', { className: 'vigil-dialog-error small', attributes: { role: 'alert', 'data-field': 'password' } });
  fields.append(feedback);
  built.form.insertBefore(fields, built.form.lastElementChild);
  return run(built, () => {
    const problem = first.value.length < options.minLength
      ? `At least ${options.minLength} characters.`
      : first.value !== second.value ? 'The two passwords differ.' : '';
    feedback.textContent = problem;
    if (!problem) return first.value;
    (problem.startsWith('At least') ? first : second).focus();
    return undefined;
  }, first);
}

export interface TextOptions {
  readonly name: string;
  readonly title: string;
  readonly body: string;
  readonly confirmLabel: string;
  readonly label: string;
  readonly maxLength: number;
  readonly value?: string;
}

/** Asks for a line of text (a note on an event), 1 to `maxLength` characters. */
export function askText(options: TextOptions): Promise<string | null> {
  const built = build(options.name, options.title, options.body, options.confirmLabel, 'Cancel', false);
  const id = `${built.dialog.getAttribute('aria-labelledby')}-text`;
  const fields = element('div', { className: 'vigil-dialog-fields' });
  const field = element('textarea', { className: 'form-control form-control-sm', attributes: { id, rows: '3', maxlength: String(options.maxLength), required: '' } });
  field.value = options.value ?? '';
  const feedback = element('p', { className: 'vigil-dialog-error small', attributes: { role: 'alert', 'data-field': 'text' } });
  fields.append(element('label', { className: 'form-label small mb-0', text: options.label, attributes: { for: id } }), field, feedback);
  built.form.insertBefore(fields, built.form.lastElementChild);
  return run(built, () => {
    const text = field.value.trim();
    feedback.textContent = text ? '' : 'Write something, or cancel.';
    return text || undefined;
  }, field);
}
