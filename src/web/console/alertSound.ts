const STORAGE_KEY = 'vigil.alertSound';
const TONES_HZ = [880, 660];
const TONE_SECONDS = 0.18;

/**
 * An optional sound for alerts that must not be missed (a camera on the wall going down, the
 * gateway unreachable), off by default and remembered per browser. Made with Web Audio (no file
 * to fetch); the browser allows it only after a click, which turning it on is. `data-played` on
 * the button counts the alerts sounded, for people checking it works and for tests.
 */
export class AlertSound {
  readonly #button: HTMLButtonElement;
  #context: AudioContext | null = null;
  #played = 0;

  constructor(button: HTMLButtonElement) {
    this.#button = button;
    button.addEventListener('click', () => this.#setEnabled(!this.enabled));
    this.#render();
  }

  get enabled(): boolean {
    return localStorage.getItem(STORAGE_KEY) === 'on';
  }

  /** Two short falling tones, if the sound is on (and the browser has let it start). */
  play(): void {
    if (!this.enabled) return;
    const context = this.#ensureContext();
    if (!context) return;
    const start = context.currentTime + 0.01;
    TONES_HZ.forEach((hz, i) => {
      const tone = context.createOscillator();
      const gain = context.createGain();
      tone.frequency.value = hz;
      gain.gain.setValueAtTime(0.2, start + i * TONE_SECONDS);
      gain.gain.exponentialRampToValueAtTime(0.001, start + (i + 1) * TONE_SECONDS);
      tone.connect(gain).connect(context.destination);
      tone.start(start + i * TONE_SECONDS);
      tone.stop(start + (i + 1) * TONE_SECONDS);
    });
    this.#played += 1;
    this.#button.dataset.played = String(this.#played);
  }

  #setEnabled(on: boolean): void {
    localStorage.setItem(STORAGE_KEY, on ? 'on' : 'off');
    // Created (or resumed) inside the click: the one moment the browser lets a page start sound.
    if (on) void this.#ensureContext()?.resume();
    this.#render();
  }

  #ensureContext(): AudioContext | null {
    if (!this.#context && typeof AudioContext === 'function') this.#context = new AudioContext();
    return this.#context;
  }

  #render(): void {
    const on = this.enabled;
    this.#button.setAttribute('aria-pressed', String(on));
    this.#button.textContent = on ? 'Sound on' : 'Sound off';
    this.#button.title = on ? 'Alerts sound: click to silence' : 'Alerts are silent: click to sound them';
  }
}
