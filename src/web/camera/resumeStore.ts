import { Limits, type ZoneId } from '../../shared/index.ts';
import { isPresetId, type PresetId } from './videoSource.ts';

/**
 * What the camera page keeps in sessionStorage (per tab, survives a reload, gone with the tab):
 * the resume token of each zone, so a reload or reconnect takes the zone back from our own stale
 * session instead of meeting ZONE_BUSY; and the session that was live, so an unattended camera
 * node resumes publishing by itself after a reload.
 */
type KeyValueStore = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

const TOKEN_PREFIX = 'vigil.camera.resumeToken.';
const ACTIVE_KEY = 'vigil.camera.activeSession';

/**
 * 32 random bytes as base64url without padding: exactly 43 characters of [A-Za-z0-9_-].
 * @example newResumeToken().length // 43
 */
export function newResumeToken(random: (bytes: Uint8Array) => Uint8Array = (bytes) => crypto.getRandomValues(bytes)): string {
  const bytes = random(new Uint8Array(32));
  const base64 = btoa(String.fromCharCode(...bytes));
  return base64.replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

const TOKEN_PATTERN = new RegExp(`^[A-Za-z0-9_-]{${Limits.resumeTokenLength}}$`);

/** The zone's token from this tab's earlier sessions, or a new one (stored before it is used). */
export function resumeTokenFor(zone: ZoneId, store: KeyValueStore = sessionStorage): string {
  const key = TOKEN_PREFIX + zone;
  const kept = store.getItem(key);
  if (kept && TOKEN_PATTERN.test(kept)) return kept;
  const token = newResumeToken();
  store.setItem(key, token);
  return token;
}

export interface ActiveSession {
  readonly zone: ZoneId;
  readonly deviceId: string;
  readonly preset: PresetId;
}

export function rememberActiveSession(session: ActiveSession, store: KeyValueStore = sessionStorage): void {
  store.setItem(ACTIVE_KEY, JSON.stringify(session));
}

export function forgetActiveSession(store: KeyValueStore = sessionStorage): void {
  store.removeItem(ACTIVE_KEY);
}

/** The session that was publishing when this tab last unloaded, if any and well-formed. */
export function readActiveSession(isZone: (zone: unknown) => zone is ZoneId, store: KeyValueStore = sessionStorage): ActiveSession | null {
  try {
    const value: unknown = JSON.parse(store.getItem(ACTIVE_KEY) ?? 'null');
    if (typeof value !== 'object' || value === null) return null;
    const { zone, deviceId, preset } = value as Record<string, unknown>;
    if (!isZone(zone) || typeof deviceId !== 'string' || !isPresetId(preset)) return null;
    return { zone, deviceId, preset };
  } catch {
    return null;
  }
}
