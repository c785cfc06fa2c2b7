import type { IncomingMessage } from 'node:http';
import { isIPv4, isIPv6 } from 'node:net';
import proxyAddr from '@fastify/proxy-addr';

export type AddressOf = (request: IncomingMessage) => string;

/**
 * The client's address as the audit trail and the rate limits must see it. Behind nginx the
 * socket's peer is the proxy; only a proxy listed in `trustedProxies` is believed about the
 * client (`X-Forwarded-For`), so a client cannot forge its own address.
 */
export function clientAddressResolver(trustedProxies: readonly string[]): AddressOf {
  if (trustedProxies.length === 0) return (request) => request.socket.remoteAddress ?? '';
  const trust = proxyAddr.compile([...trustedProxies]);
  return (request) => proxyAddr(request, trust);
}

/** The eight 16-bit groups of an IPv6 address, `::` expanded. */
function ipv6Groups(address: string): string[] {
  const [head, tail] = address.split('::') as [string, string | undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const missing = tail === undefined ? 0 : 8 - left.length - right.length;
  return [...left, ...Array<string>(missing).fill('0'), ...right];
}

/**
 * The source that limits and denial summaries count by: an IPv4 address (also when written as
 * `::ffff:a.b.c.d`), or the /64 an IPv6 address lies in — one subscriber's network, which hands
 * its hosts any of 2^64 addresses, so counting single IPv6 addresses would count nothing.
 * @example addressSource('::ffff:192.0.2.7') // '192.0.2.7'
 * @example addressSource('2001:db8:1:2:aaaa::1') // '2001:db8:1:2::/64'
 */
export function addressSource(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (mapped && isIPv4(mapped)) return mapped;
  const bare = address.split('%')[0]!;
  if (!isIPv6(bare) || bare.includes('.')) return address;
  const prefix = ipv6Groups(bare.toLowerCase()).slice(0, 4).map((group) => group.replace(/^0+(?=.)/, ''));
  return `${prefix.join(':')}::/64`;
}
