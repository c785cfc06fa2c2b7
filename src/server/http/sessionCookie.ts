import { fastifyCookie } from '@fastify/cookie';

/**
 * `__Host-` binds the cookie to this exact origin: Secure, Path=/, no Domain, so no sibling
 * host can set or read it. HttpOnly keeps it from scripts; SameSite=Strict from other sites.
 */
export const SESSION_COOKIE = '__Host-vigil_sid';

export const sessionCookieOptions = (maxAgeSeconds: number) => ({
  path: '/',
  secure: true,
  httpOnly: true,
  sameSite: 'strict' as const,
  maxAge: maxAgeSeconds,
});

/** The session token in a Cookie header, if any. */
export function readSessionToken(cookieHeader: string | undefined): string | undefined {
  if (!cookieHeader) return undefined;
  return fastifyCookie.parse(cookieHeader)[SESSION_COOKIE];
}
