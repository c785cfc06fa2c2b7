/**
 * `npm run vigil -- <command>`: manage people, camera keys and the audit trail in the store,
 * with the gateway running or not (a running gateway applies changes within a second).
 */
import { readFileSync } from 'node:fs';
import { ACCOUNT_ROLES, passwordSchema, usernameSchema, zonePatternSchema, type AccountRole } from '../../shared/index.ts';
import { AuditTrail } from '../audit/AuditTrail.ts';
import { CameraKeys } from '../auth/CameraKeys.ts';
import { LoginLimiter } from '../auth/loginLimiter.ts';
import { generatePassword, hashPassword } from '../auth/passwords.ts';
import { renderEffectiveConfig, renderHelp } from '../config/configText.ts';
import { ConfigError, loadConfig } from '../config/loadConfig.ts';
import { openStore } from '../store/openStore.ts';
import type { Store } from '../store/types.ts';

export const CLI_USAGE = `Usage: npm run vigil -- <command> [--config <file>] [options]

  user add <name> --role admin|operator|auditor [--password-stdin]
  user passwd <name> [--password-stdin]     (ends the person's sessions)
  user disable <name>                       (ends the person's sessions)
  user list
  key create --label <text> --zones <pattern>   prints the key once
  key revoke <id>
  key list
  audit verify                              exit 1 when the chain is broken
  config print                              the effective configuration, secrets masked

Without --password-stdin a password is generated and printed once.
The store is the gateway's: the same configuration file, VIGIL_* environment and flags apply
(--data-dir, --config …; see npm start -- --help).`;

class CliError extends Error {}

const CLI_ACTOR = { actor: 'cli', actorRole: 'admin', zone: null, address: null, userAgent: 'vigil-cli' };

function readPassword(fromStdin: boolean): { password: string; generated: boolean } {
  if (!fromStdin) return { password: generatePassword(), generated: true };
  const password = readFileSync(0, 'utf8').split(/\r?\n/)[0] ?? '';
  const parsed = passwordSchema.safeParse(password);
  if (!parsed.success) throw new CliError(`The password must be ${parsed.error.issues[0]?.message}.`);
  return { password, generated: false };
}

async function userByName(store: Store, name: string) {
  const user = await store.users.byUsername(name);
  if (!user) throw new CliError(`No user named ${name}.`);
  return user;
}

