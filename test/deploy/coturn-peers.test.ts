import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { issueTurnCredentials } from '../../src/server/turn/turnCredentials.ts';
import { startCoturn, type Coturn } from '../support/coturn.ts';
import { TurnClient } from '../support/turnClient.ts';

/**
 * deploy/coturn.conf in Debian's coturn, asked by a TURN client for permissions towards peers:
 * the relay must not be a way into the city's own network (Debian's coturn 4.6.1 predates the
 * 2026 peer-filter fixes, so our file lists the ranges itself), and one user cannot open
 * unlimited relays. No packet is sent to any peer: the refusal is coturn's answer to the request.
 */
const SECRET = 'coturn-peers-test-secret-0123456789';
const PRIVATE_PEERS = {
  'RFC 1918 10/8': '10.1.2.3',
  'RFC 1918 172.16/12': '172.16.5.4',
  'RFC 1918 192.168/16': '192.168.1.1',
  'carrier-grade NAT 100.64/10': '100.64.0.1',
  'link-local, cloud metadata': '169.254.169.254',
  loopback: '127.0.0.1',
  'this network 0/8': '0.1.2.3',
  multicast: '224.0.0.1',
};
const PUBLIC_PEER = '9.9.9.9';

function credentials(user: string) {
  const { iceServers } = issueTurnCredentials({ secret: SECRET, ttlSeconds: 600, userId: user, urls: ['turn:127.0.0.1'] });
  return { username: iceServers[0]!.username!, password: iceServers[0]!.credential! };
}

async function permissionsOn(coturn: Coturn, peers: Record<string, string>): Promise<Record<string, number | 'granted'>> {
  const client = await TurnClient.open(coturn.port);
  try {
    const { username, password } = credentials('peers');
    const allocated = await client.allocate(username, password);
    assert.equal(allocated.outcome, 'success', `allocation refused: ${allocated.code} ${allocated.reason}`);
    const answers: Record<string, number | 'granted'> = {};
    for (const [name, ip] of Object.entries(peers)) {
      const reply = await client.permit(ip);
      answers[name] = reply.outcome === 'success' ? 'granted' : reply.code!;
    }
    return answers;
  } finally {
    client.close();
  }
}

describe('deploy/coturn.conf in the real coturn', () => {
  let coturn: Coturn;
  before(async () => { coturn = await startCoturn(SECRET); });
  after(async () => { await coturn?.stop(); });

  it('refuses permissions towards private, loopback, link-local and CGNAT peers, and grants a public one', async () => {
    const answers = await permissionsOn(coturn, { ...PRIVATE_PEERS, public: PUBLIC_PEER });
    const expected = Object.fromEntries([...Object.keys(PRIVATE_PEERS).map((name) => [name, 403]), ['public', 'granted']]);
    assert.deepEqual(answers, expected);
  });

  it('caps one user at its quota of allocations (user-quota=12)', async () => {
    const { username, password } = credentials('greedy');
    const clients = await Promise.all(Array.from({ length: 13 }, () => TurnClient.open(coturn.port)));
    try {
      const replies = [];
      for (const client of clients) replies.push(await client.allocate(username, password));
      assert.deepEqual(replies.slice(0, 12).map((r) => r.outcome), Array(12).fill('success'));
      assert.deepEqual([replies[12]!.outcome, replies[12]!.code], ['error', 486], 'the thirteenth is refused: Allocation Quota Reached');
      // Another user is not affected by the greedy one.
      const other = await TurnClient.open(coturn.port);
      const { username: u2, password: p2 } = credentials('someone-else');
      assert.equal((await other.allocate(u2, p2)).outcome, 'success');
      other.close();
    } finally {
      for (const client of clients) client.close();
    }
  });
});

describe('coturn without our denied-peer-ip lines (the control)', () => {
  let coturn: Coturn;
  before(async () => { coturn = await startCoturn(SECRET, [], /^denied-peer-ip=/); });
  after(async () => { await coturn?.stop(); });

  it('would relay into 10/8, 172.16/12 and 192.168/16: those lines are what stops it', async () => {
    const rfc1918 = { '10/8': PRIVATE_PEERS['RFC 1918 10/8'], '172.16/12': PRIVATE_PEERS['RFC 1918 172.16/12'], '192.168/16': PRIVATE_PEERS['RFC 1918 192.168/16'] };
    assert.deepEqual(await permissionsOn(coturn, rfc1918), { '10/8': 'granted', '172.16/12': 'granted', '192.168/16': 'granted' });
  });
});
