import type { IncomingMessage } from 'node:http';
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
