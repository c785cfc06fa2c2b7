import type { AccountRole } from '../../shared/index.ts';
import type { AuthService } from '../auth/AuthService.ts';
import type { GatewayApp } from './GatewayApp.ts';
import { readSessionToken } from './sessionCookie.ts';

/** Which signed-in roles may open each protected page; login.html and camera.html are public. */
const PAGES: Record<string, readonly AccountRole[]> = {
  '/': ['admin', 'operator'],
  '/index.html': ['admin', 'operator'],
  '/admin.html': ['admin'],
  '/audit.html': ['admin', 'auditor'],
};

const HOME: Record<AccountRole, string> = { admin: '/', operator: '/', auditor: '/audit.html' };

/**
 * Protected pages are not even sent without a session: a visitor is redirected to the login page
 * (which returns them afterwards), a signed-in person to the page their role may use.
 */
export function registerPageGuard(app: GatewayApp, auth: AuthService): void {
  app.addHook('onRequest', async (request, reply) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return;
    const path = request.url.split('?')[0]!;
    const roles = PAGES[path];
    if (!roles) return;
    reply.header('Cache-Control', 'no-store');
    const result = await auth.authenticate(readSessionToken(request.headers.cookie));
    if (!result.ok) return reply.redirect(`/login.html?next=${encodeURIComponent(path)}`, 302);
    if (!roles.includes(result.principal.role)) return reply.redirect(HOME[result.principal.role], 302);
  });
}
