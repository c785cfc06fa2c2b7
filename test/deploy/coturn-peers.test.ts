import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { issueTurnCredentials } from '../../src/server/turn/turnCredentials.ts';
import { startCoturn, type Coturn } from '../support/coturn.ts';
import { TurnClient, type AddressFamily } from '../support/turnClient.ts';

/**
 * deploy/coturn.conf in Debian's coturn, asked by a TURN client for permissions towards peers:
 * the relay must not be a way into the city's own network (Debian's coturn 4.6.1 predates the
 * 2026 peer-filter fixes, so our file lists the ranges itself), and one user cannot open
 * unlimited relays. No packet is sent to any peer: the refusal is coturn's answer to the request.
 * IPv6 peers are asked on an IPv6 allocation (relayed on ::1): on an IPv4 one coturn answers 443
 * Peer Address Family Mismatch before it looks at any denied-peer-ip line.
 */
const SECRET = 'coturn-peers-test-secret-0123456789';
/**
 * A second relay address, on IPv6 loopback: coturn still allocates IPv4 unless the client asks
 * for IPv6 (REQUESTED-ADDRESS-FAMILY), and only an IPv6 allocation may have IPv6 peers.
 */
const IPV6_RELAY = ['relay-ip=::1'];
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
/** One address of every special-purpose IPv6 form that reaches IPv4 or non-public space. */
const SPECIAL_IPV6_PEERS = {
  'IPv4-mapped RFC 1918': '::ffff:10.0.0.1',
  'IPv4-mapped loopback': '::ffff:127.0.0.1',
  'IPv4-mapped cloud metadata': '::ffff:169.254.169.254',
  'IPv4-compatible RFC 1918': '::10.0.0.1',
  // coturn 4.6 compares IPv6 bytes one by one: a range ::1-::ffff:ffff would let this one by.
  'IPv4-compatible ending in a zero byte': '::10.0.0.0',
  'IPv4-compatible loopback': '::127.0.0.1',
  'IPv4-translated RFC 1918': '::ffff:0:10.0.0.1',
  'NAT64 well-known, RFC 1918': '64:ff9b::10.0.0.1',
  'NAT64 well-known, cloud metadata': '64:ff9b::a9fe:a9fe',
  'NAT64 local-use 64:ff9b:1::/48': '64:ff9b:1::a00:1',
  '6to4 of 10.0.0.1': '2002:0a00:0001::1',
  '6to4 of 192.168.1.1': '2002:c0a8:0101::1',
  'Teredo 2001::/32': '2001:0::1',
  'site-local fec0::/10': 'fec0::1',
  'unique-local fc00::/7': 'fd00::1',
  'unique-local, EC2 metadata': 'fd00:ec2::254',
  'link-local fe80::/10': 'fe80::1',
  'documentation 2001:db8::/32': '2001:db8::1',
  'documentation 3fff::/20': '3fff::1',
  loopback: '::1',
  unspecified: '::',
  'multicast link-local': 'ff02::1',
  'multicast global': 'ff0e::1',
  'discard 100::/64': '100::1',
  'SRv6 segment identifiers 5f00::/16': '5f00::1',
};
/** Quad9's resolver. */
const PUBLIC_IPV6_PEER = '2620:fe::fe';

function credentials(user: string) {
  const { iceServers } = issueTurnCredentials({ secret: SECRET, ttlSeconds: 600, userId: user, urls: ['turn:127.0.0.1'] });
  return { username: iceServers[0]!.username!, password: iceServers[0]!.credential! };
}

