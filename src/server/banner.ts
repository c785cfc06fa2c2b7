import { hostname, networkInterfaces } from 'node:os';
import type { AddressInfo } from 'node:net';
import type { TlsMaterial } from './tls/ensureCertificate.ts';

/** Every URL a person can open to reach the gateway, loopback first. */
export function accessUrls(address: AddressInfo): string[] {
  const wildcard = address.address === '0.0.0.0' || address.address === '::';
  const hosts = wildcard ? ['localhost'] : [address.address.includes(':') ? `[${address.address}]` : address.address];
  if (wildcard) {
    for (const addresses of Object.values(networkInterfaces())) {
      for (const entry of addresses ?? []) {
        if (entry.internal || (address.address === '0.0.0.0' && entry.family !== 'IPv4')) continue;
        if (entry.family === 'IPv6' && entry.address.startsWith('fe80')) continue;
        hosts.push(entry.family === 'IPv6' ? `[${entry.address}]` : entry.address);
      }
    }
  }
  return hosts.map((host) => `https://${host}:${address.port}`);
}

export interface FirstAdmin {
  username: string;
  password: string;
  generated: boolean;
}

/** Printed once, at the start that created the first admin; never logged. */
function firstAdminLines(admin: FirstAdmin | null): string[] {
  if (!admin) return [' Sign in:    /login.html (people: Admin page; CLI: npm run vigil -- user …)'];
  return admin.generated
    ? [
      ` First admin: ${admin.username}  password: ${admin.password}`,
      '   (shown only now: sign in and change it, or set VIGIL_ADMIN_PASSWORD before the first start)',
    ]
    : [` First admin: ${admin.username} (password from VIGIL_ADMIN_PASSWORD)`];
}

export function renderBanner(address: AddressInfo, tls: TlsMaterial, webBundle: boolean, firstAdmin: FirstAdmin | null = null): string {
  const rule = '='.repeat(60);
  const tlsLine = {
    configured: `enabled (certificate ${tls.path})`,
    generated: `enabled (self-signed certificate created in ${tls.path})`,
    reused: `enabled (self-signed certificate ${tls.path})`,
  }[tls.origin];
  return [
    rule,
    ' Vigil — WebRTC surveillance gateway',
    rule,
    ` Hostname:   ${hostname()}`,
    ` Listening:  ${address.address}:${address.port}`,
    '',
    ' Access URLs:',
    ...accessUrls(address).map((url) => `   • ${url}`),
    '   (camera node page: /camera.html)',
    '',
    ...firstAdminLines(firstAdmin),
    '',
    ` TLS:        ${tlsLine}`,
    ` WebSocket:  ready (wss, Socket.IO)`,
    ` Web bundle: ${webBundle ? 'served' : 'NOT BUILT — run npm run build'}`,
    rule,
    '',
  ].join('\n');
}
