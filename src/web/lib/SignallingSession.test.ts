import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import { PROTOCOL_VERSION, Role, type SessionReady } from '../../shared/index.ts';
import type { SignallingSocket } from './signallingClient.ts';
import { SignallingSession, type SignallingHooks } from './SignallingSession.ts';

/** Just enough of a Socket.IO client socket: the test plays the gateway and the transport. */
class FakeSocket extends EventEmitter {
  connected = false;
  active = true;
  disconnect(): void {
    this.connected = false;
    this.active = false;
  }
  timeout(): { emit(event: string, payload: unknown, ack: (err: Error | null, reply: unknown) => void): void } {
    return { emit: (_event, _payload, ack) => ack(null, { ok: true }) };
  }
}

const READY: SessionReady = {
  protocol: PROTOCOL_VERSION,
  role: Role.OPERATOR,
  identity: { name: 'ada', kind: 'operator' },
  iceServers: [{ urls: 'stun:stun.example.org' }],
  iceServersExpireAt: null,
  iceTransportPolicy: 'all',
  serverTime: 0,
};

function open(role: Role) {
  const socket = new FakeSocket();
  const heard: string[] = [];
  const hooks: SignallingHooks = {
    restore: () => heard.push('restore'),
    iceServersRenewed: () => heard.push('iceServersRenewed'),
    down: () => heard.push('down'),
    lost: () => heard.push('lost'),
    closed: () => heard.push('closed'),
    ended: ({ code }) => heard.push(`ended ${code}`),
    refused: ({ code }, retrying) => heard.push(`refused ${code}${retrying ? ' retrying' : ''}`),
  };
  const session = new SignallingSession({ role, hooks, connect: () => socket as unknown as SignallingSocket });
  const connect = (): void => {
    socket.connected = true;
    socket.emit('connect');
    socket.emit('session:ready', READY);
  };
  const refuse = (code: string): void => {
    socket.active = false; // Socket.IO gives up after a middleware refusal
    socket.emit('connect_error', Object.assign(new Error(`refused: ${code}`), { data: { code } }));
  };
  return { socket, session, heard, connect, refuse };
}

describe('SignallingSession', () => {
  it('is off before the first session:ready, up while connected, lost while Socket.IO retries, off once closed', () => {
    const { socket, session, heard, connect } = open(Role.OPERATOR);
    socket.emit('connect_error', new Error('xhr poll error'));
    assert.equal(session.state, 'off');
    connect();
    assert.equal(session.state, 'up');
    assert.equal(session.ready, true);
    assert.deepEqual(session.rtcConfig.iceServers, READY.iceServers);
    socket.connected = false;
    socket.emit('disconnect', 'transport close');
    assert.equal(session.state, 'lost');
    assert.equal(session.ready, false);
    session.close();
    assert.equal(session.state, 'off');
    assert.deepEqual(heard, ['down', 'lost', 'restore', 'down', 'lost']);
  });

  it('restores on every session:ready and renews TURN credentials in place', () => {
    const { socket, session, heard, connect } = open(Role.CAMERA);
    connect();
    const renewed = [{ urls: 'turn:turn.example.org', username: 'u', credential: 'c' }];
    socket.emit('ice:servers', { iceServers: renewed, iceServersExpireAt: 1 });
    assert.deepEqual(session.rtcConfig.iceServers, renewed);
    socket.connected = false;
    socket.emit('disconnect', 'ping timeout');
    connect();
    assert.deepEqual(heard, ['restore', 'iceServersRenewed', 'down', 'lost', 'restore']);
  });

  // A console's credential is its session cookie, a camera's its key; any other refusal is only told.
  const credentialRefusals = [
    { role: Role.OPERATOR, ends: ['AUTH_REQUIRED', 'SESSION_EXPIRED', 'SESSION_REVOKED'], told: 'KEY_INVALID' },
    { role: Role.CAMERA, ends: ['KEY_INVALID', 'KEY_REVOKED', 'AUTH_REQUIRED'], told: 'ORIGIN_FORBIDDEN' },
  ];
  for (const { role, ends, told } of credentialRefusals) {
    it(`${role}: a refusal of its credential (${ends.join(', ')}) ends the session; ${told} is only told`, () => {
      for (const code of ends) {
        const { heard, refuse } = open(role);
        refuse(code);
        assert.deepEqual(heard, ['down', `ended ${code}`]);
      }
      const { heard, refuse } = open(role);
      refuse(told);
      assert.deepEqual(heard, ['down', `refused ${told}`]);
    });
  }

  it('session:ended ends it; the gateway closing the connection is told apart from losing it', () => {
    const { socket, heard, connect } = open(Role.OPERATOR);
    connect();
    socket.emit('session:ended', { error: { code: 'SESSION_REVOKED', message: 'revoked' } });
    socket.connected = false;
    socket.active = false;
    socket.emit('disconnect', 'io server disconnect');
    assert.deepEqual(heard, ['restore', 'ended SESSION_REVOKED', 'down', 'closed']);
  });

  it('hears nothing after close, and sends its farewell before disconnecting', async () => {
    const { socket, session, heard, connect } = open(Role.CAMERA);
    connect();
    let farewellSent = false;
    session.close(async () => {
      farewellSent = socket.connected;
    });
    socket.emit('disconnect', 'io client disconnect');
    socket.emit('session:ready', READY);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(farewellSent, true);
    assert.equal(socket.connected, false);
    assert.deepEqual(heard, ['restore']);
  });
});