/** coturn's answer to CreatePermission towards each peer, on one allocation of the given family. */
async function permissionsOn(coturn: Coturn, peers: Record<string, string>, family: AddressFamily = 'ipv4'): Promise<Record<string, number | 'granted'>> {
  const client = await TurnClient.open(coturn.port);
  try {
    const { username, password } = credentials('peers');
    const allocated = await client.allocate(username, password, family);
    assert.equal(allocated.outcome, 'success', `${family} allocation refused: ${allocated.code} ${allocated.reason} (an IPv6 relay needs ::1 on this host)`);
    assert.equal(allocated.relayed?.startsWith('['), family === 'ipv6', `relayed on ${allocated.relayed}, asked for ${family}`);
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
  before(async () => { coturn = await startCoturn(SECRET, IPV6_RELAY); });
  after(async () => { await coturn?.stop(); });

  it('refuses permissions towards private, loopback, link-local and CGNAT peers, and grants a public one', async () => {
    // The public one also shows that no IPv6 line starts at `::`, which coturn would apply to every IPv4 peer.
    const answers = await permissionsOn(coturn, { ...PRIVATE_PEERS, public: PUBLIC_PEER });
    const expected = Object.fromEntries([...Object.keys(PRIVATE_PEERS).map((name) => [name, 403]), ['public', 'granted']]);
    assert.deepEqual(answers, expected);
  });

  it('refuses permissions towards every special-purpose IPv6 form, and grants a public IPv6 peer', async () => {
    const answers = await permissionsOn(coturn, { ...SPECIAL_IPV6_PEERS, public: PUBLIC_IPV6_PEER }, 'ipv6');
    const expected = Object.fromEntries([...Object.keys(SPECIAL_IPV6_PEERS).map((name) => [name, 403]), ['public', 'granted']]);
    assert.deepEqual(answers, expected);
  });

  it('answers an IPv6 peer on an IPv4 allocation with 443 (family mismatch), not a filter verdict', async () => {
    // Why the IPv6 cases above allocate on IPv6: here coturn never reaches its denied-peer-ip lines.
    const answers = await permissionsOn(coturn, { public: PUBLIC_IPV6_PEER, 'IPv4-mapped': SPECIAL_IPV6_PEERS['IPv4-mapped RFC 1918'] });
    assert.deepEqual(answers, { public: 443, 'IPv4-mapped': 443 });
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

describe('deploy/coturn.conf without no-multicast-peers', () => {
  let coturn: Coturn;
  before(async () => { coturn = await startCoturn(SECRET, IPV6_RELAY, /^no-multicast-peers$/); });
  after(async () => { await coturn?.stop(); });

  it('still refuses multicast peers: the 224/4 and ff00::/8 lines hold on their own', async () => {
    assert.deepEqual(await permissionsOn(coturn, { multicast: PRIVATE_PEERS.multicast }), { multicast: 403 });
    const ipv6 = { 'link-local': SPECIAL_IPV6_PEERS['multicast link-local'], global: SPECIAL_IPV6_PEERS['multicast global'] };
    assert.deepEqual(await permissionsOn(coturn, ipv6, 'ipv6'), { 'link-local': 403, global: 403 });
  });
});

describe('coturn without our denied-peer-ip lines (the control)', () => {
  let coturn: Coturn;
  before(async () => { coturn = await startCoturn(SECRET, IPV6_RELAY, /^denied-peer-ip=/); });
  after(async () => { await coturn?.stop(); });

  it('would relay into 10/8, 172.16/12 and 192.168/16: those lines are what stops it', async () => {
    const rfc1918 = { '10/8': PRIVATE_PEERS['RFC 1918 10/8'], '172.16/12': PRIVATE_PEERS['RFC 1918 172.16/12'], '192.168/16': PRIVATE_PEERS['RFC 1918 192.168/16'] };
    assert.deepEqual(await permissionsOn(coturn, rfc1918), { '10/8': 'granted', '172.16/12': 'granted', '192.168/16': 'granted' });
  });

  it('would relay towards the IPv6 forms of private IPv4 and to non-public IPv6: those lines are what stops it', async () => {
    // coturn 4.6.1 refuses only these by itself: ::1 (unless allow-loopback-peers), :: (always),
    // and multicast because the control keeps our no-multicast-peers. Its loopback check misses
    // ::ffff:127.0.0.1 and ::127.0.0.1, which it grants.
    const byCoturnItself = new Set(['loopback', 'unspecified', 'multicast link-local', 'multicast global']);
    const expected = Object.fromEntries(Object.keys(SPECIAL_IPV6_PEERS).map((name) => [name, byCoturnItself.has(name) ? 403 : 'granted']));
    assert.deepEqual(await permissionsOn(coturn, SPECIAL_IPV6_PEERS, 'ipv6'), expected);
  });
});
