import 'bootstrap/dist/css/bootstrap.min.css';
import '../styles/theme.css';
import {
  createGrantSchema, createKeySchema, createMediaTokenSchema, createUserSchema, PASSWORD_MIN_LENGTH,
  type AdminUserView, type CameraProfileView, type EvidenceView, type CameraView, type EdgeCameraView, type GrantView, type KeyView, type MediaTokenView, type SessionView,
} from '../../shared/index.ts';
import { initAccountBar } from '../shared-ui/accountBar.ts';
import { AlertBanner } from '../shared-ui/alertBanner.ts';
import { api, type ApiResult } from '../shared-ui/api.ts';
import { whileBusy } from '../shared-ui/busy.ts';
import { askNewPassword } from '../shared-ui/dialog.ts';
import { byId } from '../shared-ui/dom.ts';
import { actionButton, actionsCell, cell, confirmingButton, timeCell, when } from '../shared-ui/table.ts';
import { initCameraProfileForm, renderCameraProfiles } from './cameraProfiles.ts';
import { initRetentionForm, renderEvidence } from './evidence.ts';
import { initCameraForm, renderCameras, renderEdgeCameras } from './cameras.ts';

/**
 * The admin page: people, zone grants, camera keys, WHEP/WHIP tokens, IP cameras and live sessions. Every action goes to the
 * gateway, which checks and audits it; the page shows the gateway's refusal as it is and
 * reloads the lists after a success.
 */
const alert = new AlertBanner(byId('admin-alert', HTMLElement));

/** Runs an API call; on failure shows why, on success says what was done (`done`) and refreshes everything. */
async function act<T>(call: Promise<ApiResult<T>>, done?: string): Promise<T | null> {
  const reply = await call;
  if (!reply.ok) {
    alert.show(reply.error.code, reply.error.message);
    return null;
  }
  if (done) alert.show('DONE', done, 'success');
  else alert.hide();
  await refresh();
  return reply.data;
}

/** A new secret (camera key or token) in its box, the only time it is shown; its form is cleared. */
function showOnce(name: 'key' | 'token', secret: string): void {
  byId(`${name}-secret`, HTMLInputElement).value = secret;
  byId(`${name}-secret-copy`, HTMLButtonElement).textContent = 'Copy';
  byId(`${name}-secret-box`, HTMLElement).hidden = false;
  byId(`${name}-form`, HTMLFormElement).reset();
}

// Copy buttons beside the secrets shown once: the clipboard, and a word that it worked.
for (const button of document.querySelectorAll<HTMLButtonElement>('button[data-copy]')) {
  button.addEventListener('click', () => {
    const field = byId(button.dataset.copy!, HTMLInputElement);
    void navigator.clipboard.writeText(field.value).then(
      () => { button.textContent = 'Copied'; },
      () => { field.select(); button.textContent = 'Press Ctrl+C'; },
    );
  });
}

function invalid(message: string): void {
  alert.show('PAYLOAD_INVALID', message);
}

function renderUsers(users: AdminUserView[]): void {
  byId('users-body', HTMLElement).replaceChildren(...users.map((u) => {
    const row = document.createElement('tr');
    row.dataset.user = u.username;
    const toggle = u.disabled
      ? actionButton('Enable', 'enable', () => void act(api('PATCH', `/api/users/${u.id}`, { disabled: false })), 'outline-success')
      : confirmingButton('Disable', 'disable', () => void act(api('PATCH', `/api/users/${u.id}`, { disabled: true })));
    const password = actionButton('Set password', 'password', () => {
      void askNewPassword({
        name: 'set-password',
        title: `New password for ${u.username}`,
        body: `At least ${PASSWORD_MIN_LENGTH} characters. Every session of ${u.username} ends when it is set.`,
        confirmLabel: 'Set password',
        minLength: PASSWORD_MIN_LENGTH,
      }).then((next) => {
        if (next !== null) void act(api('PATCH', `/api/users/${u.id}`, { password: next }), `Password of ${u.username} set; their sessions ended.`);
      });
    }, 'outline-light');
    const status = u.disabled ? 'disabled' : u.lockedUntil ? `locked until ${when(u.lockedUntil)}` : 'active';
    row.dataset.locked = String(u.lockedUntil !== null);
    const unlock = u.lockedUntil
      ? [actionButton('Unlock', 'unlock', () => void act(api('POST', `/api/users/${u.id}/unlock`), `${u.username} can sign in again.`), 'outline-warning')]
      : [];
    row.append(cell(u.username), cell(u.role), timeCell(u.lockedUntil, status), timeCell(u.createdAt), actionsCell(...unlock, password, toggle));
    return row;
  }));
  const select = byId('grant-user', HTMLSelectElement);
  const chosen = select.value;
  select.replaceChildren(...users.filter((u) => u.role === 'operator').map((u) => new Option(u.username, String(u.id))));
  if ([...select.options].some((o) => o.value === chosen)) select.value = chosen;
}

