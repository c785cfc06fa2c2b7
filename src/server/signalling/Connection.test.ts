import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLogger } from '../observability/logger.ts';
import { ManualClock } from '../util/clock.ts';
import type { Participant } from '../zones/Participant.ts';
import { Connection } from './Connection.ts';
import { iceServersFor, renewTurnCredentials, TURN_RENEW_AT, type IceOffer } from './iceProvider.ts';

const participant: Participant = { id: 'sock-1', address: '127.0.0.1', userAgent: 'unit-test', send: () => undefined, evict: () => undefined };
const silent = createLogger('silent');

describe('Connection: what a signalling connection holds is released when it closes', () => {
  it('releases every resource once, the last taken first, and goes on past one that fails', async () => {
    const released: string[] = [];
    const connection = new Connection(participant, silent, new ManualClock());
    connection.own('zones', async () => { await new Promise((resolve) => setImmediate(resolve)); released.push('zones'); });
    connection.own('broken', () => { throw new Error('release failed'); });
    connection.own('access', (reason) => { released.push(`access (${reason})`); });
    await Promise.all([connection.close('transport close'), connection.close('again')]);
    await connection.close('and again');
    assert.deepEqual(released, ['access (transport close)', 'zones']);
    assert.equal(connection.closed, true);
  });

  it('a resource taken after the close is released at once, and its timers never run', async () => {
    const clock = new ManualClock();
    const connection = new Connection(participant, silent, clock);
    let ran = 0;
    connection.setTimeout(() => { ran += 1; }, 1_000);
    await connection.close('transport close');
    assert.equal(clock.pending, 0, 'the timer was cleared');
    clock.advance(5_000);
    assert.equal(ran, 0);
    let late = false;
    connection.own('late', () => { late = true; });
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(late, true);
  });
});

describe('TURN renewal on a connection\'s clock', () => {
  const turn = { iceServers: [], turn: { urls: ['turn:127.0.0.1:3478'], secret: 'a-secret-of-enough-length', ttlSeconds: 600 } };

  it('sends fresh credentials at three quarters of each lifetime, before the old ones expire, until the connection closes', async () => {
    const clock = new ManualClock();
    const connection = new Connection(participant, silent, clock);
    const issue = () => iceServersFor(turn, 'u1', clock.now());
    const first = issue();
    const pushed: { at: number; offer: IceOffer }[] = [];
    renewTurnCredentials(connection, first.iceServersExpireAt, issue, (offer) => pushed.push({ at: clock.now(), offer }));

    clock.advance(600_000 * TURN_RENEW_AT - 1);
    assert.equal(pushed.length, 0, 'nothing before three quarters of the lifetime');
    clock.advance(1);
    assert.equal(pushed.length, 1);
    assert.ok(pushed[0]!.at < first.iceServersExpireAt!, 'renewed before the first credentials expire');
    assert.ok(pushed[0]!.offer.iceServersExpireAt! > first.iceServersExpireAt!);
    assert.notEqual(pushed[0]!.offer.iceServers.at(-1)!.credential, first.iceServers.at(-1)!.credential);
    assert.equal(JSON.stringify(pushed).includes(turn.turn.secret), false, 'the secret never leaves');

    clock.advance(600_000 * TURN_RENEW_AT);
    assert.equal(pushed.length, 2, 'and again for each new lifetime');
    await connection.close('transport close');
    clock.advance(3_600_000);
    assert.equal(pushed.length, 2, 'a closed connection gets no more');
  });

  it('runs nothing without TURN', () => {
    const clock = new ManualClock();
    const connection = new Connection(participant, silent, clock);
    renewTurnCredentials(connection, null, () => iceServersFor({ iceServers: [] }, 'u1'), () => assert.fail('no renewal without TURN'));
    assert.equal(clock.pending, 0);
  });
});
