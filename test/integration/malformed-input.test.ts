import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Limits } from '../../src/shared/index.ts';
import { connect, nextEvent, newResumeToken, openSocket, request, type TestClient } from '../support/clients.ts';
import { startGateway, type TestGateway } from '../support/gateway.ts';

function nested(depth: number): unknown {
  let value: unknown = 'x';
  for (let i = 0; i < depth; i++) value = { zone: value };
  return value;
}

describe('bad input gets a typed error and the server stays up', () => {
  let gw: TestGateway;
  let camera: TestClient;
  let operator: TestClient;
  before(async () => {
    gw = await startGateway();
    camera = await gw.connect('camera');
    operator = await gw.connect('operator');
  });
  after(async () => { camera.close(); operator.close(); await gw.close(); });

  const codeOf = async (socket: TestClient, event: string, payload: unknown) => {
    const reply = await request(socket, event, payload);
    assert.equal(reply.ok, false, `${event} ${JSON.stringify(payload)?.slice(0, 80)} should be refused`);
    return !reply.ok ? reply.error.code : undefined;
  };

  it('answers ZONE_INVALID for malformed zone identifiers', async () => {
    for (const zone of ['', 'cbd-traffic-01', 'CBD--01', '-CBD', 'CBD-', 'CBD TRAFFIC', 'A'.repeat(65), '<script>', 'ZONE/../01', 'ÄRZTE-01']) {
      assert.equal(await codeOf(operator, 'zone:watch', { zone }), 'ZONE_INVALID', zone);
      assert.equal(await codeOf(camera, 'camera:publish', { zone, resumeToken: newResumeToken() }), 'ZONE_INVALID', zone);
    }
    assert.equal((await request(operator, 'zone:watch', { zone: 'A'.repeat(64) })).ok, true);
  });

  it('answers PAYLOAD_INVALID for wrong shapes and types', async () => {
    const cases: [TestClient, string, unknown][] = [
      [operator, 'zone:watch', undefined],
      [operator, 'zone:watch', null],
      [operator, 'zone:watch', 'CBD-01'],
      [operator, 'zone:watch', 42],
      [operator, 'zone:watch', ['CBD-01']],
      [operator, 'zone:watch', {}],
      [operator, 'zone:watch', { zone: 7 }],
      [operator, 'zone:watch', { zone: 'CBD-01', extra: true }],
      [operator, 'zone:watch', JSON.parse('{"zone":"CBD-01","__proto__":{"polluted":true}}')],
      [operator, 'zone:watch', { zone: 'CBD-01', constructor: { prototype: { polluted: true } } }],
      [operator, 'zone:watch', nested(200)],
      [operator, 'zone:watch', { zone: 'x'.repeat(50_000) }],
      [camera, 'camera:publish', { zone: 'CBD-01' }],
      [camera, 'camera:publish', { zone: 'CBD-01', resumeToken: 'short' }],
      [camera, 'signal:offer', { peerId: 'abc', sdp: 'not an sdp' }],
      [camera, 'signal:offer', { peerId: 'abc', sdp: `v=0\r\n${'a'.repeat(Limits.sdpMaxLength)}` }],
      [camera, 'signal:offer', { peerId: '../../etc', sdp: 'v=0\r\n' }],
      [camera, 'signal:offer', { peerId: 'a'.repeat(65), sdp: 'v=0\r\n' }],
      [camera, 'signal:candidate', { peerId: 'abc', candidate: { candidate: 'c'.repeat(Limits.candidateMaxLength + 1) } }],
      [camera, 'signal:candidate', { peerId: 'abc', candidate: { candidate: 'x', sdpMLineIndex: -1 } }],
      [camera, 'signal:candidate', { peerId: 'abc' }],
      [operator, 'zone:list', { anything: 1 }],
    ];
    for (const [socket, event, payload] of cases) assert.equal(await codeOf(socket, event, payload), 'PAYLOAD_INVALID');
    assert.equal(({} as Record<string, unknown>).polluted, undefined, 'Object.prototype untouched');
  });

  it('answers EVENT_UNKNOWN for names outside the protocol and ROLE_FORBIDDEN for the wrong role', async () => {
    for (const event of ['join', 'offer', 'signal:broadcast', '__proto__', 'constructor', 'x'.repeat(500)]) {
      assert.equal(await codeOf(operator, event, {}), 'EVENT_UNKNOWN');
    }
    assert.equal(await codeOf(operator, 'camera:publish', { zone: 'CBD-01', resumeToken: newResumeToken() }), 'ROLE_FORBIDDEN');
    assert.equal(await codeOf(operator, 'signal:offer', { peerId: 'abc', sdp: 'v=0\r\n' }), 'ROLE_FORBIDDEN');
    assert.equal(await codeOf(camera, 'zone:watch', { zone: 'CBD-01' }), 'ROLE_FORBIDDEN');
    assert.equal(await codeOf(camera, 'signal:answer', { peerId: 'abc', sdp: 'v=0\r\n' }), 'ROLE_FORBIDDEN');
    assert.equal(await codeOf(camera, 'signal:restart', { peerId: 'abc' }), 'ROLE_FORBIDDEN');
  });

  it('reports refusals of events sent without an acknowledgement as vigil:error', async () => {
    const error = nextEvent(operator, 'vigil:error');
    operator.emit('zone:watch', { zone: 'bad zone' });
    assert.deepEqual(await error, {
      event: 'zone:watch',
      error: { code: 'ZONE_INVALID', message: 'The zone identifier is not [A-Z0-9]+(-[A-Z0-9]+)* of at most 64 characters.' },
    });
    const unknown = nextEvent(operator, 'vigil:error');
    (operator as unknown as { emit(e: string, p: unknown): void }).emit('<script>alert(1)</script>'.repeat(20), 1);
    const reply = await unknown;
    assert.equal(reply.error.code, 'EVENT_UNKNOWN');
    assert.ok(reply.event.length <= 64);
  });

  // 200 KiB is over our 96 KiB limit and under Socket.IO's default 1 MB: it proves ours is in force.
  for (const size of [200 * 1024, 10 * 1024 * 1024]) {
    it(`closes a connection that sends a ${size / 1024} KiB packet, over the size limit, and stays up`, async () => {
      const victim = await gw.connect('operator');
      const closed = new Promise<string>((resolve) => victim.once('disconnect', resolve));
      victim.emit('zone:watch', { zone: 'x'.repeat(size) } as never);
      assert.match(await closed, /transport (close|error)/);
      const healthy = await gw.connect('operator');
      assert.equal((await request(healthy, 'zone:list', {})).ok, true);
      healthy.close();
    });
  }

  it('keeps a packet just under the size limit: a 90 KiB payload is refused by its schema, not by closing', async () => {
    const sender = await gw.connect('operator');
    const reply = await request(sender, 'zone:watch', { zone: 'x'.repeat(90 * 1024) });
    assert.equal(!reply.ok && reply.error.code, 'PAYLOAD_INVALID');
    assert.equal(sender.connected, true);
    sender.close();
  });

  it('refuses a handshake without a valid role', async () => {
    for (const auth of [{}, { role: 'admin' }, { role: 'camera', extra: 1 }, { role: 'operator', protocol: 2 }]) {
      const socket = openSocket(gw.url, auth);
      const error = await new Promise<Error & { data?: { code: string } }>((resolve) => socket.once('connect_error', resolve));
      assert.equal(error.data?.code, 'HANDSHAKE_INVALID');
      socket.close();
    }
  });

  it('rate-limits a flooding connection and leaves the others responsive', async () => {
    const flooder = await gw.connect('operator');
    const replies = await Promise.all(Array.from({ length: 900 }, () => request(flooder, 'zone:list', {}, 5_000)));
    const limited = replies.filter((r) => !r.ok && r.error.code === 'RATE_LIMITED').length;
    assert.ok(limited >= 200, `expected the burst past 600 to be limited, got ${limited}`);
    assert.equal((await request(operator, 'zone:list', {})).ok, true);
    flooder.close();
  });
});