function renderGrants(grants: GrantView[]): void {
  byId('grants-body', HTMLElement).replaceChildren(...grants.map((g) => {
    const row = document.createElement('tr');
    row.dataset.grantId = String(g.id);
    row.dataset.user = g.username;
    row.dataset.control = String(g.control);
    row.append(cell(g.username), cell(g.pattern), cell(g.control ? 'watch, control (PTZ)' : 'watch'), timeCell(g.expiresAt, g.expiresAt ? when(g.expiresAt) : 'until removed'), cell(g.createdBy),
      actionsCell(confirmingButton('Remove', 'remove', () => void act(api('DELETE', `/api/grants/${g.id}`)))));
    return row;
  }));
}

function renderKeys(keys: KeyView[]): void {
  byId('keys-body', HTMLElement).replaceChildren(...keys.map((k) => {
    const row = document.createElement('tr');
    row.dataset.keyId = String(k.id);
    row.dataset.label = k.label;
    const actions = k.revokedAt ? [] : [confirmingButton('Revoke', 'revoke', () => void act(api('DELETE', `/api/keys/${k.id}`)))];
    row.append(cell(k.label), cell(k.zonePattern), cell(`${k.prefix}…`, 'font-monospace'), timeCell(k.lastUsedAt),
      timeCell(k.revokedAt, k.revokedAt ? `revoked ${when(k.revokedAt)}` : 'active'), actionsCell(...actions));
    return row;
  }));
}

const TOKEN_FOR = { viewer: 'player (WHEP)', publisher: 'encoder (WHIP)' } as const;

function renderTokens(tokens: MediaTokenView[]): void {
  byId('tokens-body', HTMLElement).replaceChildren(...tokens.map((t) => {
    const row = document.createElement('tr');
    row.dataset.tokenId = String(t.id);
    row.dataset.label = t.label;
    const expired = Date.parse(t.expiresAt) <= Date.now();
    const status = t.revokedAt ? `revoked ${when(t.revokedAt)}` : expired ? 'expired' : 'active';
    const actions = t.revokedAt || expired ? [] : [confirmingButton('Revoke', 'revoke', () => void act(api('DELETE', `/api/tokens/${t.id}`)))];
    row.append(cell(t.label), cell(TOKEN_FOR[t.kind]), cell(t.zonePattern), cell(`${t.prefix}…`, 'font-monospace'), timeCell(t.expiresAt),
      timeCell(t.lastUsedAt), timeCell(t.revokedAt, status), actionsCell(...actions));
    return row;
  }));
}

function renderSessions(sessions: SessionView[]): void {
  byId('sessions-body', HTMLElement).replaceChildren(...sessions.map((s) => {
    const row = document.createElement('tr');
    row.dataset.sessionId = String(s.id);
    row.dataset.user = s.username;
    const actions = s.current ? [] : [confirmingButton('Revoke', 'revoke', () => void act(api('DELETE', `/api/sessions/${s.id}`)))];
    row.append(cell(`${s.username}${s.current ? ' (you)' : ''}`), cell(s.address), cell(s.userAgent.slice(0, 60)), timeCell(s.lastSeenAt),
      cell(String(s.sockets)), actionsCell(...actions));
    return row;
  }));
}

async function refresh(): Promise<void> {
  const [users, grants, keys, tokens, sessions, cameras, profiles, clips] = await Promise.all([
    api<{ users: AdminUserView[] }>('GET', '/api/users'),
    api<{ grants: GrantView[] }>('GET', '/api/grants'),
    api<{ keys: KeyView[] }>('GET', '/api/keys'),
    api<{ tokens: MediaTokenView[] }>('GET', '/api/tokens'),
    api<{ sessions: SessionView[] }>('GET', '/api/sessions'),
    api<{ cameras: CameraView[]; edge: EdgeCameraView[] }>('GET', '/api/cameras'),
    api<{ cameras: CameraProfileView[] }>('GET', '/api/camera-profiles'),
    api<{ clips: EvidenceView[] }>('GET', '/api/evidence?limit=200'),
  ]);
  for (const reply of [users, grants, keys, tokens, sessions, cameras, profiles, clips]) if (!reply.ok) alert.show(reply.error.code, reply.error.message);
  if (clips.ok) renderEvidence(clips.data.clips, act);
  if (profiles.ok) renderCameraProfiles(profiles.data.cameras, act);
  if (users.ok) renderUsers(users.data.users);
  if (grants.ok) renderGrants(grants.data.grants);
  if (keys.ok) renderKeys(keys.data.keys);
  if (tokens.ok) renderTokens(tokens.data.tokens);
  if (sessions.ok) renderSessions(sessions.data.sessions);
  if (cameras.ok) {
    renderCameras(cameras.data.cameras, act);
    renderEdgeCameras(cameras.data.edge);
  }
}

