const STORAGE_KEY = 'vigil.eventsFirst';

/**
 * "Events first": a tile whose camera reports motion or tampering moves to the front of the wall,
 * so on a wall of 16 the one that matters is top left. Off by default, remembered per browser.
 */
export class EventsFirst {
  constructor(private readonly button: HTMLButtonElement) {
    button.addEventListener('click', () => {
      localStorage.setItem(STORAGE_KEY, this.enabled ? 'off' : 'on');
      this.#render();
    });
    this.#render();
  }

  get enabled(): boolean {
    return localStorage.getItem(STORAGE_KEY) === 'on';
  }

  #render(): void {
    this.button.setAttribute('aria-pressed', String(this.enabled));
    this.button.textContent = this.enabled ? 'Events first: on' : 'Events first: off';
  }
}
