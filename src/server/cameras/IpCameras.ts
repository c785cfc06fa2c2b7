import type { CameraProbe, CameraStatus, CameraView, OnvifDescription, ZoneId } from '../../shared/index.ts';
import { describeOnvif, type OnvifTarget } from './onvifDevice.ts';
import type { Logger } from '../observability/logger.ts';
import type { CameraSourceRecord, Store } from '../store/types.ts';
import { CameraIngest, type IngestContext } from './CameraIngest.ts';
import { onvifOf, type CameraSources } from './CameraSources.ts';
import { CameraFault, probeCamera, type CameraTarget } from './probeCamera.ts';

/**
 * Cameras started together (a gateway starting, a config file's fleet) begin this far apart: a
 * recorder or RTSP proxy that serves them all is not asked for every stream in the same instant.
 */
const START_SPACING_MS = 250;

/** A test connection's outcome: what the camera sends, or why it could not be read. */
export interface CameraTestResult {
  probe: CameraProbe | null;
  status: CameraStatus;
  reason: string | null;
}

export interface IpCamerasOptions {
  store: Store;
  sources: CameraSources;
  ingest: Omit<IngestContext, 'onStatus'>;
  logger: Logger;
  /** How often the store is asked whether another process (the CLI) changed the cameras. */
  pollMs?: number;
}

/**
 * The gateway's running IP cameras: one ingest per camera record, started, restarted and stopped
 * to match the store. A change made by another process (the CLI on the same store, another node)
 * is picked up within a poll of the store's change counter.
 */
export class IpCameras {
  readonly #ingests = new Map<number, { record: CameraSourceRecord; ingest: CameraIngest }>();
  readonly #options: IpCamerasOptions;
  #seq = -1;
  #poll: NodeJS.Timeout | null = null;
  #syncing: Promise<void> = Promise.resolve();
  #closed = false;
  readonly #listeners = new Set<(zone: ZoneId) => void>();

  constructor(options: IpCamerasOptions) {
    this.#options = options;
  }

  async start(): Promise<void> {
    this.#seq = await this.#options.store.changeSeq();
    await this.sync();
    this.#poll = setInterval(() => void this.#pollStore(), this.#options.pollMs ?? 2_000);
    this.#poll.unref();
  }

