import { PTZ_TIMING, type PtzPreset, type ZoneId } from '../../shared/index.ts';
import { element } from '../shared-ui/dom.ts';
import { icon, type IconName } from '../shared-ui/icons.ts';

/** How a tile steers its camera: the gateway checks the operator's control right on each. */
export interface CameraSteering {
  /** The camera's presets when this operator may steer the zone's camera; null when not (or it cannot be steered). */
  presets(zone: ZoneId): Promise<PtzPreset[] | null>;
  move(zone: ZoneId, pan: number, tilt: number, zoom: number): void;
  stop(zone: ZoneId): void;
  goToPreset(zone: ZoneId, preset: string): void;
}

/** Half speed: a street camera at full speed overshoots what the operator aimed at. */
const SPEED = 0.5;

const DIRECTIONS: readonly { name: IconName; label: string; vector: [number, number, number] }[] = [
  { name: 'up', label: 'Tilt up', vector: [0, SPEED, 0] },
  { name: 'left', label: 'Pan left', vector: [-SPEED, 0, 0] },
  { name: 'right', label: 'Pan right', vector: [SPEED, 0, 0] },
  { name: 'down', label: 'Tilt down', vector: [0, -SPEED, 0] },
  { name: 'in', label: 'Zoom in', vector: [0, 0, SPEED] },
  { name: 'out', label: 'Zoom out', vector: [0, 0, -SPEED] },
];

/**
 * PTZ controls over a tile's picture: hold a direction to move (repeated while held, so the
 * camera stops by itself if this page goes), let go to stop; presets from a list.
 */
export class PtzPad {
  readonly element: HTMLElement;
  #held: ReturnType<typeof setInterval> | null = null;

  constructor(private readonly zone: ZoneId, presets: readonly PtzPreset[], private readonly steering: CameraSteering) {
    this.element = element('div', { className: 'ptz-pad', attributes: { 'data-ptz-pad': '', role: 'group', 'aria-label': `Steer the camera of ${zone}` } });
    for (const { name, label, vector } of DIRECTIONS) {
      const button = element('button', { className: `btn btn-sm btn-dark ptz-button ptz-${name}`, attributes: { type: 'button', 'data-ptz': name, title: `${label} (hold)`, 'aria-label': label } });
      button.append(icon(name));
      button.addEventListener('pointerdown', (event) => {
        button.setPointerCapture(event.pointerId);
        this.#start(vector);
      });
      for (const end of ['pointerup', 'pointercancel', 'lostpointercapture'] as const) button.addEventListener(end, () => this.#end());
      button.addEventListener('keydown', (event) => {
        if ((event.key === 'Enter' || event.key === ' ') && !event.repeat) {
          event.preventDefault();
          this.#start(vector);
        }
      });
      button.addEventListener('keyup', () => this.#end());
      button.addEventListener('blur', () => this.#end());
      this.element.append(button);
    }
    if (presets.length > 0) {
      const select = element('select', { className: 'form-select form-select-sm ptz-presets', attributes: { 'data-ptz': 'preset', 'aria-label': 'Go to preset' } });
      select.append(element('option', { text: 'Preset…', attributes: { value: '' } }), ...presets.map((p) => element('option', { text: p.name, attributes: { value: p.token } })));
      select.addEventListener('change', () => {
        if (select.value) this.steering.goToPreset(this.zone, select.value);
        select.value = '';
      });
      this.element.append(select);
    }
  }

  close(): void {
    this.#end();
    this.element.remove();
  }

  #start([pan, tilt, zoom]: [number, number, number]): void {
    this.#end();
    this.steering.move(this.zone, pan, tilt, zoom);
    this.#held = setInterval(() => this.steering.move(this.zone, pan, tilt, zoom), PTZ_TIMING.repeatMs);
  }

  #end(): void {
    if (this.#held === null) return;
    clearInterval(this.#held);
    this.#held = null;
    this.steering.stop(this.zone);
  }
}
