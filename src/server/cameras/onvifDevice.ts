import onvif from 'onvif';
import type { OnvifDescription } from '../../shared/index.ts';
import { CameraFault } from './probeCamera.ts';

export interface OnvifTarget {
  host: string;
  port: number;
  username: string | null;
  password: string | null;
}

export type OnvifCam = InstanceType<typeof onvif.Cam>;

const TIMEOUT_MS = 8_000;

export function call<T>(run: (callback: (error: Error | null, value: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => run((error, value) => (error ? reject(error) : resolve(value))));
}

/** The URL without credentials in it (they are given in their own fields), as Vigil stores it. */
function bare(uri: string): string {
  const url = new URL(uri);
  url.username = '';
  url.password = '';
  return url.href;
}

export function fault(error: unknown): CameraFault {
  const message = error instanceof Error ? error.message : String(error);
  if (/NotAuthorized|not authori[sz]ed|401/i.test(message)) return new CameraFault('auth_failed', 'The camera refused the ONVIF user name or password.');
  if (/ECONNREFUSED/.test(message)) return new CameraFault('unreachable', 'Nothing answers ONVIF at that address and port.');
  if (/timeout|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH/i.test(message)) return new CameraFault('unreachable', 'The camera did not answer ONVIF in time.');
  return new CameraFault('unreachable', 'The camera\'s ONVIF answers could not be read.');
}

/**
 * Asks a camera over ONVIF (Profile S: device and media services, WS-Security digest) what it is
 * and where its video is: make, model, its clock against ours, its media profiles, and the RTSP
 * stream and snapshot URIs of the first H.264 profile (the largest first), so an admin does not
 * have to know the camera's URL scheme.
 */
/** A camera's ONVIF client, connected: its clock read (for the digests) and its services and profiles known. */
export async function connectOnvif(target: OnvifTarget): Promise<OnvifCam> {
  const cam = new onvif.Cam({
    hostname: target.host, port: target.port, username: target.username ?? undefined, password: target.password ?? undefined,
    timeout: TIMEOUT_MS, autoconnect: false, preserveAddress: true,
  });
  try {
    await call((done) => cam.connect(done));
    return cam;
  } catch (error) {
    throw fault(error);
  }
}

export async function describeOnvif(target: OnvifTarget): Promise<OnvifDescription> {
  const cam = await connectOnvif(target);
  try {
    const info = await call<{ manufacturer?: string; model?: string; firmwareVersion?: string }>((done) => cam.getDeviceInformation(done));
    const clock = await call<Date>((done) => cam.getSystemDateAndTime(done));
    const profiles = (cam.profiles ?? []).map((p) => ({
      token: p.$.token, name: p.name, encoding: p.videoEncoderConfiguration?.encoding ?? null,
      width: p.videoEncoderConfiguration?.resolution?.width ?? null, height: p.videoEncoderConfiguration?.resolution?.height ?? null,
    })).sort((a, b) => (b.width ?? 0) * (b.height ?? 0) - (a.width ?? 0) * (a.height ?? 0));
    const chosen = profiles.find((p) => p.encoding === 'H264') ?? profiles[0];
    if (!chosen) throw new CameraFault('unsupported_codec', 'The camera lists no media profile.');
    const stream = await call<{ uri: string }>((done) => cam.getStreamUri({ protocol: 'RTSP', profileToken: chosen.token }, done));
    const snapshot = await call<{ uri: string }>((done) => cam.getSnapshotUri({ profileToken: chosen.token }, done)).catch(() => null);
    return {
      manufacturer: info.manufacturer ?? null, model: info.model ?? null, firmware: info.firmwareVersion ?? null,
      // Whole seconds: that is all ONVIF's clock gives.
      clockOffsetSeconds: Math.round((clock.getTime() - Date.now()) / 1000),
      profiles, profile: chosen.token, streamUrl: bare(stream.uri), snapshotUrl: snapshot ? bare(snapshot.uri) : null,
    };
  } catch (error) {
    throw error instanceof CameraFault ? error : fault(error);
  }
}
