import { protocolError, zoneMatches } from '../../shared/index.ts';
import type { ApiKeyRecord, Store } from '../store/types.ts';
import type { Refusal } from './AuthService.ts';
import type { LoginLimiter } from './loginLimiter.ts';
import type { Principal } from './Principal.ts';
import { API_KEY_PREFIX, hashSecret, keyPrefix, newApiKey } from './secrets.ts';

export type CameraPrincipal = Extract<Principal, { kind: 'camera' }>;

/** Camera API keys: made here, shown once, stored as SHA-256, bound to a zone pattern. */
export class CameraKeys {
  constructor(private readonly store: Store, private readonly limiter: LoginLimiter) {}

  async create(label: string, zonePattern: string, createdBy: string): Promise<{ key: ApiKeyRecord; secret: string }> {
    const secret = newApiKey();
    const key = await this.store.keys.create({
      label, zonePattern, keyHash: hashSecret(secret), prefix: keyPrefix(secret), createdAt: Date.now(), createdBy,
    });
    await this.store.bumpChangeSeq();
    return { key, secret };
  }

  async authenticate(apiKey: string | undefined, address: string): Promise<Refusal | { ok: true; principal: CameraPrincipal; key: ApiKeyRecord }> {
    const checked = await this.limiter.checkCameraKey(address, async () => {
      const key = apiKey?.startsWith(API_KEY_PREFIX) ? await this.store.keys.byHash(hashSecret(apiKey)) : null;
      // No key at all is not a guess; a wrong one is.
      return { valid: key !== null || !apiKey, result: key };
    });
    if (!checked.ok) {
      const { retryAfterSeconds } = checked.limited;
      return { ok: false, error: protocolError('RATE_LIMITED', `Too many wrong camera keys; try again in ${retryAfterSeconds} s.`), retryAfterSeconds };
    }
    const key = checked.result;
    if (!apiKey) return { ok: false, error: protocolError('AUTH_REQUIRED', 'A camera connects with its API key.') };
    if (!key) return { ok: false, error: protocolError('KEY_INVALID') };
    if (key.revokedAt !== null) return { ok: false, error: protocolError('KEY_REVOKED') };
    await this.store.keys.markUsed(key.id, Date.now());
    return { ok: true, key, principal: { kind: 'camera', keyId: key.id, label: key.label, zonePattern: key.zonePattern } };
  }

  async stillValid(keyId: number): Promise<boolean> {
    const key = await this.store.keys.byId(keyId);
    return key !== null && key.revokedAt === null;
  }

  static mayPublish(principal: CameraPrincipal, zone: string): boolean {
    return zoneMatches(principal.zonePattern, zone);
  }
}
