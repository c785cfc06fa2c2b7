import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { cameraConnectionSchema, createCameraSchema, onvifTargetSchema, onvifTokenSchema, PTZ_TIMING, ptzMoveSchema, type CameraProbe } from '../../shared/index.ts';
import type { Actor } from '../auth/Accounts.ts';
import type { CameraSources } from '../cameras/CameraSources.ts';
import { describeOnvif } from '../cameras/onvifDevice.ts';
import { NoPtzService, type OnvifPtz } from '../cameras/onvifPtz.ts';
import { CameraFault, probeCamera, type CameraTarget } from '../cameras/probeCamera.ts';
import { formatTable } from './table.ts';

export const CAMERA_USAGE = `  camera add --zone <zone> --name <text> --url rtsp://… [--user <name>] [--password-stdin]
             [--transport tcp|udp] [--transcode] [--detect] [--onvif <address>[:<port>] --profile <token>]
                                            an IP camera the gateway pulls into the zone
                                            (--onvif: where it answers ONVIF, so it can be steered;
                                            --detect: the gateway detects motion and tampering)
  camera list                               with the settings, never a password
  camera test <id> | --url rtsp://… [--user <name>] [--password-stdin] [--transport tcp|udp]
                                            what the camera sends: codec, profile, size, fps, GOP
  camera onvif <address>[:<port>] [--user <name>] [--password-stdin]
                                            asks an ONVIF camera for its make, model, clock and RTSP URL
  camera ptz <id> move <pan> <tilt> [<zoom>] [--for <seconds>] | stop | preset <token> | presets
                                            steers an ONVIF camera: speeds -1…1, a move lasts
                                            --for (default 1) seconds, then stops
  camera remove <id>`;

export interface CameraFlags {
  zone?: string;
  name?: string;
  url?: string;
  user?: string;
  transport?: string;
  transcode?: boolean;
  detect?: boolean;
  onvif?: string;
  profile?: string;
  for?: string;
  'password-stdin'?: boolean;
}

/** `host[:port]` as the ONVIF schemas take it (port 80 when absent). */
function hostAndPort(address: string | undefined): { host: string | undefined; port: number | undefined } {
  const [, host, port] = /^(.*?)(?::(\d+))?$/.exec(address ?? '') ?? [];
  return { host, port: port === undefined ? undefined : Number(port) };
}

export class CameraCommandError extends Error {}

/** A camera's password: on stdin only (a command line is visible to every user of the host). */
const passwordFrom = (flags: CameraFlags): string | undefined => (flags['password-stdin'] ? readFileSync(0, 'utf8').split(/\r?\n/)[0] : undefined);

function firstIssue(issues: readonly { path: PropertyKey[]; message: string }[]): string {
  const issue = issues[0];
  const flag = { zone: '--zone', name: '--name', url: '--url', username: '--user', transport: '--transport' }[String(issue?.path[0])] ?? String(issue?.path[0]);
  return `${flag}: ${issue?.message ?? 'invalid'}`;
}

export function describeProbe(probe: CameraProbe): string {
  const gop = probe.gopSeconds === null ? 'GOP longer than the probe' : `GOP ${probe.gopSeconds} s`;
  const audio = probe.audio ? `, audio ${probe.audio} (not carried: video only)` : '';
  const picture = `${probe.codec}${probe.profile ? ` ${probe.profile}` : ''}, ${probe.width}×${probe.height}, ${probe.fps ?? '?'} fps, ${gop}, ${probe.bFrames ? 'B-frames' : 'no B-frames'}${audio}`;
  return probe.passThrough ? `${picture}: plays as sent.` : `${picture}: ${probe.problem}`;
}

