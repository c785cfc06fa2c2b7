import { randomUUID } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { networkInterfaces } from 'node:os';
import { parseStringPromise, processors } from 'xml2js';
import type { DiscoveredCamera, NetworkInterfaceView } from '../../shared/index.ts';
import { CameraFault } from './probeCamera.ts';

/** WS-Discovery's multicast group and port (IPv4). */
const GROUP = '239.255.255.250';
const PORT = 3702;

/** The interfaces discovery can probe on: up, IPv4, not loopback (a camera is never on lo). */
export function discoveryInterfaces(): NetworkInterfaceView[] {
  return Object.entries(networkInterfaces()).flatMap(([name, addresses]) => {
    const v4 = addresses?.find((a) => a.family === 'IPv4' && !a.internal);
    return v4 ? [{ name, address: v4.address }] : [];
  });
}

const probe = (messageId: string) => `<?xml version="1.0" encoding="UTF-8"?>
<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope" xmlns:w="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery" xmlns:dn="http://www.onvif.org/ver10/network/wsdl">
<e:Header><w:MessageID>${messageId}</w:MessageID><w:To>urn:schemas-xmlsoap-org:ws:2005:04:discovery</w:To><w:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe</w:Action></e:Header>
<e:Body><d:Probe><d:Types>dn:NetworkVideoTransmitter</d:Types></d:Probe></e:Body></e:Envelope>`;

type Node = Record<string, unknown>;
const first = (node: unknown, key: string): unknown => (node as Node | undefined)?.[key] !== undefined ? ((node as Node)[key] as unknown[])[0] : undefined;
const text = (node: unknown): string => (typeof node === 'string' ? node : typeof (node as Node | undefined)?._ === 'string' ? String((node as Node)._) : '');

/** A scope `onvif://www.onvif.org/<kind>/<value>`'s value (percent-decoded), e.g. name, hardware. */
function scope(scopes: string[], kind: string): string | null {
  const prefix = `onvif://www.onvif.org/${kind}/`;
  const found = scopes.find((s) => s.startsWith(prefix));
  if (!found) return null;
  try {
    return decodeURIComponent(found.slice(prefix.length)).replaceAll('_', ' ');
  } catch {
    return found.slice(prefix.length);
  }
}

/** A ProbeMatch that answers our probe, as the admin page lists it; null for anything else. */
async function matchOf(message: Buffer, messageId: string, from: string): Promise<DiscoveredCamera | null> {
  const envelope = await parseStringPromise(message.toString('utf8'), { tagNameProcessors: [processors.stripPrefix] }).catch(() => null) as Node | null;
  const root = envelope?.Envelope;
  if (text(first(first(root, 'Header'), 'RelatesTo')).trim() !== messageId) return null;
  const match = first(first(first(root, 'Body'), 'ProbeMatches'), 'ProbeMatch');
  if (!match) return null;
  const xaddrs = text(first(match, 'XAddrs')).trim().split(/\s+/).filter(Boolean);
  // The device service URL on the address that answered (a camera may list one per interface).
  const urls = xaddrs.flatMap((x) => { try { return [new URL(x)]; } catch { return []; } }).filter((u) => u.protocol === 'http:' || u.protocol === 'https:');
  const url = urls.find((u) => u.hostname === from) ?? urls[0];
  if (!url) return null;
  const scopes = text(first(match, 'Scopes')).trim().split(/\s+/);
  return {
    urn: text(first(first(match, 'EndpointReference'), 'Address')).trim() || null,
    host: url.hostname,
    port: Number(url.port || (url.protocol === 'https:' ? 443 : 80)),
    name: scope(scopes, 'name'),
    hardware: scope(scopes, 'hardware'),
    location: scope(scopes, 'location'),
  };
}

/**
 * Asks the network behind one interface which ONVIF cameras are there (WS-Discovery Probe for
 * NetworkVideoTransmitter, multicast from that interface only, TTL 1), and lists those that answer
 * within `timeoutMs`: each once, with where its device service is and what its scopes say it is.
 */
export async function discoverOnvif(interfaceName: string, timeoutMs = 3_000): Promise<DiscoveredCamera[]> {
  const chosen = discoveryInterfaces().find((i) => i.name === interfaceName);
  if (!chosen) throw new CameraFault('unreachable', `No interface named ${interfaceName} with an IPv4 address.`);
  const messageId = `urn:uuid:${randomUUID()}`;
  const socket = createSocket({ type: 'udp4' });
  const found = new Map<string, DiscoveredCamera>();
  const pending: Promise<void>[] = [];
  socket.on('message', (message, from) => {
    pending.push(matchOf(message, messageId, from.address).then((camera) => {
      if (camera && !found.has(camera.urn ?? `${camera.host}:${camera.port}`)) found.set(camera.urn ?? `${camera.host}:${camera.port}`, camera);
    }));
  });
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, chosen.address, () => resolve());
    });
    socket.setMulticastInterface(chosen.address);
    socket.setMulticastTTL(1);
    const request = Buffer.from(probe(messageId));
    // UDP may drop one: the probe is sent twice, as WS-Discovery clients do.
    for (const delay of [0, 200]) {
      await new Promise((resolve) => setTimeout(resolve, delay));
      await new Promise<void>((resolve, reject) => socket.send(request, PORT, GROUP, (error) => (error ? reject(error) : resolve())));
    }
    await new Promise((resolve) => setTimeout(resolve, timeoutMs));
    await Promise.all(pending);
    return [...found.values()].sort((a, b) => a.host.localeCompare(b.host, undefined, { numeric: true }));
  } catch (error) {
    if (error instanceof CameraFault) throw error;
    throw new CameraFault('unreachable', `Discovery on ${interfaceName} failed: ${(error as Error).message}`);
  } finally {
    socket.close();
  }
}
