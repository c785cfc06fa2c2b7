import { createHash, createHmac, randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { isIPv4 } from 'node:net';

/**
 * Just enough of a TURN client (RFC 5766 over UDP, long-term credentials) to ask a real coturn
 * for an allocation and for permissions towards peers, and read its answers: what the relay
 * refuses is then known without sending a packet to the peer.
 */
const MAGIC_COOKIE = 0x2112a442;
const METHOD = { allocate: 0x003, createPermission: 0x008 } as const;
const ATTR = {
  username: 0x0006, messageIntegrity: 0x0008, errorCode: 0x0009, realm: 0x0014, nonce: 0x0015,
  xorPeerAddress: 0x0012, requestedTransport: 0x0019, fingerprint: 0x8028,
} as const;

export interface TurnReply {
  /** 'success' or 'error', from the message class. */
  outcome: 'success' | 'error';
  /** ERROR-CODE as a number (403, 486…), null on success. */
  code: number | null;
  reason: string;
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

function xorPeerAddress(ip: string): Buffer {
  if (!isIPv4(ip)) throw new TypeError('IPv4 peers only: the test allocations are IPv4');
  const value = Buffer.alloc(8);
  value.writeUInt8(0x01, 1);
  value.writeUInt16BE(9 ^ (MAGIC_COOKIE >>> 16), 2);
  const address = ip.split('.').reduce((n, octet) => ((n << 8) | Number(octet)) >>> 0, 0);
  value.writeUInt32BE((address ^ MAGIC_COOKIE) >>> 0, 4);
  return value;
}

interface Auth { username: string; realm: string; nonce: string; key: Buffer }

/** A request with the given attributes, signed (MESSAGE-INTEGRITY) when `auth` is given, with a FINGERPRINT. */
function request(method: number, attributes: Buffer[], auth: Auth | null): Buffer {
  const header = Buffer.alloc(20);
  header.writeUInt16BE(method, 0); // class "request" is 0b00
  header.writeUInt32BE(MAGIC_COOKIE, 4);
  randomBytes(12).copy(header, 8);
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

function parse(message: Buffer): { outcome: 'success' | 'error'; attributes: Map<number, Buffer> } {
  const type = message.readUInt16BE(0);
  const attributes = new Map<number, Buffer>();
  for (let offset = 20; offset + 4 <= message.length;) {
    const attrType = message.readUInt16BE(offset);
    const length = message.readUInt16BE(offset + 2);
    attributes.set(attrType, message.subarray(offset + 4, offset + 4 + length));
    offset += 4 + length + ((4 - (length % 4)) % 4);
  }
  return { outcome: (type & 0x0110) === 0x0110 ? 'error' : 'success', attributes };
}

function replyOf(parsed: ReturnType<typeof parse>): TurnReply {
  const error = parsed.attributes.get(ATTR.errorCode);
  return {
    outcome: parsed.outcome,
    code: error ? (error.readUInt8(2) & 0x07) * 100 + error.readUInt8(3) : null,
    reason: error ? error.subarray(4).toString('utf8') : '',
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
   * 401, the second is signed with MD5(username:realm:password).
   */
  async allocate(username: string, password: string): Promise<TurnReply> {
    const transport = attribute(ATTR.requestedTransport, Buffer.from([17, 0, 0, 0]));
    const challenge = parse(await this.#send(request(METHOD.allocate, [transport], null)));
    const realm = challenge.attributes.get(ATTR.realm)?.toString('utf8');
    const nonce = challenge.attributes.get(ATTR.nonce)?.toString('utf8');
    if (!realm || !nonce) return replyOf(challenge);
    this.#auth = { username, realm, nonce, key: createHash('md5').update(`${username}:${realm}:${password}`).digest() };
    return replyOf(parse(await this.#send(request(METHOD.allocate, [transport], this.#auth))));
  }

  /** CreatePermission for an IPv4 peer on the allocation made by `allocate`. */
  async permit(peerIp: string): Promise<TurnReply> {
    if (!this.#auth) throw new TypeError('allocate first');
    return replyOf(parse(await this.#send(request(METHOD.createPermission, [attribute(ATTR.xorPeerAddress, xorPeerAddress(peerIp))], this.#auth))));
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
