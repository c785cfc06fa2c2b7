/**
 * `npx vigil <command>` (or `npm run vigil -- <command>`): manage people, zone grants, camera keys,
 * WHEP/WHIP tokens, IP cameras and the audit trail in the store, with the gateway running or not (a running gateway applies
 * changes within a second). The account rules are the admin API's: both go through Accounts.
 */
import { readFileSync } from 'node:fs';
import { ACCOUNT_ROLES, createGrantSchema, createMediaTokenSchema, passwordSchema, usernameSchema, zonePatternSchema, type AccountRole } from '../../shared/index.ts';
import { AuditTrail } from '../audit/AuditTrail.ts';
import { Accounts, type AccountResult, type Actor } from '../auth/Accounts.ts';
import { CameraKeys } from '../auth/CameraKeys.ts';
import { LoginLimiter } from '../auth/loginLimiter.ts';
import { MediaTokens } from '../auth/MediaTokens.ts';
import { AccountLocks } from '../auth/AccountLocks.ts';
import { generatePassword } from '../auth/passwords.ts';
import { renderEffectiveConfig, renderHelp } from '../config/configText.ts';
import { ConfigError, loadConfig } from '../config/loadConfig.ts';
import { openStore } from '../store/openStore.ts';
import type { Store } from '../store/types.ts';
import { formatTable } from './table.ts';
import { CAMERA_USAGE, CameraCommandError, runCameraCommand, type CameraFlags } from './cameraCommands.ts';
import { CameraSources } from '../cameras/CameraSources.ts';
import { SecretBox } from '../cameras/SecretBox.ts';

export const CLI_USAGE = `Usage: npx vigil <command> [--config <file>] [options]
   (or: npm run vigil -- <command> …)

  user add <name> --role admin|operator|auditor [--password-stdin]
  user passwd <name> [--password-stdin]     (ends the person's sessions)
  user disable <name>                       (ends the person's sessions)
  user unlock <name>                        (an account failed sign-ins locked signs in again)
  user list
  grant add <name> --zones <pattern> [--expires <time>] [--control]
                                            e.g. --zones CBD-* --expires 2026-12-31T18:00:00Z;
                                            --control: may steer the cameras (PTZ) too
  grant list [<name>]
  grant revoke <id>                         (cuts the person's live views outside their other grants)
  key create --label <text> --zones <pattern>   prints the key once
  key revoke <id>
  key list
  token add --kind viewer|publisher --label <text> --zones <pattern> --expires <time>
                                            a WHEP (viewer) or WHIP (publisher) token, printed once
  token list
  token revoke <id>                         (cuts the token's live WHEP/WHIP session)
${CAMERA_USAGE}
  audit verify                              exit 1 when the chain is broken
  config print                              the effective configuration, secrets masked
  edge --config <edge.yaml> [--gateway https://…] [--key vk_…]
                                            a headless edge node at a site (see docs/deployment.md)

Without --password-stdin a password is generated and printed once.
The store is the gateway's: the same configuration file, VIGIL_* environment and flags apply
(--data-dir, --config …; see npm start -- --help).`;

class CliError extends Error {}

const CLI_ACTOR: Actor = { actor: 'cli', actorRole: 'admin', address: null, userAgent: 'vigil-cli' };

const day = (ms: number | null): string => (ms === null ? '-' : new Date(ms).toISOString().slice(0, 10));
const minute = (ms: number | null): string => (ms === null ? 'never' : `${new Date(ms).toISOString().slice(0, 16)}Z`);

function readPassword(fromStdin: boolean): { password: string; generated: boolean } {
  if (!fromStdin) return { password: generatePassword(), generated: true };
  const password = readFileSync(0, 'utf8').split(/\r?\n/)[0] ?? '';
  const parsed = passwordSchema.safeParse(password);
  if (!parsed.success) throw new CliError(`The password must be ${parsed.error.issues[0]?.message}.`);
  return { password, generated: false };
}

/** The value of an account operation, or its refusal as the CLI's one sentence. */
function settled<T>(result: AccountResult<T>): T {
  if (!result.ok) throw new CliError(result.error.message);
  return result.value;
}

async function userByName(store: Store, name: string) {
  const user = await store.users.byUsername(name);
  if (!user) throw new CliError(`No user named ${name}.`);
  return user;
}

