/**
 * An ONVIF camera's WS-Discovery side, for tests: joins 239.255.255.250:3702 on one address and
 * answers a Probe for NetworkVideoTransmitter with a ProbeMatch (its device service URL and
 * scopes), as a camera does. Run inside a network namespace (multicast never leaves it):
 *   node --import tsx wsDiscoveryResponder.ts <address> <deviceServiceUrl> <name> <hardware>
 * Prints "ready" once it listens; logs "probe from <address>" for each probe it answers.
 */
import { randomUUID } from 'node:crypto';
import { createSocket } from 'node:dgram';

const [address, xaddr, name, hardware] = process.argv.slice(2) as [string, string, string, string];
const urn = `urn:uuid:${randomUUID()}`;
const socket = createSocket({ type: 'udp4', reuseAddr: true });

const scopes = [
  'onvif://www.onvif.org/type/video_encoder', 'onvif://www.onvif.org/Profile/Streaming',
  `onvif://www.onvif.org/name/${encodeURIComponent(name)}`, `onvif://www.onvif.org/hardware/${encodeURIComponent(hardware)}`,
  'onvif://www.onvif.org/location/city/Test',
].join(' ');

const match = (relatesTo: string) => `<?xml version="1.0" encoding="UTF-8"?>
<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://www.w3.org/2003/05/soap-envelope" xmlns:wsa="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery" xmlns:dn="http://www.onvif.org/ver10/network/wsdl">
<SOAP-ENV:Header><wsa:MessageID>urn:uuid:${randomUUID()}</wsa:MessageID><wsa:RelatesTo>${relatesTo}</wsa:RelatesTo><wsa:To>http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</wsa:To><wsa:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/ProbeMatches</wsa:Action></SOAP-ENV:Header>
<SOAP-ENV:Body><d:ProbeMatches><d:ProbeMatch><wsa:EndpointReference><wsa:Address>${urn}</wsa:Address></wsa:EndpointReference><d:Types>dn:NetworkVideoTransmitter</d:Types><d:Scopes>${scopes}</d:Scopes><d:XAddrs>${xaddr}</d:XAddrs><d:MetadataVersion>1</d:MetadataVersion></d:ProbeMatch></d:ProbeMatches></SOAP-ENV:Body></SOAP-ENV:Envelope>`;

socket.on('message', (message, from) => {
  const text = message.toString('utf8');
  if (!/<(?:\w+:)?Probe[\s>]/.test(text) || !text.includes('NetworkVideoTransmitter')) return;
  const messageId = text.match(/<(?:\w+:)?MessageID[^>]*>([^<]+)</)?.[1];
  if (!messageId) return;
  console.log(`probe from ${from.address}`);
  socket.send(match(messageId.trim()), from.port, from.address);
});
socket.bind(3702, () => {
  socket.addMembership('239.255.255.250', address);
  console.log('ready');
});
process.on('SIGTERM', () => socket.close(() => process.exit(0)));
