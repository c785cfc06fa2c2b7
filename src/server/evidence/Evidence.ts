import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { copyFile, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { protocolError, type ProtocolError, type ZoneId } from '../../shared/index.ts';
import type { AuditTrail } from '../audit/AuditTrail.ts';
import type { Actor } from '../auth/Accounts.ts';
import type { Logger } from '../observability/logger.ts';
import type { EvidenceRecord, Store } from '../store/types.ts';
import { RING_SEGMENT_SECONDS } from './ringSegments.ts';
import { RingBuffer } from './RingBuffer.ts';
import type { ClipStore } from './ClipStore.ts';

export interface EvidenceSettings {
  preRollSeconds: number;
  postRollSeconds: number;
  retentionDays: number;
  maxMegabytesPerCamera: number;
}

export interface EvidenceOptions {
  store: Store;
  audit: AuditTrail;
  logger: Logger;
  /** Where clips are kept (`<dataDir>/evidence`, or a bucket) and where the ring buffers are (`<dataDir>/rings`). */
  clips: ClipStore;
  ringsDir: string;
  ffmpeg: string;
  settings: EvidenceSettings;
  now?: () => number;
}

const DAY_MS = 86_400_000;
/** The gateway itself, when an event cut the clip. */
const GATEWAY_ACTOR: Actor = { actor: 'gateway', actorRole: 'system', address: null, userAgent: null };

/**
 * Evidence clips: where this node holds a camera's stream (an IP camera with detection on), its
 * ffmpeg keeps the last ~30 s in a ring buffer of MPEG-TS segments; an event or an operator's
 * click cuts [from − pre-roll, to + post-roll] out of it into a fragmented MP4, copied, never
 * re-encoded, hashed (SHA-256) and recorded. Retention per camera (days and total size, the
 * gateway's defaults unless the camera has its own) deletes the oldest first and never a clip
 * under legal hold.
 */
export class Evidence {
  readonly #rings = new Map<ZoneId, RingBuffer>();
  readonly #now: () => number;

  constructor(private readonly options: EvidenceOptions) {
    this.#now = options.now ?? Date.now;
  }

  get settings(): EvidenceSettings {
    return this.options.settings;
  }

  /** A fresh ring buffer directory for the zone's ffmpeg (what an earlier run left is gone). */
  ringFor(zone: ZoneId): string {
    this.#rings.get(zone)?.close();
    const ring = new RingBuffer(join(this.options.ringsDir, zone));
    this.#rings.set(zone, ring);
    return ring.dir;
  }

  releaseRing(zone: ZoneId): void {
    this.#rings.get(zone)?.close();
    this.#rings.delete(zone);
  }

  hasRing(zone: ZoneId): boolean {
    return this.#rings.has(zone);
  }

  /**
   * Cuts a clip of [fromMs, toMs] from the zone's ring buffer once its last segment is complete;
   * null when this node keeps no ring for the zone or it holds nothing of that span.
   */
  async saveClip(request: { zone: ZoneId; camera: string | null; fromMs: number; toMs: number; eventId: number | null; by?: Actor }): Promise<EvidenceRecord | null> {
    const ring = this.#rings.get(request.zone);
    if (!ring) return null;
    const deadline = request.toMs + (3 * RING_SEGMENT_SECONDS + 2) * 1000;
    while (!ring.segments(request.toMs).length && this.#now() < deadline && this.#rings.get(request.zone) === ring) await sleep(250);
    const segments = ring.segments(request.fromMs, request.toMs);
    if (segments.length === 0) return null;
    // Copied first: the ring goes on overwriting its oldest segments while ffmpeg reads.
    const work = await mkdtemp(join(tmpdir(), 'vigil-clip-'));
    try {
      const parts = await Promise.all(segments.map(async (s, i) => {
        const part = join(work, `${i}.ts`);
        await copyFile(s.path, part);
        return part;
      }));
      await writeFile(join(work, 'list.txt'), parts.map((p) => `file '${p}'`).join('\n'));
      const name = `${request.zone}/${new Date(segments[0]!.fromMs).toISOString().replace(/[:.]/g, '-')}-${randomBytes(4).toString('hex')}.mp4`;
      const file = join(work, 'clip.mp4');
      await run(this.options.ffmpeg, ['-hide_banner', '-loglevel', 'error', '-f', 'concat', '-safe', '0', '-i', join(work, 'list.txt'),
        '-c', 'copy', '-movflags', '+frag_keyframe+empty_moov+default_base_moof', '-f', 'mp4', file]);
      // Its JPEG snapshot: the clip's first picture, for the list and the player's poster.
      const snapshot = join(work, 'clip.jpg');
      const snapped = await run(this.options.ffmpeg, ['-hide_banner', '-loglevel', 'error', '-i', file, '-frames:v', '1', '-vf', 'scale=640:-2', '-q:v', '4', '-y', snapshot])
        .then(() => true, (error: unknown) => this.options.logger.warn({ err: error, zone: request.zone }, 'no snapshot for a clip'));
      const [sha256, { size }] = await Promise.all([sha256Of(file), stat(file)]);
      // Hashed before it leaves: the trail's SHA-256 is of what was cut, wherever it is kept.
      await this.options.clips.put(name, file, snapped === true ? snapshot : null);
      const record = await this.options.store.evidence.create({
        zone: request.zone, eventId: request.eventId, camera: request.camera, startedAt: Math.round(segments[0]!.fromMs), endedAt: Math.round(segments.at(-1)!.toMs),
        file: name, bytes: size, sha256, createdAt: this.#now(), createdBy: (request.by ?? GATEWAY_ACTOR).actor,
      });
      await this.options.audit.record({ ...(request.by ?? GATEWAY_ACTOR), kind: 'evidence.saved', zone: request.zone, outcome: 'ok',
        detail: { evidence: record.id, event: request.eventId, sha256, bytes: size, from: new Date(record.startedAt).toISOString(), to: new Date(record.endedAt).toISOString() } });
      await this.enforceRetention(request.zone, record.id);
      return record;
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }

  byId(id: number): Promise<EvidenceRecord | null> {
    return this.options.store.evidence.byId(id);
  }

  async list(visible: (zone: string) => boolean, filter: { zone?: string; eventId?: number; before?: number; limit: number }): Promise<EvidenceRecord[]> {
    return (await this.options.store.evidence.list({ ...filter, limit: Math.min(500, filter.limit * 4) })).filter((r) => visible(r.zone)).slice(0, filter.limit);
  }

  /** The clip's JPEG snapshot (its first picture), if it has one; looking at it is audited like the clip. */
  async snapshot(actor: Actor, record: EvidenceRecord): Promise<Buffer | null> {
    const jpeg = await this.options.clips.snapshot(record.file);
    if (jpeg) await this.options.audit.record({ ...actor, kind: 'evidence.viewed', zone: record.zone, outcome: 'ok', detail: { evidence: record.id, sha256: record.sha256, part: 'snapshot' } });
    return jpeg;
  }

  /** The clip's bytes, and the audit entry of who looked at or took it (with its SHA-256). */
  async open(actor: Actor, record: EvidenceRecord, download: boolean): Promise<NodeJS.ReadableStream> {
    const body = await this.options.clips.open(record.file);
    await this.options.audit.record({ ...actor, kind: download ? 'evidence.downloaded' : 'evidence.viewed', zone: record.zone, outcome: 'ok', detail: { evidence: record.id, sha256: record.sha256, bytes: record.bytes } });
    return body;
  }

  async hold(actor: Actor, id: number, held: boolean): Promise<EvidenceRecord | ProtocolError> {
    const record = await this.options.store.evidence.setHeld(id, held);
    if (!record) return protocolError('NOT_FOUND', 'No such clip.');
    await this.options.audit.record({ ...actor, kind: 'evidence.held', zone: record.zone, outcome: 'ok', detail: { evidence: id, held, sha256: record.sha256 } });
    return record;
  }

  async setRetention(actor: Actor, zone: ZoneId, days: number | null, megabytes: number | null): Promise<void> {
    await this.options.audit.record({ ...actor, kind: 'evidence.retention', zone, outcome: 'ok', detail: { days, megabytes } });
    await this.options.store.evidence.setRetention(zone, days, megabytes);
    await this.enforceRetention(zone);
  }

  async retentionOf(zone: string): Promise<{ days: number; megabytes: number }> {
    const own = await this.options.store.evidence.retention(zone);
    return { days: own.days ?? this.options.settings.retentionDays, megabytes: own.megabytes ?? this.options.settings.maxMegabytesPerCamera };
  }

  /**
   * Deletes the zone's clips past its retention: older than its days, then the oldest until the
   * rest fit its size. A held clip is never deleted (nor counted out), nor is `keep` (the clip just cut).
   */
  async enforceRetention(zone: string, keep?: number): Promise<number> {
    const { days, megabytes } = await this.retentionOf(zone);
    const clips = await this.options.store.evidence.ofZone(zone);
    const cutoff = this.#now() - days * DAY_MS;
    let total = clips.reduce((sum, c) => sum + c.bytes, 0);
    let deleted = 0;
    for (const clip of clips) {
      if (clip.held || clip.id === keep) continue;
      if (clip.createdAt >= cutoff && total <= megabytes * 1024 * 1024) continue;
      try {
        await this.options.clips.remove(clip.file);
      } catch (error) {
        // The bucket is away: the clip stays listed and goes at the next pass.
        this.options.logger.warn({ err: error, zone, evidence: clip.id }, 'retention could not delete a clip');
        break;
      }
      await this.options.store.evidence.remove(clip.id);
      await this.options.audit.record({ ...GATEWAY_ACTOR, kind: 'evidence.deleted', zone, outcome: 'ok',
        detail: { evidence: clip.id, sha256: clip.sha256, reason: clip.createdAt < cutoff ? `older than ${days} days` : `over ${megabytes} MB` } });
      total -= clip.bytes;
      deleted += 1;
    }
    return deleted;
  }

  /** Every zone's retention, once a day. */
  async enforceAll(): Promise<void> {
    const zones = new Set((await this.options.store.evidence.list({ limit: 100_000 })).map((r) => r.zone));
    for (const zone of zones) await this.enforceRetention(zone);
  }

  close(): void {
    for (const ring of this.#rings.values()) ring.close();
    this.#rings.clear();
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`ffmpeg could not cut the clip (${code}): ${stderr.trim()}`))));
  });
}

function sha256Of(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(file).on('data', (chunk) => hash.update(chunk)).on('error', reject).on('end', () => resolve(hash.digest('hex')));
  });
}
