import type { MeResponse } from '../../shared/index.ts';
import { hhmm } from '../shared-ui/clock.ts';

/** How long before a grant or the session ends the console says so. */
export const WARN_BEFORE_MS = 15 * 60_000;


export interface AccessWarning {
  /** `GRANT_EXPIRING` or `SESSION_EXPIRING`: the alert's `data-code`. */
  readonly code: 'GRANT_EXPIRING' | 'SESSION_EXPIRING';
  readonly message: string;
  /** When to say it (ms since epoch): now, if it is already that close. */
  readonly at: number;
}

/**
 * What ends on its own while a wall runs all day: a grant with an end date (the gateway closes
 * those tiles at that moment) and the session's lifetime (then the wall needs a new sign-in).
 * Each is said WARN_BEFORE_MS ahead, so it is never a surprise in the middle of an incident.
 */
export function accessWarnings(me: MeResponse, now = Date.now()): AccessWarning[] {
  const warnings: AccessWarning[] = [];
  for (const grant of me.grants) {
    if (!grant.expiresAt) continue;
    const end = Date.parse(grant.expiresAt);
    if (end <= now) continue;
    warnings.push({ code: 'GRANT_EXPIRING', at: Math.max(now, end - WARN_BEFORE_MS), message: `Your access to ${grant.pattern} ends at ${hhmm(grant.expiresAt)}; its tiles close then. Ask an administrator to extend it.` });
  }
  const sessionEnd = Date.parse(me.session.expiresAt);
  if (sessionEnd > now) {
    warnings.push({ code: 'SESSION_EXPIRING', at: Math.max(now, sessionEnd - WARN_BEFORE_MS), message: `This sign-in ends at ${hhmm(me.session.expiresAt)}. The wall is kept: sign in again then and it comes back.` });
  }
  return warnings.sort((a, b) => a.at - b.at);
}

/** Says each warning at its time through `show`; returns a function that cancels the rest. */
export function scheduleWarnings(warnings: readonly AccessWarning[], show: (warning: AccessWarning) => void, now = Date.now()): () => void {
  // setTimeout's ceiling is ~24.8 days; a later warning is simply never due in this page's life.
  const timers = warnings.filter((w) => w.at - now < 2 ** 31 - 1).map((w) => setTimeout(() => show(w), Math.max(0, w.at - now)));
  return () => { for (const timer of timers) clearTimeout(timer); };
}
