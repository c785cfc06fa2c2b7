/** The part of the `onvif` package (agsh/onvif, plain JS, no types of its own) Vigil uses. */
declare module 'onvif' {
  type Callback<T> = (error: Error | null, value: T) => void;
  interface CamOptions { hostname: string; port?: number; username?: string; password?: string; timeout?: number; autoconnect?: boolean; preserveAddress?: boolean }
  interface OnvifProfile { $: { token: string }; name: string; videoEncoderConfiguration?: { encoding?: string; resolution?: { width: number; height: number } } }
  class Cam {
    constructor(options: CamOptions, callback?: Callback<unknown>);
    profiles: OnvifProfile[];
    connect(callback: Callback<unknown>): void;
    getDeviceInformation(callback: Callback<{ manufacturer?: string; model?: string; firmwareVersion?: string; serialNumber?: string }>): void;
    getSystemDateAndTime(callback: Callback<Date>): void;
    getStreamUri(options: { protocol: 'RTSP' | 'UDP'; profileToken: string }, callback: Callback<{ uri: string }>): void;
    getSnapshotUri(options: { profileToken: string }, callback: Callback<{ uri: string }>): void;
    /** The service addresses GetCapabilities named (`ptz` only for a camera that has PTZ). */
    uri: { ptz?: unknown };
    continuousMove(options: { profileToken: string; x: number; y: number; zoom: number; timeout?: number }, callback: Callback<unknown>): void;
    stop(options: { profileToken: string; panTilt: boolean; zoom: boolean }, callback: Callback<unknown>): void;
    gotoPreset(options: { profileToken: string; preset: string }, callback: Callback<unknown>): void;
    getPresets(options: { profileToken: string }, callback: Callback<Record<string, { $: { token: string }; name?: string }>>): void;
  }
  const onvif: { Cam: typeof Cam };
  export default onvif;
}