async function run(args: string[], out: (line: string) => void): Promise<number> {
  const { config, flags, positionals, help } = loadConfig(args, process.env, {
    allowPositionals: true,
    extraFlags: {
      role: { type: 'string' }, label: { type: 'string' }, zones: { type: 'string' }, expires: { type: 'string' }, 'password-stdin': { type: 'boolean' },
      kind: { type: 'string' }, zone: { type: 'string' }, name: { type: 'string' }, url: { type: 'string' }, user: { type: 'string' },
      transport: { type: 'string' }, transcode: { type: 'boolean' }, detect: { type: 'boolean' }, control: { type: 'boolean' },
      onvif: { type: 'string' }, profile: { type: 'string' }, for: { type: 'string' },
    },
  });
  const values = flags as { role?: string; label?: string; zones?: string; expires?: string; kind?: string; control?: boolean; 'password-stdin'?: boolean };
  const [noun, verb, target] = positionals;
  if (help || !noun) {
    out(noun === 'config' ? renderHelp('npx vigil config print') : CLI_USAGE);
    return 0;
  }
  if (noun === 'config') {
    if (verb !== 'print') throw new CliError(`Unknown command "config ${verb ?? ''}". Run with --help.`);
    out(renderEffectiveConfig(config).trimEnd());
    return 0;
  }
  const store = await openStore(config);
  // The change goes ahead without its entry (as in the gateway), but the person at the console is told.
  const audit = new AuditTrail(store, {
    onWriteError: (error, draft) => process.stderr.write(`vigil: the audit entry ${draft.kind} was not written: ${(error as Error).message}\n`),
  });
  // The limiter's tables are only needed to make a key: a CLI run that makes none starts faster.
  const cameraKeys = { create: (...key: Parameters<CameraKeys['create']>) => new CameraKeys(store, new LoginLimiter(store.rateLimiter)).create(...key) };
  const accounts = new Accounts(store, audit, cameraKeys);
  try {
    if (noun === 'camera') return await runCameraCommand(verb, positionals.slice(2), flags as CameraFlags, new CameraSources(store, audit, SecretBox.open(config.dataDir)), CLI_ACTOR, out);
    const command = `${noun} ${verb ?? ''}`.trim();
    switch (command) {
      case 'user add': {
        const name = usernameSchema.safeParse(target);
        if (!name.success) throw new CliError('Give a username: lower-case letters, digits, dot, dash, underscore.');
        if (!ACCOUNT_ROLES.includes(values.role as AccountRole)) throw new CliError(`--role must be one of ${ACCOUNT_ROLES.join(', ')}.`);
        const role = values.role as AccountRole;
        if (await store.users.byUsername(name.data)) throw new CliError(`The username ${name.data} is taken.`);
        const { password, generated } = readPassword(values['password-stdin'] === true);
        settled(await accounts.createUser(CLI_ACTOR, { username: name.data, password, role }));
        out(generated ? `Created ${name.data} (${role}). Password (shown once): ${password}` : `Created ${name.data} (${role}).`);
        break;
      }
      case 'user passwd': {
        const user = await userByName(store, target ?? '');
        const { password, generated } = readPassword(values['password-stdin'] === true);
        settled(await accounts.updateUser(CLI_ACTOR, user, { password }));
        out(generated ? `New password for ${user.username} (shown once): ${password}` : `Password of ${user.username} changed.`);
        break;
      }
      case 'user disable': {
        const user = await userByName(store, target ?? '');
        settled(await accounts.updateUser(CLI_ACTOR, user, { disabled: true }));
        out(`Disabled ${user.username}; their sessions are ended.`);
        break;
      }
      case 'user unlock': {
        const user = await userByName(store, target ?? '');
        await new AccountLocks(store, audit, new LoginLimiter(store.rateLimiter)).unlock(CLI_ACTOR, user);
        out(`Unlocked ${user.username}: failed sign-ins no longer hold the account.`);
        break;
      }
      case 'user list': {
        const rows = (await store.users.list()).map((u) => [String(u.id), u.username, u.role, u.disabled ? 'disabled' : 'active', day(u.createdAt)]);
        for (const line of formatTable(['ID', 'USERNAME', 'ROLE', 'STATUS', 'CREATED'], rows)) out(line);
        break;
      }
      case 'grant add': {
        const user = await userByName(store, target ?? '');
        const parsed = createGrantSchema.safeParse({ userId: user.id, pattern: values.zones, control: values.control ?? false, ...(values.expires !== undefined ? { expiresAt: values.expires } : {}) });
        if (!parsed.success) {
          throw new CliError(parsed.error.issues[0]?.path[0] === 'expiresAt'
            ? '--expires must be a time with its offset, e.g. 2026-12-31T18:00:00Z.'
            : '--zones must be a zone id, a prefix ending in * (CBD-*), or *.');
        }
        const expiresAt = parsed.data.expiresAt ? Date.parse(parsed.data.expiresAt) : null;
        const result = await accounts.grant(CLI_ACTOR, user, parsed.data.pattern, expiresAt, parsed.data.control);
        if (!result.ok && result.error.code === 'PAYLOAD_INVALID') throw new CliError('--expires must be in the future.');
        const grant = settled(result);
        out(`Granted ${grant.pattern}${grant.control ? ' with control' : ''} to ${user.username}${expiresAt === null ? '' : ` until ${minute(expiresAt)}`} (grant ${grant.id}).`);
        break;
      }
      case 'grant list': {
        const names = new Map((await store.users.list()).map((u) => [u.id, u.username]));
        const only = target === undefined ? null : (await userByName(store, target)).id;
        const rows = (await store.grants.list())
          .filter((g) => only === null || g.userId === only)
          .map((g) => [String(g.id), names.get(g.userId) ?? '?', g.pattern, g.control ? 'watch+control' : 'watch', minute(g.expiresAt), g.createdBy, day(g.createdAt)]);
        for (const line of formatTable(['ID', 'USER', 'PATTERN', 'RIGHTS', 'EXPIRES', 'BY', 'CREATED'], rows)) out(line);
        break;
      }
      case 'grant revoke': {
        const grant = await store.grants.byId(Number(target));
        if (!grant) throw new CliError(`No grant with id ${target}.`);
        await accounts.removeGrant(CLI_ACTOR, grant);
        out(`Revoked grant ${grant.id} (${grant.pattern}).`);
        break;
      }
      case 'key create': {
        const pattern = zonePatternSchema.safeParse(values.zones);
        if (!pattern.success) throw new CliError('--zones must be a zone id, a prefix ending in * (CBD-*), or *.');
        const label = values.label?.trim();
        if (!label) throw new CliError('--label is required (where the camera is).');
        const { key, secret } = await accounts.createKey(CLI_ACTOR, label, pattern.data);
        out(`Key ${key.id} for ${pattern.data} (shown once): ${secret}`);
        break;
      }
      case 'key revoke': {
        const key = await store.keys.byId(Number(target));
        if (!key) throw new CliError(`No key with id ${target}.`);
        settled(await accounts.revokeKey(CLI_ACTOR, key));
        out(`Revoked key ${key.id} (${key.label}).`);
        break;
      }
      case 'key list': {
        const rows = (await store.keys.list()).map((k) => [
          String(k.id), `${k.prefix}…`, k.zonePattern, k.revokedAt === null ? 'active' : 'revoked', minute(k.lastUsedAt), k.label,
        ]);
        for (const line of formatTable(['ID', 'PREFIX', 'ZONES', 'STATUS', 'LAST USED', 'LABEL'], rows)) out(line);
        break;
      }
      case 'token add': {
        const parsed = createMediaTokenSchema.safeParse({ kind: values.kind, label: values.label, zonePattern: values.zones, expiresAt: values.expires });
        if (!parsed.success) {
          const field = parsed.error.issues[0]?.path[0];
          throw new CliError({
            kind: '--kind must be viewer (WHEP) or publisher (WHIP).',
            label: '--label is required (what plays or publishes with it).',
            zonePattern: '--zones must be a zone id, a prefix ending in * (CBD-*), or *.',
          }[String(field)] ?? '--expires must be a time with its offset, e.g. 2026-12-31T18:00:00Z.');
        }
        const tokens = new MediaTokens(store, audit, store.rateLimiter);
        const created = await tokens.create(CLI_ACTOR, { ...parsed.data, expiresAt: Date.parse(parsed.data.expiresAt) });
        if (!created.ok && created.error.code === 'PAYLOAD_INVALID') throw new CliError('--expires must be in the future.');
        const { token, secret } = settled(created);
        out(`Token ${token.id} (${token.kind}) for ${token.zonePattern} until ${minute(token.expiresAt)} (shown once): ${secret}`);
        break;
      }
      case 'token list': {
        const now = Date.now();
        const rows = (await store.mediaTokens.list()).map((t) => [
          String(t.id), t.kind, `${t.prefix}…`, t.zonePattern,
          t.revokedAt !== null ? 'revoked' : t.expiresAt <= now ? 'expired' : 'active', minute(t.expiresAt), minute(t.lastUsedAt), t.label,
        ]);
        for (const line of formatTable(['ID', 'KIND', 'PREFIX', 'ZONES', 'STATUS', 'EXPIRES', 'LAST USED', 'LABEL'], rows)) out(line);
        break;
      }
      case 'token revoke': {
        const token = await store.mediaTokens.byId(Number(target));
        if (!token) throw new CliError(`No token with id ${target}.`);
        settled(await new MediaTokens(store, audit, store.rateLimiter).revoke(CLI_ACTOR, token));
        out(`Revoked token ${token.id} (${token.label}).`);
        break;
      }
      case 'audit verify': {
        const result = await audit.verify();
        out(result.ok ? `Audit chain intact: ${result.checked} entries verified.` : `Audit chain BROKEN at entry ${result.firstBadId}: ${result.reason} (${result.checked} entries verified before it).`);
        return result.ok ? 0 : 1;
      }
      default:
        throw new CliError(`Unknown command "${command}". Run with --help.`);
    }
    return 0;
  } finally {
    await audit.flush();
    await store.close();
  }
}

try {
  process.exitCode = await run(process.argv.slice(2), (line) => process.stdout.write(`${line}\n`));
} catch (error) {
  const message = error instanceof CliError || error instanceof ConfigError || error instanceof CameraCommandError
    ? (error as Error).message
    : `unexpected failure: ${(error as Error).message}`;
  process.stderr.write(`vigil: ${message}\n`);
  process.exitCode = 2;
}
