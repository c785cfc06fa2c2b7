import { createCameraSchema, protocolError, type CameraOnvif, type CreateCameraRequest, type ProtocolError } from '../../shared/index.ts';
import type { AuditTrail } from '../audit/AuditTrail.ts';
import type { Actor } from '../auth/Accounts.ts';
import type { Logger } from '../observability/logger.ts';
import type { CameraSourceRecord, Store } from '../store/types.ts';
import { OnvifPtz } from './onvifPtz.ts';
import type { CameraTarget } from './probeCamera.ts';
import type { SecretBox } from './SecretBox.ts';

export type CameraResult<T> = { ok: true; value: T } | { ok: false; error: ProtocolError };

const purposeOf = (id: number) => `camera-password:${id}`;
/** The camera's ONVIF endpoint as the store keeps it (`host:port` and a profile), or null. */
export function onvifOf(record: CameraSourceRecord): CameraOnvif | null {
  if (record.onvifAddress === null || record.onvifProfile === null) return null;
  const colon = record.onvifAddress.lastIndexOf(':');
  return { host: record.onvifAddress.slice(0, colon), port: Number(record.onvifAddress.slice(colon + 1)), profile: record.onvifProfile };
}

function onvifColumns(onvif: CameraOnvif | undefined): Pick<CameraSourceRecord, 'onvifAddress' | 'onvifProfile'> {
  return onvif ? { onvifAddress: `${onvif.host}:${onvif.port}`, onvifProfile: onvif.profile } : { onvifAddress: null, onvifProfile: null };
}

const CONFIG_ACTOR: Actor = { actor: 'config', actorRole: 'admin', address: null, userAgent: 'vigil-config' };

/**
 * The IP camera records, shared by the admin API, the CLI and the config file's `cameras:` list:
 * one zone, one camera; passwords sealed with the gateway's SecretBox before they are stored and
 * opened only to reach the camera; additions and removals audited and bumping the store's change
 * counter, so a running gateway picks up what the CLI did.
 */
export class CameraSources {
  constructor(private readonly store: Store, private readonly audit: AuditTrail, private readonly secrets: SecretBox) {}

  list(): Promise<CameraSourceRecord[]> {
    return this.store.cameraSources.list();
  }

  async add(by: Actor, input: CreateCameraRequest, origin: 'admin' | 'config' = 'admin'): Promise<CameraResult<CameraSourceRecord>> {
    const request = createCameraSchema.parse(input);
    if ((await this.store.cameraSources.list()).some((c) => c.zone === request.zone)) {
      return { ok: false, error: protocolError('CONFLICT', `Zone ${request.zone} already has an IP camera.`) };
    }
    await this.audit.record({ ...by, kind: 'camera.added', zone: request.zone, outcome: 'ok', detail: { name: request.name, host: new URL(request.url).host, onvif: request.onvif ? `${request.onvif.host}:${request.onvif.port}` : null, origin } });
    const record = await this.store.cameraSources.create({
      zone: request.zone, name: request.name, url: request.url, username: request.username || null, sealedPassword: null,
      transport: request.transport, transcode: request.transcode, detect: request.detect, ...onvifColumns(request.onvif), origin, createdAt: Date.now(), createdBy: by.actor,
    });
    // The sealed password names its record (the AAD): it cannot be moved to another camera.
    const sealed = request.password ? await this.store.cameraSources.update(record.id, { sealedPassword: this.secrets.seal(request.password, purposeOf(record.id)) }) : record;
    await this.store.bumpChangeSeq();
    return { ok: true, value: sealed ?? record };
  }

  async remove(by: Actor, id: number, origin: 'admin' | 'config' = 'admin'): Promise<CameraResult<CameraSourceRecord>> {
    const record = await this.store.cameraSources.byId(id);
    if (!record) return { ok: false, error: protocolError('NOT_FOUND', 'No such camera.') };
    if (record.origin === 'config' && origin !== 'config') {
      return { ok: false, error: protocolError('CONFLICT', 'This camera is listed in the config file: remove it there.') };
    }
    await this.audit.record({ ...by, kind: 'camera.removed', zone: record.zone, outcome: 'ok', detail: { camera: id, name: record.name } });
    await this.store.cameraSources.remove(id);
    await this.store.bumpChangeSeq();
    return { ok: true, value: record };
  }

  /** A camera steered from the CLI, audited as the console's commands are. */
  async recordPtz(by: Actor, record: CameraSourceRecord, detail: Record<string, unknown>): Promise<void> {
    await this.audit.record({ ...by, kind: 'camera.ptz', zone: record.zone, outcome: 'ok', detail });
  }

  /** The config file's list is the truth for the cameras it made: added, changed or removed to match. */
  async reconcile(configured: readonly CreateCameraRequest[], logger: Logger): Promise<void> {
    const existing = await this.store.cameraSources.list();
    const listed = new Set(configured.map((c) => c.zone));
    for (const record of existing) {
      if (record.origin === 'config' && !listed.has(record.zone)) await this.remove(CONFIG_ACTOR, record.id, 'config');
    }
    let changed = false;
    for (const camera of configured) {
      const request = createCameraSchema.parse(camera);
      const record = existing.find((r) => r.zone === request.zone);
      if (!record) {
        await this.add(CONFIG_ACTOR, request, 'config');
        continue;
      }
      if (record.origin !== 'config') {
        logger.warn({ zone: request.zone }, 'the config file lists a camera for a zone whose camera was made in the admin page or CLI: that one is kept');
        continue;
      }
      const password = record.sealedPassword ? this.#open(record) : null;
      if (record.name === request.name && record.url === request.url && record.username === (request.username || null)
        && record.transport === request.transport && record.transcode === request.transcode && record.detect === request.detect && password === (request.password || null)
        && JSON.stringify(onvifOf(record)) === JSON.stringify(request.onvif ?? null)) continue;
      await this.store.cameraSources.update(record.id, {
        name: request.name, url: request.url, username: request.username || null, transport: request.transport, transcode: request.transcode, detect: request.detect, ...onvifColumns(request.onvif),
        sealedPassword: request.password ? this.secrets.seal(request.password, purposeOf(record.id)) : null,
      });
      changed = true;
    }
    if (changed) await this.store.bumpChangeSeq();
  }

  /** How to reach the camera, its password opened (null when it cannot be: the key changed). */
  target(record: CameraSourceRecord): CameraTarget {
    return { url: record.url, username: record.username, password: record.sealedPassword ? this.#open(record) : null, transport: record.transport };
  }

  /** Its PTZ service over ONVIF, with its own credentials; null when it has no ONVIF endpoint. */
  connectPtz(record: CameraSourceRecord): Promise<OnvifPtz> | null {
    const onvif = onvifOf(record);
    if (!onvif) return null;
    const { username, password } = this.target(record);
    return OnvifPtz.connect({ host: onvif.host, port: onvif.port, username, password }, onvif.profile);
  }

  #open(record: CameraSourceRecord): string | null {
    try {
      return this.secrets.open(record.sealedPassword!, purposeOf(record.id));
    } catch {
      return null;
    }
  }
}
