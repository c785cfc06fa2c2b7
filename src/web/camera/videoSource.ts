import { createTestPatternSource } from './testPatternSource.ts';
import { createTestSceneSource, type TestSceneSource } from './testSceneSource.ts';

/** Capture presets offered in #preset-select; values are "ideal" constraints, the camera picks the closest. */
export const PRESETS = {
  '480p30': { width: 640, height: 480, frameRate: 30 },
  '720p30': { width: 1280, height: 720, frameRate: 30 },
  '1080p30': { width: 1920, height: 1080, frameRate: 30 },
  '720p15': { width: 1280, height: 720, frameRate: 15 },
  '360p30': { width: 640, height: 360, frameRate: 30 },
} as const;

export type PresetId = keyof typeof PRESETS;
export const DEFAULT_PRESET: PresetId = '720p30';

export function isPresetId(value: unknown): value is PresetId {
  return typeof value === 'string' && Object.hasOwn(PRESETS, value);
}

/** #camera-select value for the built-in test pattern (no camera, no permission needed). */
export const TEST_PATTERN = 'test-pattern';
/** #camera-select value for the test scene: a still street that can be walked past, covered, turned, blurred and frozen (detection checks). */
export const TEST_SCENE = 'test-scene';
/** #camera-select value for whatever camera the browser picks. */
export const DEFAULT_CAMERA = '';

export interface VideoSource {
  readonly stream: MediaStream;
  /** The test scene's controls, when that is the source. */
  readonly scene?: TestSceneSource;
  /**
   * Whether motion and tamper detection can look at it: not the test pattern, a clock that
   * changes every frame by design (it is for latency, not for detection).
   */
  readonly detectable: boolean;
  stop(): void;
}

/** getUserMedia constraints for a camera choice and preset; video only (no audio is published). */
export function videoConstraints(deviceId: string, preset: PresetId): MediaStreamConstraints {
  const { width, height, frameRate } = PRESETS[preset];
  return {
    audio: false,
    video: {
      ...(deviceId ? { deviceId: { exact: deviceId } } : {}),
      width: { ideal: width },
      height: { ideal: height },
      frameRate: { ideal: frameRate },
    },
  };
}

/** Opens the camera (or the test pattern); rejects with getUserMedia's DOMException. */
export async function openVideoSource(deviceId: string, preset: PresetId): Promise<VideoSource> {
  if (deviceId === TEST_PATTERN) {
    const { width, height, frameRate } = PRESETS[preset];
    return { ...createTestPatternSource(width, height, frameRate), detectable: false };
  }
  if (deviceId === TEST_SCENE) {
    const { width, height, frameRate } = PRESETS[preset];
    const scene = createTestSceneSource(width, height, frameRate);
    return { stream: scene.stream, scene, detectable: true, stop: () => scene.stop() };
  }
  const stream = await navigator.mediaDevices.getUserMedia(videoConstraints(deviceId, preset));
  return {
    stream,
    detectable: true,
    stop() {
      for (const track of stream.getTracks()) track.stop();
    },
  };
}

export interface CameraDevice {
  readonly deviceId: string;
  readonly label: string;
}

/** Video inputs; labels are only filled in once the page holds camera permission. */
export async function listCameras(): Promise<CameraDevice[]> {
  const devices = await navigator.mediaDevices.enumerateDevices();
  return devices
    .filter((device) => device.kind === 'videoinput' && device.deviceId !== '')
    .map((device, index) => ({ deviceId: device.deviceId, label: device.label || `Camera ${index + 1}` }));
}
