import 'bootstrap/dist/css/bootstrap.min.css';
import '../styles/theme.css';
import type { MeResponse } from '../../shared/index.ts';
import { api } from '../shared-ui/api.ts';
import { byId } from '../shared-ui/dom.ts';
import { describeError } from '../shared-ui/errorMessages.ts';

const form = byId('login-form', HTMLFormElement);
const username = byId('username', HTMLInputElement);
const password = byId('password', HTMLInputElement);
const button = byId('login-button', HTMLButtonElement);
const alertBox = byId('login-alert', HTMLElement);

const HOME = { admin: '/', operator: '/', auditor: '/audit.html' } as const;

/**
 * Only a page of this site. `next` is resolved the way the browser will resolve it (the URL
 * parser drops tabs and line breaks, reads `\` as `/`, and takes `//host` as another site), and
 * anything that does not land on our own origin is refused, so the login page is no open redirect.
 */
function safeNext(): string | null {
  const next = new URLSearchParams(window.location.search).get('next');
  if (!next) return null;
  let target: URL;
  try {
    target = new URL(next, window.location.origin);
  } catch {
    return null;
  }
  if (target.origin !== window.location.origin || target.pathname.startsWith('/login.html')) return null;
  return `${target.pathname}${target.search}${target.hash}`;
}

function showError(code: string, message: string): void {
  alertBox.dataset.code = code;
  alertBox.querySelector('.alert-text')!.textContent = message;
  alertBox.hidden = false;
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  if (!username.value.trim() || !password.value) {
    showError('PAYLOAD_INVALID', 'Enter your username and password.');
    return;
  }
  button.disabled = true;
  void api<MeResponse>('POST', '/api/auth/login', { username: username.value.trim().toLowerCase(), password: password.value }).then((reply) => {
    button.disabled = false;
    if (reply.ok) {
      window.location.assign(safeNext() ?? HOME[reply.data.user.role]);
      return;
    }
    password.value = '';
    password.focus();
    showError(reply.error.code, describeError(reply.error.code, {}, reply.error.message));
  });
});
username.focus();
