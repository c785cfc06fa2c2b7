import type { MeResponse } from '../../shared/index.ts';
import { api, loginUrl } from './api.ts';
import { byId } from './dom.ts';

/**
 * The account bar of the signed-in pages: who is signed in, links to the pages their role may
 * open, and Log out. Resolves with the account, or sends the browser to the login page.
 */
export async function initAccountBar(current: 'console' | 'admin' | 'audit'): Promise<MeResponse | null> {
  const me = await api<MeResponse>('GET', '/api/auth/me');
  if (!me.ok) {
    window.location.assign(loginUrl());
    return null;
  }
  const { role, username } = me.data.user;
  byId('account-name', HTMLElement).textContent = username;
  byId('account-role', HTMLElement).textContent = role;
  const links = { console: role !== 'auditor', admin: role === 'admin', audit: role !== 'operator' };
  for (const [page, visible] of Object.entries(links)) {
    const link = byId(`nav-${page}`, HTMLAnchorElement);
    link.hidden = !visible;
    if (page === current) link.setAttribute('aria-current', 'page');
  }
  byId('logout-button', HTMLButtonElement).addEventListener('click', () => {
    void api('POST', '/api/auth/logout', {}).finally(() => window.location.assign('/login.html'));
  });
  return me.data;
}
