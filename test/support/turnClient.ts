import { createHash, createHmac, randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { isIPv4, isIPv6 } from 'node:net';

/**
 * Just enough of a TURN client (RFC 5766 over UDP, long-term credentials) to ask a real coturn
 * for an allocation and for permissions towards peers, and read its answers: what the relay
 * refuses is then known without sending a packet to the peer. The allocation is IPv4 unless an
 * IPv6 relay is asked for (RFC 6156 REQUESTED-ADDRESS-FAMILY): coturn answers 443 (Peer Address
 * Family Mismatch) to a permission whose peer is not of the relay's family, before it looks at
 * its denied-peer-ip lines, so IPv6 peers are only meaningful on an IPv6 allocation.
 */
const MAGIC_COOKIE = 0x2112a442;
const METHOD = { allocate: 0x003, createPermission: 0x008 } as const;
const ATTR = {
  username: 0x0006, messageIntegrity: 0x0008, errorCode: 0x0009, realm: 0x0014, nonce: 0x0015,
  xorPeerAddress: 0x0012, xorRelayedAddress: 0x0016, requestedAddressFamily: 0x0017,
  requestedTransport: 0x0019, fingerprint: 0x8028,
} as const;
/** Address family codes of (XOR-)address attributes and REQUESTED-ADDRESS-FAMILY. */
const FAMILY = { ipv4: 0x01, ipv6: 0x02 } as const;
export type AddressFamily = keyof typeof FAMILY;

export interface TurnReply {
  /** 'success' or 'error', from the message class. */
  outcome: 'success' | 'error';
  /** ERROR-CODE as a number (403, 486…), null on success. */
  code: number | null;
  reason: string;
  /** XOR-RELAYED-ADDRESS of a successful Allocate (`127.0.0.1:49200`, `[0:0:0:0:0:0:0:1]:49200`), else null. */
  relayed: string | null;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(data: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of data) crc = CRC_TABLE[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function attribute(type: number, value: Buffer): Buffer {
  const header = Buffer.alloc(4);
  header.writeUInt16BE(type, 0);
  header.writeUInt16BE(value.length, 2);
  return Buffer.concat([header, value, Buffer.alloc((4 - (value.length % 4)) % 4)]);
}

function ipv4Bytes(ip: string): Buffer {
  return Buffer.from(ip.split('.').map(Number));
}

/** The 16 bytes of an IPv6 address in any RFC 4291 text form (`::`, embedded dotted IPv4). */
function ipv6Bytes(ip: string): Buffer {
  if (!isIPv6(ip) || ip.includes('%')) throw new TypeError(`not an IPv6 address: ${ip}`);
  const groups = (text: string): number[] => {
    if (text === '') return [];
    const parts = text.split(':');
    const last = parts[parts.length - 1]!;
    const tail = last.includes('.') ? [...ipv4Bytes(parts.pop()!)] : [];
    const words = parts.map((part) => Number.parseInt(part, 16));
    return tail.length ? [...words, (tail[0]! << 8) | tail[1]!, (tail[2]! << 8) | tail[3]!] : words;
  };
  const [head, rest] = ip.split('::') as [string, string | undefined];
  const left = groups(head);
  const right = rest === undefined ? [] : groups(rest);
  const words = rest === undefined ? left : [...left, ...Array(8 - left.length - right.length).fill(0), ...right];
  if (words.length !== 8) throw new TypeError(`not an IPv6 address: ${ip}`);
  const bytes = Buffer.alloc(16);
  words.forEach((word, i) => bytes.writeUInt16BE(word, i * 2));
  return bytes;
}

/**
 * XOR-PEER-ADDRESS (RFC 5389 15.2) for port 9: the port is XORed with the cookie's high half, an
 * IPv4 address with the cookie, an IPv6 address with the cookie followed by the transaction id.
 */
function xorPeerAddress(ip: string, transaction: Buffer): Buffer {
  const ipv6 = !isIPv4(ip);
  const address = ipv6 ? ipv6Bytes(ip) : ipv4Bytes(ip);
  const value = Buffer.alloc(4 + address.length);
  value.writeUInt8(ipv6 ? FAMILY.ipv6 : FAMILY.ipv4, 1);
  value.writeUInt16BE(9 ^ (MAGIC_COOKIE >>> 16), 2);
  const mask = Buffer.concat([Buffer.from([0x21, 0x12, 0xa4, 0x42]), transaction]);
  address.forEach((byte, i) => value.writeUInt8(byte ^ mask[i]!, 4 + i));
  return value;
}

/** Reads an XOR-MAPPED/RELAYED/PEER-ADDRESS back (the inverse of `xorPeerAddress`). */
function readXorAddress(value: Buffer, transaction: Buffer): string {
  const mask = Buffer.concat([Buffer.from([0x21, 0x12, 0xa4, 0x42]), transaction]);
  const port = value.readUInt16BE(2) ^ (MAGIC_COOKIE >>> 16);
  const address = Buffer.from(value.subarray(4).map((byte, i) => byte ^ mask[i]!));
  if (value.readUInt8(1) === FAMILY.ipv4) return `${[...address].join('.')}:${port}`;
  const words = Array.from({ length: 8 }, (_, i) => address.readUInt16BE(i * 2).toString(16));
  return `[${words.join(':')}]:${port}`;
}

interface Auth { username: string; realm: string; nonce: string; key: Buffer }

/** A request with the given attributes, signed (MESSAGE-INTEGRITY) when `auth` is given, with a FINGERPRINT. */
function request(method: number, attributes: Buffer[], auth: Auth | null, transaction = randomBytes(12)): Buffer {
  const header = Buffer.alloc(20);
  header.writeUInt16BE(method, 0); // class "request" is 0b00
  header.writeUInt32BE(MAGIC_COOKIE, 4);
  transaction.copy(header, 8);
  let body = Buffer.concat([
    ...attributes,
    ...(auth ? [attribute(ATTR.username, Buffer.from(auth.username)), attribute(ATTR.realm, Buffer.from(auth.realm)), attribute(ATTR.nonce, Buffer.from(auth.nonce))] : []),
  ]);
  if (auth) {
    header.writeUInt16BE(body.length + 24, 2); // the length counts the integrity attribute being added
    const mac = createHmac('sha1', auth.key).update(Buffer.concat([header, body])).digest();
    body = Buffer.concat([body, attribute(ATTR.messageIntegrity, mac)]);
  }
  header.writeUInt16BE(body.length + 8, 2);
  const fingerprint = Buffer.alloc(4);
  fingerprint.writeUInt32BE((crc32(Buffer.concat([header, body])) ^ 0x5354554e) >>> 0);
  return Buffer.concat([header, body, attribute(ATTR.fingerprint, fingerprint)]);
}

function parse(message: Buffer): { outcome: 'success' | 'error'; attributes: Map<number, Buffer>; transaction: Buffer } {
  const type = message.readUInt16BE(0);
  const attributes = new Map<number, Buffer>();
  for (let offset = 20; offset + 4 <= message.length;) {
    const attrType = message.readUInt16BE(offset);
    const length = message.readUInt16BE(offset + 2);
    attributes.set(attrType, message.subarray(offset + 4, offset + 4 + length));
    offset += 4 + length + ((4 - (length % 4)) % 4);
  }
  return { outcome: (type & 0x0110) === 0x0110 ? 'error' : 'success', attributes, transaction: message.subarray(8, 20) };
}

function replyOf(parsed: ReturnType<typeof parse>): TurnReply {
  const error = parsed.attributes.get(ATTR.errorCode);
  const relayed = parsed.attributes.get(ATTR.xorRelayedAddress);
  return {
    outcome: parsed.outcome,
    code: error ? (error.readUInt8(2) & 0x07) * 100 + error.readUInt8(3) : null,
    reason: error ? error.subarray(4).toString('utf8') : '',
    relayed: relayed ? readXorAddress(relayed, parsed.transaction) : null,
  };
}

export class TurnClient {
  readonly #socket: Socket;
  #auth: Auth | null = null;

  private constructor(socket: Socket, private readonly port: number) {
    this.#socket = socket;
  }

  /** A client on its own UDP port (coturn tells allocations apart by the client's address and port). */
  static async open(port: number): Promise<TurnClient> {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    return new TurnClient(socket, port);
  }

  /**
   * Allocate with TURN REST credentials: the first request learns the realm and nonce from the
   * 401, the second is signed with MD5(username:realm:password). `family` 'ipv6' asks for an IPv6
   * relay (REQUESTED-ADDRESS-FAMILY 0x02); without it coturn allocates IPv4 (its default).
   */
  async allocate(username: string, password: string, family?: AddressFamily): Promise<TurnReply> {
    const attributes = [attribute(ATTR.requestedTransport, Buffer.from([17, 0, 0, 0]))];
    if (family) attributes.push(attribute(ATTR.requestedAddressFamily, Buffer.from([FAMILY[family], 0, 0, 0])));
    const challenge = parse(await this.#send(request(METHOD.allocate, attributes, null)));
    const realm = challenge.attributes.get(ATTR.realm)?.toString('utf8');
    const nonce = challenge.attributes.get(ATTR.nonce)?.toString('utf8');
    if (!realm || !nonce) return replyOf(challenge);
    this.#auth = { username, realm, nonce, key: createHash('md5').update(`${username}:${realm}:${password}`).digest() };
    return replyOf(parse(await this.#send(request(METHOD.allocate, attributes, this.#auth))));
  }

  /** CreatePermission for an IPv4 or IPv6 peer on the allocation made by `allocate`. */
  async permit(peerIp: string): Promise<TurnReply> {
    if (!this.#auth) throw new TypeError('allocate first');
    const transaction = randomBytes(12);
    const peer = attribute(ATTR.xorPeerAddress, xorPeerAddress(peerIp, transaction));
    return replyOf(parse(await this.#send(request(METHOD.createPermission, [peer], this.#auth, transaction))));
  }

  close(): void {
    this.#socket.close();
  }

  #send(message: Buffer): Promise<Buffer> {
    const transaction = message.subarray(8, 20);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#socket.off('message', onMessage);
        reject(new Error('coturn did not answer within 2 s'));
      }, 2_000);
      const onMessage = (reply: Buffer) => {
        if (reply.length < 20 || !reply.subarray(8, 20).equals(transaction)) return;
        clearTimeout(timer);
        this.#socket.off('message', onMessage);
        resolve(reply);
      };
      this.#socket.on('message', onMessage);
      this.#socket.send(message, this.port, '127.0.0.1');
    });
  }
}
