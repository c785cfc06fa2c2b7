import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { FairQueue } from './FairQueue.ts';

/**
 * OWASP Password Storage Cheat Sheet: scrypt with N=2^15, r=8, p=3 (same strength as N=2^17,
 * p=1, at a quarter of the memory). 32 MiB per hash, so concurrent hashes are bounded below.
 */
export const SCRYPT_COST = { N: 2 ** 15, r: 8, p: 3 } as const;
const KEY_LENGTH = 32;

/**
 * Hashes share the machine's cores: one per core (at most four, 128 MiB), eight per client
 * address running or waiting (a control room behind one NAT signing in at the start of a shift),
 * 64 waiting in all. Addresses take turns, so a flood from one is refused past its share and
 * another address's hash waits for at most the ones already running (~200 ms each here).
 */
export const HASH_QUEUE_LIMITS = { concurrency: Math.min(4, availableParallelism()), perSource: 8, waiting: 64 } as const;
const hashing = new FairQueue(HASH_QUEUE_LIMITS);

/** Work done on behalf of the gateway itself (first admin, admin API, CLI): it waits, never refused. */
const LOCAL_SOURCE = null;

function derive(password: string, salt: Buffer, cost: { N: number; r: number; p: number }, source: string | null): Promise<Buffer> {
  const options: ScryptOptions = { ...cost, maxmem: 256 * cost.N * cost.r };
  const work = () => new Promise<Buffer>((resolve, reject) => {
    scrypt(password.normalize('NFKC'), salt, KEY_LENGTH, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
  return source === null ? hashing.run('', work, true) : hashing.run(source, work);
}

/** `scrypt$N$r$p$salt$hash`: the cost travels with the hash, so it can be raised later. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, SCRYPT_COST, LOCAL_SOURCE);
  return ['scrypt', SCRYPT_COST.N, SCRYPT_COST.r, SCRYPT_COST.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/**
 * True when `password` hashes to `stored`. `source` (the client's address) takes its turn in the
 * hash queue; a full queue rejects with QueueFullError before any hashing.
 */
export async function verifyPassword(password: string, stored: string, source: string | null = LOCAL_SOURCE): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const key = await derive(password, Buffer.from(salt, 'base64url'), { N: Number(n), r: Number(r), p: Number(p) }, source);
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/**
 * Verifying against this when the user does not exist makes "no such user" take as long as
 * "wrong password", so timing does not reveal which usernames exist.
 */
let decoy: Promise<string> | null = null;
export function decoyHash(): Promise<string> {
  decoy ??= hashPassword(randomBytes(16).toString('hex'));
  return decoy;
}

/** A password for a generated account: 20 base64url characters, 120 bits. */
export const generatePassword = (): string => randomBytes(15).toString('base64url');
