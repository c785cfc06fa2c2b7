import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';

export interface TestS3 {
  /** http://127.0.0.1:<port>: an S3-compatible endpoint (path-style). */
  readonly url: string;
  readonly bucket: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  stop(): Promise<void>;
}

/**
 * An S3-compatible server on a loopback port, with one bucket: s3rver (MinIO and Ceph are not in
 * Debian). It speaks S3's REST API over HTTP, signatures and all (it does not check the secret).
 */
export async function startS3(bucket: string): Promise<TestS3> {
  const directory = mkdtempSync(join(tmpdir(), 'vigil-s3-'));
  const server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory, configureBuckets: [{ name: bucket, configs: [] }] });
  const { port } = (await server.run()) as unknown as { port: number };
  let stopped = false;
  return {
    url: `http://127.0.0.1:${port}`, bucket, accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER',
    async stop() {
      if (stopped) return;
      stopped = true;
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
