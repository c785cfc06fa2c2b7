/**
 * Everything printed about the configuration is generated from the schema (via OPTION_FIELDS),
 * so `--help`, `docs/configuration.md` and `vigil config print` cannot drift from it.
 */
import { stringify } from 'yaml';
import type { GatewayConfig } from './configSchema.ts';
import { CONFIG_ENV } from './loadConfig.ts';
import { OPTION_FIELDS, type OptionField } from './optionFields.ts';

export const MASK = '********';

function placeholder(field: OptionField): string {
  if (field.kind === 'enum') return field.enumValues!.join('|');
  return field.meta.example ?? '<value>';
}

function plain(markdown: string): string {
  return markdown.replace(/`/g, '');
}

function defaultText(field: OptionField): string {
  if (field.default === undefined) return '';
  return Array.isArray(field.default) ? field.default.join(',') : String(field.default);
}

export function renderHelp(command = 'npm start --'): string {
  const rows = OPTION_FIELDS.map((field) => {
    const left = field.flag ? `--${field.flag} ${placeholder(field)}` : `(${field.env} only)`;
    const fallback = defaultText(field);
    return `  ${left.padEnd(40)} ${plain(field.meta.description)}${fallback ? ` Default: ${fallback}.` : ''}`;
  });
  return [
    `Usage: ${command} [--config <file>] [options]`,
    '',
    'Layers, lowest first: defaults < config file (YAML or JSON) < environment (VIGIL_*) < flags.',
    `  -c, --config <file>                      configuration file (env ${CONFIG_ENV})`,
    ...rows,
    '  -h, --help                               show this help',
    '',
    'Every option is also an environment variable: VIGIL_ and its path in capitals (VIGIL_TURN_TTL_SECONDS).',
    'Secrets are read from the file or the environment only, never from a flag.',
    'Commands: npm run vigil -- user|key|audit|config … (npm run vigil -- --help); full reference: docs/configuration.md',
  ].join('\n');
}

function yamlValue(field: OptionField): string {
  if (field.default === undefined) return '';
  return `\`${JSON.stringify(field.default)}\``;
}

/** `docs/configuration.md`; a test fails when the committed file differs from this. */
export function renderConfigurationDoc(): string {
  const rows = OPTION_FIELDS.map((field) => {
    const type = field.kind === 'enum' ? field.enumValues!.map((v) => `\`${v}\``).join(' \\| ') : field.kind === 'list' ? 'list of strings' : field.kind;
    const flag = field.flag ? `\`--${field.flag}\`` : '— (secret)';
    return `| \`${field.key}\` | ${type} | ${yamlValue(field) || '—'} | \`${field.env}\` | ${flag} | ${field.meta.description} |`;
  });
  return `<!-- Generated from src/server/config/configSchema.ts by \`npm run docs:config\`; a test fails when it drifts. Do not edit by hand. -->
# Configuration

Vigil reads its configuration from four layers; a later layer overrides an earlier one:

1. **defaults** (below),
2. a **config file**, YAML or JSON, named by \`--config <file>\` or \`${CONFIG_ENV}\`,
3. the **environment**: \`VIGIL_\` followed by the option's path in capitals, \`_\` between words
   (\`turn.ttlSeconds\` is \`VIGIL_TURN_TTL_SECONDS\`); lists are comma separated, \`iceServers\` is JSON,
4. **flags** on the command line: the path in kebab case (\`--turn-ttl-seconds\`).

Secrets (marked below) are accepted from the file and the environment only: a command line can be
read by every user of the host. The configuration is validated at start: an unknown key, a wrong
type or an unreadable file ends start-up with one sentence naming the key and where it came from.

\`npm run vigil -- config print\` prints the effective configuration with secrets masked;
\`npm start -- --help\` lists the flags.

| key | type | default | environment | flag | meaning |
|---|---|---|---|---|---|
${rows.join('\n')}

## Example \`vigil.yaml\`

\`\`\`yaml
host: 0.0.0.0
port: 8443
dataDir: /var/lib/vigil
trustedProxies: [127.0.0.1]
turn:
  urls: ["turn:turn.example.city:3478?transport=udp"]
  secret: change-me-to-the-coturn-static-auth-secret
session:
  idleMinutes: 30
metrics:
  allowFrom: [127.0.0.1, 10.20.0.0/16]
\`\`\`
`;
}

/** The effective configuration as YAML, every secret replaced by ${MASK}. */
export function renderEffectiveConfig(config: GatewayConfig): string {
  const copy = structuredClone(config) as Record<string, unknown>;
  for (const field of OPTION_FIELDS.filter((f) => f.meta.secret)) {
    let node: Record<string, unknown> | undefined = copy;
    for (const segment of field.path.slice(0, -1)) node = node?.[segment] as Record<string, unknown> | undefined;
    const leaf = field.path.at(-1)!;
    if (node && node[leaf] !== undefined) node[leaf] = MASK;
  }
  // Credentials inside iceServers and cameras entries are secrets too.
  for (const server of (copy.iceServers as { credential?: string }[] | undefined) ?? []) {
    if (server.credential !== undefined) server.credential = MASK;
  }
  for (const camera of (copy.cameras as { password?: string }[] | undefined) ?? []) {
    if (camera.password !== undefined) camera.password = MASK;
  }
  return stringify(copy);
}
