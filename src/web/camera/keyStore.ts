/**
 * Where the camera page keeps its API key: in this tab only (sessionStorage, so a reload of an
 * unattended node can resume), or on this device when the installer ticks "remember"
 * (localStorage). Never in the URL.
 */
const KEY = 'vigil.camera.apiKey';

export function readApiKey(): { key: string; remembered: boolean } | null {
  const remembered = localStorage.getItem(KEY);
  if (remembered) return { key: remembered, remembered: true };
  const tab = sessionStorage.getItem(KEY);
  return tab ? { key: tab, remembered: false } : null;
}

export function storeApiKey(key: string, remember: boolean): void {
  sessionStorage.setItem(KEY, key);
  if (remember) localStorage.setItem(KEY, key);
  else localStorage.removeItem(KEY);
}

/** A refused key is forgotten everywhere, so the next start asks for a new one. */
export function forgetApiKey(): void {
  sessionStorage.removeItem(KEY);
  localStorage.removeItem(KEY);
}

/** Keys are `vk_` and 43 base64url characters; anything else is a typo, caught before connecting. */
export const looksLikeApiKey = (value: string): boolean => /^vk_[A-Za-z0-9_-]{43}$/.test(value);
