import type { PtzPreset } from '../../shared/index.ts';
import { call, connectOnvif, type OnvifCam, type OnvifTarget } from './onvifDevice.ts';

/** The camera answers ONVIF but lists no PTZ service: a fixed camera. */
export class NoPtzService extends Error {
  constructor() {
    super('The camera answers ONVIF but has no PTZ service.');
  }
}

/** One camera's PTZ service (ONVIF PTZ, through its media profile): what Vigil asks of it. */
export class OnvifPtz {
  private constructor(private readonly cam: OnvifCam, private readonly profileToken: string) {}

  static async connect(target: OnvifTarget, profileToken: string): Promise<OnvifPtz> {
    const cam = await connectOnvif(target);
    if (!cam.uri.ptz) throw new NoPtzService();
    return new OnvifPtz(cam, profileToken);
  }

  /** Speeds -1…1 per axis; the camera stops by itself after `timeoutMs` unless asked again. */
  async move(pan: number, tilt: number, zoom: number, timeoutMs: number): Promise<void> {
    await call((done) => this.cam.continuousMove({ profileToken: this.profileToken, x: pan, y: tilt, zoom, timeout: timeoutMs }, done));
  }

  async stop(): Promise<void> {
    await call((done) => this.cam.stop({ profileToken: this.profileToken, panTilt: true, zoom: true }, done));
  }

  async goToPreset(preset: string): Promise<void> {
    await call((done) => this.cam.gotoPreset({ profileToken: this.profileToken, preset }, done));
  }

  async presets(): Promise<PtzPreset[]> {
    const presets = await call<Record<string, { $: { token: string }; name?: string }>>((done) => this.cam.getPresets({ profileToken: this.profileToken }, done));
    return Object.values(presets).map((p) => ({ token: p.$.token, name: p.name ?? p.$.token }));
  }
}