async function run(args: string[], out: (line: string) => void): Promise<number> {
  const { config, flags, positionals, help } = loadConfig(args, process.env, {
    allowPositionals: true,
    extraFlags: { role: { type: 'string' }, label: { type: 'string' }, zones: { type: 'string' }, 'password-stdin': { type: 'boolean' } },
  });
  const values = flags as { role?: string; label?: string; zones?: string; 'password-stdin'?: boolean };
  const [noun, verb, target] = positionals;
  if (help || !noun) {
    out(noun === 'config' ? renderHelp('npm run vigil -- config print') : CLI_USAGE);
    return 0;
  }
  if (noun === 'config') {
    if (verb !== 'print') throw new CliError(`Unknown command "config ${verb ?? ''}". Run with --help.`);
    out(renderEffectiveConfig(config).trimEnd());
    return 0;
  }
  const store = await openStore(config);
  const audit = new AuditTrail(store);
  try {
    const command = `${noun} ${verb ?? ''}`.trim();
    switch (command) {
      case 'user add': {
        const name = usernameSchema.safeParse(target);
        if (!name.success) throw new CliError('Give a username: lower-case letters, digits, dot, dash, underscore.');
        if (!ACCOUNT_ROLES.includes(values.role as AccountRole)) throw new CliError(`--role must be one of ${ACCOUNT_ROLES.join(', ')}.`);
        if (await store.users.byUsername(name.data)) throw new CliError(`The username ${name.data} is taken.`);
        const { password, generated } = readPassword(values['password-stdin'] === true);
        await audit.record({ ...CLI_ACTOR, kind: 'user.created', outcome: 'ok', detail: { user: name.data, role: values.role } });
        await store.users.create({ username: name.data, passwordHash: await hashPassword(password), role: values.role as AccountRole, disabled: false, createdAt: Date.now() });
        out(generated ? `Created ${name.data} (${values.role}). Password (shown once): ${password}` : `Created ${name.data} (${values.role}).`);
        break;
      }
      case 'user passwd': {
        const user = await userByName(store, target ?? '');
        const { password, generated } = readPassword(values['password-stdin'] === true);
        await audit.record({ ...CLI_ACTOR, kind: 'user.updated', outcome: 'ok', detail: { user: user.username, passwordChanged: true } });
        await store.users.update(user.id, { passwordHash: await hashPassword(password) });
        await store.sessions.revokeAllOfUser(user.id, Date.now(), 'password_changed');
        out(generated ? `New password for ${user.username} (shown once): ${password}` : `Password of ${user.username} changed.`);
        break;
      }
      case 'user disable': {
        const user = await userByName(store, target ?? '');
        if (user.role === 'admin' && !user.disabled && (await store.users.countActiveAdmins()) <= 1) {
          throw new CliError('This is the last active admin; make another admin first.');
        }
        await audit.record({ ...CLI_ACTOR, kind: 'user.updated', outcome: 'ok', detail: { user: user.username, disabled: true } });
        await store.users.update(user.id, { disabled: true });
        await store.sessions.revokeAllOfUser(user.id, Date.now(), 'account_disabled');
        out(`Disabled ${user.username}; their sessions are ended.`);
        break;
      }
      case 'user list':
        for (const u of await store.users.list()) out(`${u.id}\t${u.username}\t${u.role}${u.disabled ? '\tdisabled' : ''}`);
        break;
      case 'key create': {
        const pattern = zonePatternSchema.safeParse(values.zones);
        if (!pattern.success) throw new CliError('--zones must be a zone id, a prefix ending in * (CBD-*), or *.');
        const label = values.label?.trim();
        if (!label) throw new CliError('--label is required (where the camera is).');
        await audit.record({ ...CLI_ACTOR, kind: 'key.created', outcome: 'ok', zone: pattern.data, detail: { label, zonePattern: pattern.data } });
        const { key, secret } = await new CameraKeys(store, new LoginLimiter(store.rateLimiter)).create(label, pattern.data, 'cli');
        out(`Key ${key.id} for ${pattern.data} (shown once): ${secret}`);
        break;
      }
      case 'key revoke': {
        const key = await store.keys.byId(Number(target));
        if (!key) throw new CliError(`No key with id ${target}.`);
        if (key.revokedAt !== null) throw new CliError(`Key ${key.id} is already revoked.`);
        await audit.record({ ...CLI_ACTOR, kind: 'key.revoked', outcome: 'ok', zone: key.zonePattern, detail: { key: key.id, label: key.label, prefix: key.prefix } });
        await store.keys.revoke(key.id, Date.now());
        out(`Revoked key ${key.id} (${key.label}).`);
        break;
      }
      case 'key list':
        for (const k of await store.keys.list()) out(`${k.id}\t${k.prefix}…\t${k.zonePattern}\t${k.label}${k.revokedAt ? '\trevoked' : ''}`);
        break;
      case 'audit verify': {
        const result = await audit.verify();
        out(result.ok ? `Audit chain intact: ${result.checked} entries verified.` : `Audit chain BROKEN at entry ${result.firstBadId}: ${result.reason} (${result.checked} entries verified before it).`);
        return result.ok ? 0 : 1;
      }
      default:
        throw new CliError(`Unknown command "${command}". Run with --help.`);
    }
    await store.bumpChangeSeq();
    return 0;
  } finally {
    await store.close();
  }
}

try {
  process.exitCode = await run(process.argv.slice(2), (line) => process.stdout.write(`${line}\n`));
} catch (error) {
  const message = error instanceof CliError || error instanceof ConfigError
    ? (error as Error).message
    : `unexpected failure: ${(error as Error).message}`;
  process.stderr.write(`vigil: ${message}\n`);
  process.exitCode = 2;
}
