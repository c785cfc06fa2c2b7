import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertServerUp, auditEntries, handshakeRefusal } from '../support/access.ts';
import { openSocket } from '../support/clients.ts';
import { HASH_QUEUE_LIMITS } from '../../src/server/auth/passwords.ts';
import { startGateway, type TestGateway } from '../support/gateway.ts';

/**
 * Limits that hold when guesses arrive all at once: each attempt takes its points before the
 * (slow, queued) password hash, one attempt per account and address is in flight, and the hash
 * queue takes turns between addresses so a flood cannot hold up someone else's sign-in.
 */
describe('login limits under concurrency', () => {
  let gw: TestGateway;
  before(async () => { gw = await startGateway(); });
  after(async () => { await gw.close(); });

  const login = (username: string, password: string, localAddress: string) =>
    gw.api('/api/auth/login', { body: { username, password }, localAddress });
  /** Attempts that reached the password hash: each wrong password of a real account is one entry. */
  const hashedGuesses = async (username: string) =>
    (await auditEntries(gw, 'login.failure')).filter((e) => e.detail.reason === 'wrong_password' && e.actor === username).length;

  it('40 guesses at once: at most the limit reaches the hash, and the right password is refused while limited', async (t) => {
    const maria = await gw.addUser('maria', 'operator');
    const replies = await Promise.all(Array.from({ length: 40 }, (_, i) => login('maria', `wrong-guess-number-${i}`, '127.0.10.1')));
    const reachedHash = await hashedGuesses('maria');
    t.diagnostic(`${reachedHash} of 40 simultaneous guesses reached the hash`);
    assert.ok(reachedHash >= 1 && reachedHash <= 5, `${reachedHash} of 40 guesses reached the hash`);
    const refusedAtOnce = replies.filter((r) => r.status === 429);
    assert.equal(refusedAtOnce.length, 40 - reachedHash, 'the others were refused without a hash');
    for (const reply of refusedAtOnce) assert.ok(reply.json.error.retryAfterSeconds >= 1);

    // Keep guessing one at a time until the pair is limited: five hashed guesses in all, no more.
    for (let i = 0; i < 10; i++) await login('maria', `another-wrong-guess-${i}`, '127.0.10.1');
    assert.equal(await hashedGuesses('maria'), 5, 'five guesses in all reached the hash');
    const right = await login('maria', maria.password, '127.0.10.1');
    assert.equal(right.status, 429, 'the right password is refused while the pair is limited');
    assert.equal(right.json.error.code, 'RATE_LIMITED');
    // From another address the real person still signs in: the account itself is not locked.
    assert.equal((await login('maria', maria.password, '127.0.10.2')).status, 200);
  });

  it('the account-wide lock cannot be reached from one address, however many guesses it sends', async () => {
    const nadia = await gw.addUser('nadia', 'operator');
    for (let round = 0; round < 4; round++) {
      await Promise.all(Array.from({ length: 25 }, (_, i) => login('nadia', `wrong-guess-${round}-${i}`, '127.0.11.1')));
    }
    for (let i = 0; i < 10; i++) await login('nadia', `sequential-wrong-guess-${i}`, '127.0.11.1');
    assert.ok((await hashedGuesses('nadia')) <= 5);
    assert.equal((await login('nadia', nadia.password, '127.0.11.2')).status, 200, 'another address is not locked out');
  });

  it('a flood from one address does not hold up another address\'s sign-in: it waits for a few hashes, not the flood', async (t) => {
    const olga = await gw.addUser('olga', 'operator');
    const names = Array.from({ length: 30 }, (_, i) => `flood-target-${i}`);
    // Four at a time: each is a hash to create and one to sign in, within 127.0.0.1's share of the queue.
    for (let i = 0; i < names.length; i += 4) await Promise.all(names.slice(i, i + 4).map((name) => gw.addUser(name, 'operator')));
    // Counted in hashes, not milliseconds, so a slower machine cannot turn this red: each wrong
    // password that reached the hash answers 401, and we count those answered before the bystander.
    let hashedAnswers = 0;
    let refusedAnswers = 0;
    const flood = Promise.all(names.flatMap((name) => [0, 1, 2, 3].map(async (i) => {
      const reply = await login(name, `flood-guess-${i}`, '127.0.12.1');
      if (reply.status === 401) hashedAnswers += 1;
      if (reply.status === 429) refusedAnswers += 1;
      return reply;
    })));
    // The bystander comes once the flood has arrived (its refusals are answered), so what it
    // waits for is the hash queue, not the flood's TLS handshakes ahead of it on the event loop.
    const deadline = Date.now() + 20_000;
    while (refusedAnswers < 100 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
    const hashedBefore = hashedAnswers;
    const started = Date.now();
    const bystander = await login('olga', olga.password, '127.0.12.2');
    const waited = Date.now() - started;
    const aheadOfBystander = hashedAnswers - hashedBefore;
    const flooded = await flood;
    const hashed = flooded.filter((r) => r.status === 401).length;
    t.diagnostic(`bystander signed in after ${aheadOfBystander} of the flood's ${hashed} hashes (${waited} ms); ${flooded.filter((r) => r.status === 429).length} of ${flooded.length} refused at once`);
    assert.equal(bystander.status, 200);
    // Ahead of it: the hashes running when it arrived, the flood's one turn, those running beside
    // its own, and those finishing while its request reached the queue. A handful, whatever the
    // flood's size (before the fair queue: all of the flood's 120).
    const bound = 2 * HASH_QUEUE_LIMITS.concurrency + 2;
    assert.ok(aheadOfBystander <= bound, `${aheadOfBystander} of the flood's hashes went before the bystander (at most ${bound})`);
    assert.ok(flooded.filter((r) => r.status === 429).length >= 100, 'most of the flood was refused before any hash');
    await assertServerUp(gw);
  });

  it('wrong camera keys sent at once are all counted: the address is blocked after ten', async () => {
    const sockets = Array.from({ length: 30 }, (_, i) => openSocket(gw.url, { role: 'camera', protocol: 1, apiKey: `vk_burst${i}${'x'.repeat(36)}` }));
    const codes = await Promise.all(sockets.map((socket) => handshakeRefusal(socket)));
    for (const socket of sockets) socket.close();
    assert.equal(codes.filter((c) => c === 'KEY_INVALID').length, 10, codes.join(' '));
    assert.equal(codes.filter((c) => c === 'RATE_LIMITED').length, 20);
    await assertServerUp(gw);
  });
});
