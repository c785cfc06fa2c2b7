/**
 * IP cameras the gateway pulls (RTSP today): what an admin gives (the API, the CLI and the config
 * file's `cameras:` list share one schema), what a probe finds, and the status each camera's
 * ingest reports. Credentials go in, never come out: views carry `hasPassword` only.
 */
import { z } from 'zod';
import { zoneIdSchema } from './zoneId.ts';

export const CAMERA_TRANSPORTS = ['tcp', 'udp'] as const;
export type CameraTransport = (typeof CAMERA_TRANSPORTS)[number];

/**
 * An rtsp:// or rtsps:// URL without credentials in it (they have their own fields, so they are
 * stored encrypted and never shown back).
 */
export const cameraUrlSchema = z.string().trim().max(2048).superRefine((value, ctx) => {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    ctx.addIssue({ code: 'custom', message: 'must be a URL such as rtsp://10.0.0.5:554/stream1' });
    return;
  }
  if (url.protocol !== 'rtsp:' && url.protocol !== 'rtsps:') ctx.addIssue({ code: 'custom', message: 'must start with rtsp:// or rtsps://' });
  if (url.username || url.password) ctx.addIssue({ code: 'custom', message: 'give the user name and password in their own fields, not in the URL' });
  if (!url.hostname) ctx.addIssue({ code: 'custom', message: 'must name the camera\'s host' });
});

/** What reaching a camera takes: probed by "test connection" before it is saved. */
export const cameraConnectionSchema = z.strictObject({
  url: cameraUrlSchema,
  username: z.string().max(128).optional(),
  password: z.string().max(256).optional(),
  transport: z.enum(CAMERA_TRANSPORTS).default('tcp'),
});

/** An ONVIF token (a media profile's, a preset's): it is written into the SOAP a camera gets, so plain characters only. */
export const onvifTokenSchema = z.string().trim().min(1).max(64).regex(/^[A-Za-z0-9_.:-]+$/, 'letters, digits and _ . : - only');
const onvifHostSchema = z.string().trim().min(1).max(253).regex(/^[A-Za-z0-9.:[\]-]+$/, 'a host name or an IP address');
const onvifPortSchema = z.number().int().min(1).max(65535).default(80);

/** Where a camera answers ONVIF and the media profile it is steered through: what PTZ needs. */
export const cameraOnvifSchema = z.strictObject({ host: onvifHostSchema, port: onvifPortSchema, profile: onvifTokenSchema });
export type CameraOnvif = z.infer<typeof cameraOnvifSchema>;

export const createCameraSchema = cameraConnectionSchema.extend({
  zone: zoneIdSchema,
  name: z.string().trim().min(1).max(80),
  /**
   * Re-encode with ffmpeg (libx264, zerolatency) a stream a browser cannot play as sent (H.265,
   * B-frames): costs the gateway a core or so per 1080p camera.
   */
  transcode: z.boolean().default(false),
  /**
   * Motion and tamper detection by the gateway: the same ffmpeg also decodes a 160×90 grey copy
   * at 5 frames a second for the detector (what viewers get is never re-encoded for it).
   */
  detect: z.boolean().default(false),
  /** Its ONVIF endpoint (from "Find stream via ONVIF"): operators with the `control` right steer it. */
  onvif: cameraOnvifSchema.optional(),
});

export type CameraConnection = z.input<typeof cameraConnectionSchema>;
export type CreateCameraRequest = z.input<typeof createCameraSchema>;

/**
 * Where a camera's ingest stands. `live`: its video reaches the relay. The others name why not,
 * and the gateway keeps trying (a camera that is fixed comes back on its own).
 */
export const CAMERA_STATUSES = ['connecting', 'live', 'auth_failed', 'unreachable', 'unsupported_codec', 'stalled', 'relay_disabled', 'zone_busy'] as const;
export type CameraStatus = (typeof CAMERA_STATUSES)[number];

