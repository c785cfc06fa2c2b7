import { createReadStream } from 'node:fs';
import { copyFile, mkdir, readFile, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { CodedError } from '../util/CodedError.ts';
import { DeleteObjectCommand, GetObjectCommand, NoSuchKey, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';

/**
 * Where evidence clips and their snapshots are kept once cut: the data directory, or an
 * S3-compatible bucket. `name` is the clip's key (`<zone>/<time>-<random>.mp4`); its snapshot is
 * the same name with `.jpg`. A store that fails throws ClipStoreError.
 */
export interface ClipStore {
  readonly kind: 'local' | 's3';
  /** Keeps a cut clip and its snapshot (files in a work directory, which the caller removes). */
  put(name: string, clipFile: string, snapshotFile: string | null): Promise<void>;
  open(name: string): Promise<Readable>;
  /** The clip's snapshot; null when it has none. */
  snapshot(name: string): Promise<Buffer | null>;
  remove(name: string): Promise<void>;
}

/** The store did not take or give a clip: the API says STORE_UNAVAILABLE. */
export class ClipStoreError extends CodedError {
  constructor(message: string) {
    super('STORE_UNAVAILABLE', message);
  }
}

export interface S3StoreSettings {
  bucket: string;
  /** An S3-compatible service (`https://s3.example:9000`); absent: AWS itself. */
  endpoint?: string;
  region: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  /** Prepended to every key (`vigil/`). */
  prefix: string;
}

/** A clip's snapshot beside it: `….mp4` → `….jpg`. */
export const snapshotName = (clip: string): string => clip.replace(/\.mp4$/, '.jpg');

/** `<dataDir>/evidence`: the default, and the tested one on one box. */
export class LocalClipStore implements ClipStore {
  readonly kind = 'local';
  constructor(private readonly dir: string) {}

  async put(name: string, clipFile: string, snapshotFile: string | null): Promise<void> {
    const target = join(this.dir, name);
    await mkdir(dirname(target), { recursive: true });
    await copyFile(clipFile, target);
    if (snapshotFile) await copyFile(snapshotFile, snapshotName(target)).catch(() => undefined);
  }

  async open(name: string): Promise<Readable> {
    const path = join(this.dir, name);
    await stat(path).catch(() => { throw new ClipStoreError(`the clip ${name} is not in ${this.dir}`); });
    return createReadStream(path);
  }

  snapshot(name: string): Promise<Buffer | null> {
    return readFile(snapshotName(join(this.dir, name))).catch(() => null);
  }

  async remove(name: string): Promise<void> {
    await rm(join(this.dir, name), { force: true });
    await rm(snapshotName(join(this.dir, name)), { force: true });
  }
}

/**
 * An S3-compatible bucket (AWS, MinIO, Ceph, Garage…): a clip is uploaded once it is cut and
 * hashed, and read back through the gateway (never a public URL: every view is checked and
 * audited here). Credentials from the settings, or the SDK's usual chain (environment, instance role).
 */
export class S3ClipStore implements ClipStore {
  readonly kind = 's3';
  readonly #client: S3Client;

  constructor(private readonly settings: S3StoreSettings) {
    this.#client = new S3Client({
      region: settings.region,
      // Checksums only where S3 requires them: the SDK's default (aws-chunked bodies with trailing
      // CRCs) is not understood by many S3-compatible services.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      ...(settings.endpoint ? { endpoint: settings.endpoint, forcePathStyle: true } : {}),
      ...(settings.accessKeyId && settings.secretAccessKey ? { credentials: { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey } } : {}),
    });
  }

  async put(name: string, clipFile: string, snapshotFile: string | null): Promise<void> {
    await this.#upload(name, clipFile, 'video/mp4');
    if (snapshotFile && (await stat(snapshotFile).catch(() => null))) await this.#upload(snapshotName(name), snapshotFile, 'image/jpeg');
  }

  async open(name: string): Promise<Readable> {
    const reply = await this.#guard(() => this.#client.send(new GetObjectCommand({ Bucket: this.settings.bucket, Key: this.#key(name) })));
    return reply.Body as Readable;
  }

  async snapshot(name: string): Promise<Buffer | null> {
    try {
      const reply = await this.#client.send(new GetObjectCommand({ Bucket: this.settings.bucket, Key: this.#key(snapshotName(name)) }));
      return Buffer.from(await reply.Body!.transformToByteArray());
    } catch (error) {
      if (error instanceof NoSuchKey) return null;
      throw new ClipStoreError(`the bucket did not give the snapshot: ${(error as Error).message}`);
    }
  }

  async remove(name: string): Promise<void> {
    await this.#guard(() => this.#client.send(new DeleteObjectCommand({ Bucket: this.settings.bucket, Key: this.#key(name) })));
    await this.#guard(() => this.#client.send(new DeleteObjectCommand({ Bucket: this.settings.bucket, Key: this.#key(snapshotName(name)) })));
  }

  async #upload(name: string, file: string, type: string): Promise<void> {
    const { size } = await stat(file);
    await this.#guard(() => this.#client.send(new PutObjectCommand({ Bucket: this.settings.bucket, Key: this.#key(name), Body: createReadStream(file), ContentLength: size, ContentType: type })));
  }

  #key(name: string): string {
    return `${this.settings.prefix}${name}`;
  }

  async #guard<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw new ClipStoreError(`the bucket ${this.settings.bucket} refused or did not answer: ${(error as Error).message}`);
    }
  }
}
