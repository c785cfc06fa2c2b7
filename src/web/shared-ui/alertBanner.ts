/** The page's one dismissible Bootstrap alert; `data-code` names what it reports, for people and tests. */
export class AlertBanner {
  readonly #element: HTMLElement;
  readonly #text: HTMLElement;

  constructor(element: HTMLElement) {
    this.#element = element;
    const text = element.querySelector<HTMLElement>('.alert-text');
    if (!text) throw new TypeError(`#${element.id} has no .alert-text`);
    this.#text = text;
    element.querySelector('.btn-close')?.addEventListener('click', () => this.hide());
  }

  get code(): string | null {
    return this.#element.hidden ? null : this.#element.dataset.code ?? null;
  }

  /** `warning` for conditions that fix themselves (reconnecting), `danger` for refusals, `success` for a done action. */
  show(code: string, message: string, variant: 'danger' | 'warning' | 'success' = 'danger'): void {
    this.#element.dataset.code = code;
    this.#text.textContent = message;
    this.#element.classList.toggle('alert-danger', variant === 'danger');
    this.#element.classList.toggle('alert-warning', variant === 'warning');
    this.#element.classList.toggle('alert-success', variant === 'success');
    this.#element.hidden = false;
  }

  hide(): void {
    this.#element.hidden = true;
  }

  /** Hides the alert only if it still reports `code` (a newer error stays visible). */
  hideIf(code: string): void {
    if (this.code === code) this.hide();
  }
}
