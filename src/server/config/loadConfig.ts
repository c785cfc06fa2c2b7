import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { configSchema, type GatewayConfig } from './configSchema.ts';
import { flagNameOf, OPTION_FIELDS, type OptionField } from './optionFields.ts';

/** A start-up problem the person running the gateway can fix; printed as one sentence. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export const CONFIG_ENV = 'VIGIL_CONFIG';

type Tree = Record<string, unknown>;

/** The layers merged so far, and which layer set each key (for error messages). */
class Layers {
  readonly input: Tree = {};
  private readonly sources = new Map<string, string>();

  set(path: readonly string[], value: unknown, source: string): void {
    let node = this.input;
    for (const segment of path.slice(0, -1)) {
      const next = node[segment];
      node = (node[segment] = typeof next === 'object' && next !== null && !Array.isArray(next) ? next : {}) as Tree;
    }
    node[path.at(-1)!] = value;
    this.sources.set(path.join('.'), source);
  }

  /** The layer that set `path` or its nearest parent; the file when a key came from nowhere else. */
  sourceOf(path: readonly PropertyKey[]): string | undefined {
    for (let n = path.length; n > 0; n -= 1) {
      const source = this.sources.get(path.slice(0, n).join('.'));
      if (source) return source;
    }
    return undefined;
  }
}

const describeValue = (raw: string) => (raw.length > 40 ? `"${raw.slice(0, 40)}…"` : `"${raw}"`);

/** Turns the text of an environment variable or flag into the value its leaf expects. */
function fromText(field: OptionField, raw: string, source: string): unknown {
  switch (field.kind) {
    case 'number':
      if (!/^-?\d+(\.\d+)?$/.test(raw.trim())) throw new ConfigError(`"${field.key}" from ${source} must be a number, not ${describeValue(raw)}.`);
      return Number(raw);
    case 'boolean':
      if (/^(true|1|yes|on)$/i.test(raw)) return true;
      if (/^(false|0|no|off)$/i.test(raw)) return false;
      throw new ConfigError(`"${field.key}" from ${source} must be true or false, not ${describeValue(raw)}.`);
    case 'list':
      return raw.split(',').map((item) => item.trim()).filter(Boolean);
    case 'json':
      try {
        return JSON.parse(raw);
      } catch {
        throw new ConfigError(`"${field.key}" from ${source} must be JSON, not ${describeValue(raw)}.`);
      }
    default:
      return raw;
  }
}

function readConfigFile(file: string): Tree {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'it does not exist' : (error as Error).message;
    throw new ConfigError(`Cannot read the configuration file ${file}: ${reason}.`);
  }
  let parsed: unknown;
  try {
    // YAML is a superset of JSON, so one parser reads both.
    parsed = parseYaml(text, { uniqueKeys: true });
  } catch (error) {
    const reason = String((error as Error).message).split('\n')[0]!.replace(/[.:]$/, '');
    throw new ConfigError(`The configuration file ${file} is not valid YAML or JSON: ${reason}.`);
  }
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) throw new ConfigError(`The configuration file ${file} must hold a mapping of options, not a ${Array.isArray(parsed) ? 'list' : typeof parsed}.`);
  return parsed as Tree;
}

/** Copies a file's tree leaf by leaf so each key remembers that it came from the file. */
function addFileLayer(layers: Layers, tree: Tree, file: string, prefix: string[] = []): void {
  for (const [key, value] of Object.entries(tree)) {
    const path = [...prefix, key];
    const isGroup = OPTION_FIELDS.some((f) => f.path.length > path.length && path.every((s, i) => f.path[i] === s));
    if (isGroup && typeof value === 'object' && value !== null && !Array.isArray(value)) addFileLayer(layers, value as Tree, file, path);
    else layers.set(path, value, file);
  }
}

const flagOptions: ParseArgsConfig['options'] = {
  config: { type: 'string', short: 'c' },
  help: { type: 'boolean', short: 'h' },
  ...Object.fromEntries(OPTION_FIELDS.filter((f) => f.flag).map((f) => [f.flag!, { type: 'string' as const }])),
};

const SECRET_FLAGS = new Map(OPTION_FIELDS.filter((f) => f.meta.secret).map((f) => [`--${flagNameOf(f.path)}`, f]));