byId('user-form', HTMLFormElement).addEventListener('submit', (event) => {
  event.preventDefault();
  const parsed = createUserSchema.safeParse({
    username: byId('user-name', HTMLInputElement).value.trim().toLowerCase(),
    password: byId('user-password', HTMLInputElement).value,
    role: byId('user-role', HTMLSelectElement).value,
  });
  if (!parsed.success) return invalid(`${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}`);
  const form = byId('user-form', HTMLFormElement);
  void whileBusy(form, () => act(api('POST', '/api/users', parsed.data), `Account ${parsed.data.username} created.`)).then((done) => { if (done) form.reset(); });
});

byId('grant-form', HTMLFormElement).addEventListener('submit', (event) => {
  event.preventDefault();
  const expiry = byId('grant-expiry', HTMLInputElement).value;
  const parsed = createGrantSchema.safeParse({
    userId: Number(byId('grant-user', HTMLSelectElement).value),
    pattern: byId('grant-pattern', HTMLInputElement).value,
    control: byId('grant-control', HTMLInputElement).checked,
    ...(expiry ? { expiresAt: new Date(expiry).toISOString() } : {}),
  });
  if (!parsed.success) return invalid(`${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}`);
  void whileBusy(byId('grant-form', HTMLFormElement), () => act(api('POST', '/api/grants', parsed.data), `Grant ${parsed.data.pattern} added.`)).then((done) => { if (!done) return;
    byId('grant-pattern', HTMLInputElement).value = '';
    byId('grant-control', HTMLInputElement).checked = false;
  });
});

byId('key-form', HTMLFormElement).addEventListener('submit', (event) => {
  event.preventDefault();
  const parsed = createKeySchema.safeParse({ label: byId('key-label', HTMLInputElement).value, zonePattern: byId('key-pattern', HTMLInputElement).value });
  if (!parsed.success) return invalid(`${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}`);
  void whileBusy(byId('key-form', HTMLFormElement), () => act(api<{ key: KeyView; secret: string }>('POST', '/api/keys', parsed.data))).then((created) => {
    if (created) showOnce('key', created.secret);
  });
});

byId('token-form', HTMLFormElement).addEventListener('submit', (event) => {
  event.preventDefault();
  const expiry = byId('token-expiry', HTMLInputElement).value;
  const parsed = createMediaTokenSchema.safeParse({
    kind: byId('token-kind', HTMLSelectElement).value,
    label: byId('token-label', HTMLInputElement).value,
    zonePattern: byId('token-pattern', HTMLInputElement).value,
    expiresAt: expiry ? new Date(expiry).toISOString() : '',
  });
  if (!parsed.success) return invalid(`${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}`);
  void whileBusy(byId('token-form', HTMLFormElement), () => act(api<{ token: MediaTokenView; secret: string }>('POST', '/api/tokens', parsed.data))).then((created) => {
    if (created) showOnce('token', created.secret);
  });
});

initCameraForm(act, invalid);
initCameraProfileForm(act, invalid);
initRetentionForm(act, invalid);

for (const name of ['key', 'token']) byId(`${name}-secret`, HTMLInputElement).addEventListener('focus', (event) => (event.target as HTMLInputElement).select());

void initAccountBar('admin').then((me) => { if (me) void refresh(); });
// Live sessions come and go; keep the list current while the page is open (every 2 s while a
// camera is on its way, so its status shows as it changes).
let lastRefresh = Date.now();
setInterval(() => {
  if (document.visibilityState !== 'visible') return;
  const settling = document.querySelector('#cameras-body tr:not([data-status="live"])') !== null;
  if (!settling && Date.now() - lastRefresh < 10_000) return;
  lastRefresh = Date.now();
  void refresh();
}, 2_000);