  /** Every camera in the store with its status (`connecting` until this gateway runs it), never a password. */
  async list(): Promise<CameraView[]> {
    return (await this.#options.sources.list()).map((record) => cameraView(record, this.#ingests.get(record.id)?.ingest ?? null));
  }

  /** The running ingest of a camera, if this gateway runs it yet. */
  ingest(id: number): CameraIngest | null {
    return this.#ingests.get(id)?.ingest ?? null;
  }

  /** The directory's view: each camera's name and status by zone (no reason: that is for admins). */
  byZone(): Map<ZoneId, { name: string; status: CameraStatus; since: string; ptz: boolean }> {
    return new Map([...this.#ingests.values()].map(({ record, ingest }) => [record.zone, {
      name: record.name, status: ingest.status, since: new Date(ingest.since).toISOString(), ptz: record.onvifAddress !== null,
    }]));
  }

  /** The record of the zone's IP camera, as this gateway runs it. */
  recordOf(zone: ZoneId): CameraSourceRecord | null {
    for (const { record } of this.#ingests.values()) if (record.zone === zone) return record;
    return null;
  }

  /** `listener` hears the zone of a camera whose status changed, or that came or went. */
  onChange(listener: (zone: ZoneId) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** For metrics: each camera's zone and status. */
  statuses(): { zone: string; status: CameraStatus }[] {
    return [...this.#ingests.values()].map(({ ingest }) => ({ zone: ingest.zone, status: ingest.status }));
  }

  /** Reads the camera with these settings, saving nothing: what it sends, or why it cannot be read. */
  async test(target: CameraTarget): Promise<CameraTestResult> {
    try {
      const probe = await probeCamera(target, this.#options.ingest.ffprobe);
      return { probe, status: probe.passThrough ? 'live' : 'unsupported_codec', reason: probe.problem };
    } catch (error) {
      if (error instanceof CameraFault) return { probe: null, status: error.status, reason: error.message };
      throw error;
    }
  }

  /** Asks an ONVIF camera what it is and where its stream is, saving nothing. */
  async askOnvif(target: OnvifTarget): Promise<{ onvif: OnvifDescription | null; status: CameraStatus; reason: string | null }> {
    try {
      return { onvif: await describeOnvif(target), status: 'live', reason: null };
    } catch (error) {
      if (error instanceof CameraFault) return { onvif: null, status: error.status, reason: error.message };
      throw error;
    }
  }

  /** Starts, restarts and stops ingests to match the store; resolves once done. */
  sync(): Promise<void> {
    this.#syncing = this.#syncing.then(() => this.#syncOnce()).catch((error: unknown) => this.#options.logger.error({ err: error }, 'syncing IP cameras failed'));
    return this.#syncing;
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#poll) clearInterval(this.#poll);
    await this.#syncing;
    await Promise.all([...this.#ingests.values()].map(({ ingest }) => ingest.close()));
    this.#ingests.clear();
  }

  async #syncOnce(): Promise<void> {
    if (this.#closed) return;
    let starting = 0;
    const records = await this.#options.sources.list();
    const wanted = new Map(records.map((r) => [r.id, r]));
    for (const [id, running] of [...this.#ingests]) {
      const now = wanted.get(id);
      if (now && JSON.stringify(now) === JSON.stringify(running.record)) continue;
      this.#ingests.delete(id);
      await running.ingest.close();
      this.#changed(running.record.zone);
    }
    for (const record of records) {
      if (this.#ingests.has(record.id) || this.#closed) continue;
      const target = this.#options.sources.target(record);
      if (record.sealedPassword && target.password === null) {
        this.#options.logger.error({ camera: record.id }, 'the camera\'s password cannot be opened with this gateway\'s secret key (VIGIL_SECRET_KEY or secret.key changed?)');
      }
      const ingest = new CameraIngest(
        { id: record.id, zone: record.zone, name: record.name, target, transcode: record.transcode, detect: record.detect },
        {
          ...this.#options.ingest,
          onStatus: (i) => {
            this.#options.logger.info({ zone: i.zone, status: i.status }, 'IP camera status');
            this.#changed(i.zone);
          },
        },
      );
      this.#ingests.set(record.id, { record, ingest });
      ingest.start(starting++ * START_SPACING_MS);
      this.#changed(record.zone);
    }
  }

  #changed(zone: ZoneId): void {
    for (const listener of this.#listeners) {
      try {
        listener(zone);
      } catch (error) {
        this.#options.logger.error({ err: error }, 'an IP camera listener failed');
      }
    }
  }

  async #pollStore(): Promise<void> {
    const seq = await this.#options.store.changeSeq().catch(() => this.#seq);
    if (seq === this.#seq) return;
    this.#seq = seq;
    await this.sync();
  }
}

export function cameraView(record: CameraSourceRecord, ingest: CameraIngest | null): CameraView {
  return {
    id: record.id, zone: record.zone, name: record.name, kind: record.onvifAddress ? 'onvif' : 'rtsp', url: record.url, username: record.username,
    hasPassword: record.sealedPassword !== null, transport: record.transport, transcode: record.transcode, detect: record.detect, onvif: onvifOf(record), origin: record.origin,
    status: ingest?.status ?? 'connecting', reason: ingest?.reason ?? null, since: new Date(ingest?.since ?? record.createdAt).toISOString(),
    probe: ingest?.probe ?? null, masked: ingest?.masked ?? false, cpuPercent: ingest?.ffmpegCpuPercent ?? null, createdAt: new Date(record.createdAt).toISOString(), createdBy: record.createdBy,
  };
}