function describeFlagError(error: Error): string {
  const unknown = /Unknown option '([^']+)'/.exec(error.message)?.[1];
  const secret = unknown ? SECRET_FLAGS.get(unknown.split('=')[0]!) : undefined;
  if (secret) return `${unknown} is not accepted: "${secret.key}" is a secret, so it is read from the config file or ${secret.env}, never from the command line.`;
  if (unknown) return `Unknown option ${unknown}. Run with --help to see the options.`;
  return `${error.message.replace(/\.$/, '')}. Run with --help to see the options.`;
}

export interface LoadedConfig {
  config: GatewayConfig;
  /** The file read, if any. */
  file: string | null;
  help: boolean;
  /** Arguments left over for a command (the CLI's `user add …`). */
  positionals: string[];
}

export interface LoadOptions {
  /** Extra flags a command accepts besides the configuration flags. */
  extraFlags?: ParseArgsConfig['options'];
  allowPositionals?: boolean;
}

/** Layers, lowest first: defaults < config file < environment (`VIGIL_*`) < flags. Validated once, frozen. */
export function loadConfig(argv: readonly string[], env: NodeJS.ProcessEnv, options: LoadOptions = {}): LoadedConfig & { flags: Record<string, unknown> } {
  let parsed: { values: Record<string, unknown>; positionals: string[] };
  try {
    parsed = parseArgs({
      args: [...argv],
      options: { ...flagOptions, ...options.extraFlags },
      strict: true,
      allowPositionals: options.allowPositionals ?? false,
    }) as typeof parsed;
  } catch (error) {
    throw new ConfigError(describeFlagError(error as Error));
  }
  const flags = parsed.values;
  const layers = new Layers();

  const fileArg = (flags.config as string | undefined) ?? env[CONFIG_ENV];
  const file = fileArg ? resolve(fileArg) : null;
  if (file) addFileLayer(layers, readConfigFile(file), file);

  const known = new Set([CONFIG_ENV, ...OPTION_FIELDS.map((f) => f.env)]);
  const stray = Object.keys(env).filter((name) => name.startsWith('VIGIL_') && !known.has(name)).sort();
  if (stray.length > 0) throw new ConfigError(`Unknown environment variable ${stray[0]}; see docs/configuration.md for the VIGIL_* names.`);
  for (const field of OPTION_FIELDS) {
    const raw = env[field.env];
    if (raw !== undefined) layers.set(field.path, fromText(field, raw, field.env), field.env);
  }
  for (const field of OPTION_FIELDS) {
    const raw = field.flag ? flags[field.flag] : undefined;
    if (typeof raw === 'string') layers.set(field.path, fromText(field, raw, `--${field.flag}`), `--${field.flag}`);
  }

  return { config: validateLayers(layers), file, help: flags.help === true, positionals: parsed.positionals, flags };
}

function validateLayers(layers: Layers): GatewayConfig {
  const parsed = configSchema.safeParse(layers.input);
  if (parsed.success) return deepFreeze(parsed.data);
  // A misspelt key explains a missing one, so unknown keys are reported first.
  const issue = parsed.error.issues.find((i) => i.code === 'unrecognized_keys') ?? parsed.error.issues[0]!;
  if (issue.code === 'unrecognized_keys') {
    const key = [...issue.path, issue.keys[0]!].join('.');
    const source = layers.sourceOf(issue.path) ?? layers.sourceOf([...issue.path, issue.keys[0]!]);
    throw new ConfigError(`Unknown configuration key "${key}"${source ? ` in ${source}` : ''}; see docs/configuration.md for the options.`);
  }
  const key = issue.path.join('.') || 'configuration';
  const field = OPTION_FIELDS.find((f) => f.key === key);
  if (issue.code === 'invalid_type' && issue.message.endsWith('received undefined') && field) {
    throw new ConfigError(`Missing configuration "${key}": it is required when "${field.path.slice(0, -1).join('.')}" is set; give it in the config file or ${field.env}.`);
  }
  const source = layers.sourceOf(issue.path);
  throw new ConfigError(`Invalid configuration "${key}"${source ? ` (from ${source})` : ''}: ${issue.message.replace(/\.$/, '')}.`);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

/** Validates a configuration built in code (tests, the bench); a bad value is one sentence naming the key. */
export function validateConfig(input: Tree): GatewayConfig {
  const layers = new Layers();
  Object.assign(layers.input, input);
  return validateLayers(layers);
}