/** What a probe read off the camera's stream. */
export interface CameraProbe {
  codec: string;
  profile: string | null;
  width: number;
  height: number;
  fps: number | null;
  /** Seconds between keyframes, when two were seen in the probe's window. */
  gopSeconds: number | null;
  bFrames: boolean;
  /** The camera's audio codec, if it sends audio: not carried yet (Vigil relays video only). */
  audio: string | null;
  /** Can a browser play it as it is (H.264 without B-frames)? */
  passThrough: boolean;
  /** Why not, naming the camera setting to change (null when it can). */
  problem: string | null;
}

export interface CameraView {
  id: number;
  zone: string;
  name: string;
  /** `onvif`: an RTSP camera also reached over ONVIF (PTZ); `rtsp`: its stream only. */
  kind: 'rtsp' | 'onvif';
  url: string;
  username: string | null;
  hasPassword: boolean;
  transport: CameraTransport;
  transcode: boolean;
  /** The gateway detects motion and tampering on it. */
  detect: boolean;
  onvif: CameraOnvif | null;
  /** `config`: listed in the config file (changed there, not here); `admin`: made in the admin page or the CLI. */
  origin: 'config' | 'admin';
  status: CameraStatus;
  /** What went wrong, in words, for the admin page (null when live). */
  reason: string | null;
  /** When it entered this status (ISO). */
  since: string;
  probe: CameraProbe | null;
  /** Its ffmpeg burns the zone's privacy masks in: it decodes and re-encodes the camera (CPU, about 0.1 s more delay). */
  masked: boolean;
  /** Its ffmpeg's CPU in % of one core (averaged since it started; null when none runs): a transcoded camera costs far more. */
  cpuPercent: number | null;
  createdAt: string;
  createdBy: string;
}

/** Where to ask an ONVIF camera (its device service: `http://<host>:<port>/onvif/device_service`). */
export const onvifTargetSchema = z.strictObject({
  host: onvifHostSchema,
  port: onvifPortSchema,
  username: z.string().max(128).optional(),
  password: z.string().max(256).optional(),
});
export type OnvifTargetRequest = z.input<typeof onvifTargetSchema>;

/** What an ONVIF camera says about itself: enough to fill in the RTSP URL of its best H.264 stream. */
export interface OnvifDescription {
  manufacturer: string | null;
  model: string | null;
  firmware: string | null;
  /** Its clock minus ours, in seconds: a drifting camera clock stamps evidence wrongly. */
  clockOffsetSeconds: number;
  profiles: { token: string; name: string; encoding: string | null; width: number | null; height: number | null }[];
  /** The profile chosen: the largest H.264 one. */
  profile: string;
  /** Its RTSP URL, without credentials (usually the ONVIF user and password work for it too). */
  streamUrl: string;
  snapshotUrl: string | null;
}

/** An interface ONVIF discovery can probe on (the admin picks the camera network). */
export interface NetworkInterfaceView {
  name: string;
  address: string;
}

export const discoverySchema = z.strictObject({ interface: z.string().trim().min(1).max(32).regex(/^[A-Za-z0-9_.:@-]+$/, 'an interface name such as eth1') });
export type DiscoveryRequest = z.input<typeof discoverySchema>;

/** A camera that answered WS-Discovery: where its ONVIF device service is, and what its scopes say. */
export interface DiscoveredCamera {
  urn: string | null;
  host: string;
  port: number;
  name: string | null;
  hardware: string | null;
  location: string | null;
}

/** A camera an edge node pulls at its site, as the node reports it upstream (`camera:status`). */
export const edgeCameraStatusSchema = z.strictObject({
  zone: z.string().max(1024),
  name: z.string().trim().min(1).max(80),
  status: z.enum(CAMERA_STATUSES),
  reason: z.string().max(300).nullable(),
});

export interface EdgeCameraView {
  zone: string;
  name: string;
  status: CameraStatus;
  reason: string | null;
  since: string;
  /** The label of the camera key it reports with. */
  key: string;
}