/** `vigil camera …`: the records the running gateway pulls (it picks changes up within seconds). */
export async function runCameraCommand(verb: string | undefined, [target, ...rest]: readonly string[], flags: CameraFlags, sources: CameraSources, by: Actor, out: (line: string) => void): Promise<number> {
  switch (verb) {
    case 'add': {
      const parsed = createCameraSchema.safeParse({
        zone: flags.zone, name: flags.name, url: flags.url, username: flags.user, password: passwordFrom(flags),
        transport: flags.transport, transcode: flags.transcode ?? false, detect: flags.detect ?? false,
        ...(flags.onvif !== undefined ? { onvif: { ...hostAndPort(flags.onvif), profile: flags.profile } } : {}),
      });
      if (!parsed.success) throw new CameraCommandError(firstIssue(parsed.error.issues));
      const added = await sources.add(by, parsed.data);
      if (!added.ok) throw new CameraCommandError(added.error.message);
      out(`Camera ${added.value.id} (${added.value.name}) publishes ${added.value.zone}; a running gateway starts pulling it within seconds.`);
      return 0;
    }
    case 'list': {
      const rows = (await sources.list()).map((c) => [
        String(c.id), c.zone, c.name, c.url, c.username ?? '-', c.sealedPassword ? 'yes' : 'no', c.transport, c.transcode ? 'yes' : 'no', c.detect ? 'yes' : 'no', c.origin,
      ]);
      for (const line of formatTable(['ID', 'ZONE', 'NAME', 'URL', 'USER', 'PASSWORD', 'TRANSPORT', 'TRANSCODE', 'DETECT', 'FROM'], rows)) out(line);
      return 0;
    }
    case 'test': {
      let camera: CameraTarget;
      if (target !== undefined) {
        const record = (await sources.list()).find((c) => c.id === Number(target));
        if (!record) throw new CameraCommandError(`No camera with id ${target}.`);
        camera = sources.target(record);
      } else {
        const parsed = cameraConnectionSchema.safeParse({ url: flags.url, username: flags.user, password: passwordFrom(flags), transport: flags.transport });
        if (!parsed.success) throw new CameraCommandError(firstIssue(parsed.error.issues));
        camera = { url: parsed.data.url, username: parsed.data.username || null, password: parsed.data.password || null, transport: parsed.data.transport };
      }
      try {
        const probe = await probeCamera(camera);
        out(describeProbe(probe));
        return probe.passThrough ? 0 : 1;
      } catch (error) {
        if (!(error instanceof CameraFault)) throw error;
        out(`${error.status}: ${error.message}`);
        return 1;
      }
    }
    case 'onvif': {
      const parsed = onvifTargetSchema.safeParse({ ...hostAndPort(target), username: flags.user, password: passwordFrom(flags) });
      if (!parsed.success) throw new CameraCommandError(firstIssue(parsed.error.issues));
      try {
        const found = await describeOnvif({ ...parsed.data, username: parsed.data.username || null, password: parsed.data.password || null });
        out(`${[found.manufacturer, found.model].filter(Boolean).join(' ')} (firmware ${found.firmware ?? '?'}), clock ${found.clockOffsetSeconds >= 0 ? '+' : ''}${found.clockOffsetSeconds} s against this machine`);
        for (const p of found.profiles) out(`  profile ${p.token} (${p.name}): ${p.encoding ?? '?'} ${p.width ?? '?'}×${p.height ?? '?'}${p.token === found.profile ? '  ← chosen' : ''}`);
        out(`stream ${found.streamUrl}`);
        if (found.snapshotUrl) out(`snapshot ${found.snapshotUrl}`);
        return 0;
      } catch (error) {
        if (!(error instanceof CameraFault)) throw error;
        out(`${error.status}: ${error.message}`);
        return 1;
      }
    }
    case 'ptz':
      return steer(target, rest, flags, sources, by, out);
    case 'remove': {
      const removed = await sources.remove(by, Number(target));
      if (!removed.ok) throw new CameraCommandError(removed.error.message);
      out(`Removed camera ${removed.value.id} (${removed.value.name}); ${removed.value.zone} is no longer pulled.`);
      return 0;
    }
    default:
      throw new CameraCommandError(`Unknown command "camera ${verb ?? ''}". Run with --help.`);
  }
}

/** `vigil camera ptz`: straight to the camera over ONVIF (the CLI is the host's admin), audited like the console's. */
async function steer(target: string | undefined, [action, ...args]: readonly string[], flags: CameraFlags, sources: CameraSources, by: Actor, out: (line: string) => void): Promise<number> {
  const record = (await sources.list()).find((c) => c.id === Number(target));
  if (!record) throw new CameraCommandError(`No camera with id ${target ?? ''}.`);
  const connecting = sources.connectPtz(record);
  if (!connecting) throw new CameraCommandError(`Camera ${record.id} has no ONVIF address: add it again with --onvif <address> --profile <token>.`);
  let ptz: OnvifPtz;
  try {
    ptz = await connecting;
  } catch (error) {
    if (error instanceof NoPtzService) throw new CameraCommandError(`${record.name}: ${error.message}`);
    if (error instanceof CameraFault) throw new CameraCommandError(`${error.status}: ${error.message}`);
    throw error;
  }
  switch (action) {
    case 'presets':
      for (const line of formatTable(['TOKEN', 'NAME'], (await ptz.presets()).map((p) => [p.token, p.name]))) out(line);
      return 0;
    case 'move': {
      const [pan, tilt, zoom] = args.map(Number);
      const parsed = ptzMoveSchema.safeParse({ zone: record.zone, pan, tilt, ...(zoom === undefined ? {} : { zoom }) });
      const seconds = Number(flags.for ?? 1);
      if (!parsed.success) throw new CameraCommandError(`move <pan> <tilt> [<zoom>]: speeds from -1 to 1, not all 0 (${parsed.error.issues[0]?.message ?? ''})`);
      if (!(seconds > 0 && seconds <= 60)) throw new CameraCommandError('--for: seconds from 0 to 60.');
      await sources.recordPtz(by, record, { action: 'move', pan: parsed.data.pan, tilt: parsed.data.tilt, zoom: parsed.data.zoom, seconds });
      // Repeated as the console does, so the camera stops by itself if this process is killed.
      const until = Date.now() + seconds * 1000;
      while (Date.now() < until) {
        await ptz.move(parsed.data.pan, parsed.data.tilt, parsed.data.zoom, PTZ_TIMING.moveMs);
        await sleep(Math.min(PTZ_TIMING.repeatMs, Math.max(0, until - Date.now())));
      }
      await ptz.stop();
      out(`${record.name} moved for ${seconds} s, then stopped.`);
      return 0;
    }
    case 'stop':
      await sources.recordPtz(by, record, { action: 'stop' });
      await ptz.stop();
      out(`${record.name} stopped.`);
      return 0;
    case 'preset': {
      const preset = onvifTokenSchema.safeParse(args[0]);
      if (!preset.success) throw new CameraCommandError('preset <token>: see camera ptz <id> presets.');
      await sources.recordPtz(by, record, { action: 'preset', preset: preset.data });
      await ptz.goToPreset(preset.data);
      out(`${record.name} goes to preset ${preset.data}.`);
      return 0;
    }
    default:
      throw new CameraCommandError('camera ptz <id> move <pan> <tilt> [<zoom>] | stop | preset <token> | presets');
  }
}
