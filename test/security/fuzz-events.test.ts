import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CLIENT_EVENT_NAMES, isErrorCode } from '../../src/shared/index.ts';
import { FAKE_CANDIDATE, FAKE_OFFER, newResumeToken, request, type TestClient } from '../support/clients.ts';
import { assertServerUp } from '../support/access.ts';
import { startGateway, type TestGateway } from '../support/gateway.ts';

/** A small deterministic generator, so a failure replays with the same events. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/**
 * Valid payloads of every event, to mutate from: the fuzz reaches the handlers, not only the
 * schemas. Each connection has its own resume token: a camera presenting another's would take its
 * zone over and close it, as it should.
 */
const seedsFor = (resumeToken: string): Record<string, unknown> => ({
  'camera:publish': { zone: 'CBD-FUZZ-01', resumeToken },
  'camera:unpublish': { zone: 'CBD-FUZZ-01' },
  'zone:watch': { zone: 'CBD-FUZZ-01' },
  'zone:unwatch': { zone: 'CBD-FUZZ-01' },
  'zone:list': {},
  'signal:offer': { peerId: 'p-fuzz', sdp: FAKE_OFFER },
  'signal:answer': { peerId: 'p-fuzz', sdp: FAKE_OFFER },
  'signal:candidate': { peerId: 'p-fuzz', candidate: FAKE_CANDIDATE },
  'signal:restart': { peerId: 'p-fuzz' },
  'quality:report': { tiles: [{ zone: 'CBD-FUZZ-01', icePath: 'host', rttMs: 1, lossRatio: 0, bitrateBps: 1, fps: 30 }] },
});

function mutate(next: () => number, value: unknown, depth = 0): unknown {
  const pick = <T>(options: T[]): T => options[Math.floor(next() * options.length)]!;
  // Thunks: only the picked one is built (a nested mutation built eagerly would recurse without end).
  const odd = (): unknown => pick<() => unknown>([
    () => null, () => undefined, () => true, () => 0, () => -1, () => 1e308, () => Number.MAX_SAFE_INTEGER, () => '', () => ' ',
    () => 'x'.repeat(20_000), () => '<script>alert(1)</script>', () => '\u0000\u001b[31m', () => '../../etc/passwd',
    () => [], () => [1, 2, 3], () => ({}), () => JSON.parse('{"__proto__":{"polluted":true}}'),
    () => ({ constructor: { prototype: { polluted: true } } }), () => Array.from({ length: 50 }, () => ({})),
    () => (depth < 30 ? { nested: mutate(next, value, depth + 1) } : 'deep'),
  ])();
  if (value === null || typeof value !== 'object') return next() < 0.5 ? odd() : value;
  if (Array.isArray(value)) return next() < 0.3 ? odd() : value.map((item) => mutate(next, item, depth + 1));
  if (next() < 0.15) return odd();
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    if (next() < 0.1) continue; // a field dropped
    out[next() < 0.05 ? `${key}_` : key] = next() < 0.4 ? mutate(next, field, depth + 1) : field;
  }
  if (next() < 0.1) out[pick(['extra', '__proto__', 'constructor', 'zone', 'peerId'])] = odd();
  return out;
}

/**
 * 10,000 random and mutated events across every event name, from cameras and operators alike:
 * every reply is typed (ok, or an error code from the catalogue), nothing crashes, no promise is
 * left rejected, Object.prototype stays clean, and the server answers afterwards.
 */
describe('fuzzed events', () => {
  let gw: TestGateway;
  const clients: TestClient[] = [];
  const rejections: unknown[] = [];
  const onRejection = (reason: unknown) => rejections.push(reason);
  before(async () => {
    process.on('unhandledRejection', onRejection);
    gw = await startGateway();
    // Each connection stays inside its event budget (burst 600): the fuzz is about content, not rate.
    for (let i = 0; i < 10; i++) clients.push(await gw.connect('camera'), await gw.connect('operator'));
  });
  after(async () => {
    process.off('unhandledRejection', onRejection);
    for (const client of clients) client.close();
    await gw.close();
  });

  it('answers 10,000 of them with typed replies and stays up', async () => {
    const next = random(20261201);
    const names = [...CLIENT_EVENT_NAMES, 'zone:delete', 'admin:grant', '__proto__', 'constructor', ''];
    const replies: unknown[] = [];
    await Promise.all(clients.map(async (client) => {
      const seeds = seedsFor(newResumeToken());
      for (let i = 0; i < 500; i++) {
        const event = names[Math.floor(next() * names.length)]!;
        const seed = Object.hasOwn(seeds, event) ? seeds[event] : {};
        let payload = next() < 0.1 ? seed : mutate(next, seed);
        // Packets over the size limit close the connection (tested elsewhere); this fuzz is about what fits.
        if ((JSON.stringify(payload) ?? '').length > 80_000) payload = { oversized: true };
        replies.push(await request(client, event, payload, 5_000).catch((error: unknown) => ({ thrown: String(error) })));
      }
    }));
    assert.equal(replies.length, 10_000);
    const untyped = replies.filter((reply) => {
      const r = reply as { ok?: unknown; error?: { code?: unknown } };
      return !(r.ok === true || (r.ok === false && isErrorCode(r.error?.code)));
    });
    assert.deepEqual(untyped.slice(0, 3), [], `${untyped.length} replies were not typed`);
    const codes = new Set(replies.map((reply) => (reply as { error?: { code: string } }).error?.code).filter(Boolean));
    assert.ok(codes.has('PAYLOAD_INVALID') && codes.has('EVENT_UNKNOWN'), `refusals seen: ${[...codes].join(', ')}`);
    assert.ok(!codes.has('INTERNAL'), 'no handler failed on any of them');
    assert.equal(({} as Record<string, unknown>).polluted, undefined, 'Object.prototype untouched');
    assert.deepEqual(rejections, []);
    for (const client of clients) assert.equal(client.connected, true, 'no connection was dropped for what it sent');
    await assertServerUp(gw);
  });
});
