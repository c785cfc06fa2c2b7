import { createHash, randomBytes } from 'node:crypto';

/** Session tokens and API keys carry 256 bits from the CSPRNG; only their SHA-256 is stored. */
export const newSecret = (): string => randomBytes(32).toString('base64url');
export const hashSecret = (secret: string): Buffer => createHash('sha256').update(secret).digest();

export const API_KEY_PREFIX = 'vk_';
export const newApiKey = (): string => `${API_KEY_PREFIX}${newSecret()}`;
/** Enough of a key to tell keys apart in a list; 8 of 256 bits reveal nothing useful. */
export const keyPrefix = (key: string): string => key.slice(0, API_KEY_PREFIX.length + 6);
