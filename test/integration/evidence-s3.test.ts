import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { text } from 'node:stream/consumers';
import { after, before, describe, it } from 'node:test';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import type { EvidenceView } from '../../src/shared/index.ts';
import { ClipStoreError, LocalClipStore, S3ClipStore, type ClipStore } from '../../src/server/evidence/ClipStore.ts';
import type { TestGateway } from '../support/gateway.ts';
import { startDetectingIpCamera } from '../support/ipCameraGateway.ts';
import { startS3, type TestS3 } from '../support/s3.ts';
import { waitFor } from '../support/waitFor.ts';

/**
 * Evidence kept in an S3-compatible bucket (`evidence.s3Bucket`): a clip is cut and hashed on the
 * gateway, uploaded with its snapshot, served back through the gateway (checked and audited as
 * ever), and deleted there by retention. The bucket is a real S3 REST server on a loopback port.
 */
const ZONE = 'DEPOT-S3-01';
const BUCKET = 'vigil-evidence';
let s3: TestS3;
let site: Awaited<ReturnType<typeof startDetectingIpCamera>>;
let gw: TestGateway;
const work = mkdtempSync(join(tmpdir(), 'vigil-clipstore-'));
before(async () => {
  s3 = await startS3(BUCKET);
  site = await startDetectingIpCamera(ZONE, 'Depot bay', {
    evidence: { s3Bucket: BUCKET, s3Endpoint: s3.url, s3AccessKeyId: s3.accessKeyId, s3SecretAccessKey: s3.secretAccessKey, s3Prefix: 'city-1/' },
  });
  gw = site.gw;
});
after(async () => {
  await site?.close();
  await s3?.stop();
  rmSync(work, { recursive: true, force: true });
});

const bucket = () => new S3Client({ endpoint: s3.url, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } });
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describe('clip stores: the data directory and an S3-compatible bucket keep, give back and delete the same', () => {
  for (const [kind, make] of [
    ['local', () => new LocalClipStore(join(work, 'local'))],
    ['s3', () => new S3ClipStore({ bucket: BUCKET, endpoint: s3.url, region: 'us-east-1', accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey, prefix: 'contract/' })],
  ] as [string, () => ClipStore][]) {
    it(kind, async () => {
      const store = make();
      writeFileSync(join(work, 'clip.mp4'), 'the clip');
      writeFileSync(join(work, 'clip.jpg'), 'the snapshot');
      await store.put('CBD-1/a.mp4', join(work, 'clip.mp4'), join(work, 'clip.jpg'));
      await store.put('CBD-1/b.mp4', join(work, 'clip.mp4'), null);
      assert.equal(await text(await store.open('CBD-1/a.mp4')), 'the clip');
      assert.equal((await store.snapshot('CBD-1/a.mp4'))?.toString(), 'the snapshot');
      assert.equal(await store.snapshot('CBD-1/b.mp4'), null, 'no snapshot: null, not an error');
      await store.remove('CBD-1/a.mp4');
      await assert.rejects(async () => text(await store.open('CBD-1/a.mp4')), ClipStoreError);
      assert.equal(await store.snapshot('CBD-1/a.mp4'), null);
    });
  }
});

it('a clip cut on the gateway goes to the bucket with its snapshot and SHA-256, is served back through the gateway, and an unreachable bucket is STORE_UNAVAILABLE', async () => {
  await waitFor(() => gw.gateway.cameras.running.ingest(1)?.status === 'live', 'the camera live', { timeoutMs: 20_000 });
  // The ring holds the pre-roll once the camera has run a few segments.
  await new Promise((resolve) => setTimeout(resolve, 7_000));
  const saved = await gw.api('/api/evidence', { cookie: gw.admin.cookie, body: { zone: ZONE } });
  assert.equal(saved.status, 200, saved.body);
  const clip = saved.json.clip as EvidenceView;

  const listed = await bucket().send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `city-1/${ZONE}/` }));
  const keys = (listed.Contents ?? []).map((o) => o.Key!).filter((k) => k.endsWith('.mp4') || k.endsWith('.jpg'));
  // The operator's clip among them (the detector's events cut theirs too): found by its SHA-256.
  const hashes = new Map<string, string>();
  for (const key of keys.filter((k) => k.endsWith('.mp4'))) {
    hashes.set(sha256(Buffer.from(await (await bucket().send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))).Body!.transformToByteArray())), key);
  }
  const mp4 = hashes.get(clip.sha256);
  assert.ok(mp4, `the bucket holds what was hashed (${clip.sha256} among ${[...hashes.keys()].join(', ')})`);
  assert.ok(keys.includes(mp4.replace(/\.mp4$/, '.jpg')), `with its snapshot: ${keys.join(', ')}`);
  const local = join(gw.dataDir, 'evidence');
  assert.ok(!existsSync(local) || readdirSync(local, { recursive: true }).length === 0, 'nothing kept on the gateway\'s disk');

  const served = await gw.api(`/api/evidence/${clip.id}/clip.mp4`, { cookie: gw.admin.cookie });
  assert.deepEqual([served.status, sha256(served.bytes), served.headers['x-content-sha256']], [200, clip.sha256, clip.sha256]);
  const snapshot = await gw.api(`/api/evidence/${clip.id}/snapshot.jpg`, { cookie: gw.admin.cookie });
  assert.deepEqual([snapshot.status, snapshot.bytes.subarray(0, 2).toString('hex')], [200, 'ffd8']);

  // The bucket goes away: a clear, typed refusal, and the gateway stays up.
  await s3.stop();
  const away = await gw.api(`/api/evidence/${clip.id}/clip.mp4`, { cookie: gw.admin.cookie });
  assert.deepEqual([away.status, away.json.error.code], [503, 'STORE_UNAVAILABLE'], away.body);
  const notSaved = await gw.api('/api/evidence', { cookie: gw.admin.cookie, body: { zone: ZONE } });
  assert.deepEqual([notSaved.status, notSaved.json.error.code], [503, 'STORE_UNAVAILABLE'], notSaved.body);
  assert.equal((await gw.api('/healthz')).status, 200, 'the gateway is up');
});
