import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const KEY_FILE = 'secret.key';
const FORMAT = 'v1';

/**
 * Seals the secrets the gateway must use again itself (an IP camera's password), so the database
 * alone does not give them away: AES-256-GCM under a key kept outside it, from
 * `VIGIL_SECRET_KEY` (base64, 32 bytes: every node of a cluster needs the same) or, on one box,
 * `secret.key` in the data directory, made on first use and readable by the gateway's user only.
 * A sealed value is `v1.<iv>.<tag>.<ciphertext>` (base64url); the AAD binds it to its purpose.
 */
export class SecretBox {
  private constructor(readonly key: Buffer) {}

  static fromKey(key: Buffer): SecretBox {
    if (key.length !== 32) throw new Error('the secret key must be 32 bytes (base64 of 32 random bytes)');
    return new SecretBox(key);
  }

  /** The environment's key, else the data directory's, made there when missing. */
  static open(dataDir: string, env: NodeJS.ProcessEnv = process.env): SecretBox {
    const given = env.VIGIL_SECRET_KEY;
    if (given) return SecretBox.fromKey(Buffer.from(given, 'base64'));
    const path = join(dataDir, KEY_FILE);
    if (!existsSync(path)) {
      mkdirSync(dataDir, { recursive: true });
      writeFileSync(path, randomBytes(32).toString('base64'), { mode: 0o600, flag: 'wx' });
    }
    chmodSync(path, 0o600);
    return SecretBox.fromKey(Buffer.from(readFileSync(path, 'utf8').trim(), 'base64'));
  }

  seal(plain: string, purpose: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(purpose));
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return [FORMAT, iv, cipher.getAuthTag(), body].map((part) => (typeof part === 'string' ? part : part.toString('base64url'))).join('.');
  }

  /** Throws when the value was not sealed with this key for this purpose (tampered, or another key). */
  open(sealed: string, purpose: string): string {
    const [format, iv, tag, body] = sealed.split('.');
    if (format !== FORMAT || iv === undefined || tag === undefined || body === undefined) throw new Error('not a sealed secret');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(purpose));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
  }
}
