import type { z } from 'zod';
import { configSchema, type OptionMeta } from './configSchema.ts';

/** How a leaf's text (from the environment or a flag) becomes a value. */
export type OptionKind = 'string' | 'number' | 'boolean' | 'enum' | 'list' | 'json';

/** One leaf of the schema, with the names it goes by in every layer. */
export interface OptionField {
  /** Dotted path in the file and in `config print`: `turn.ttlSeconds`. */
  key: string;
  path: readonly string[];
  kind: OptionKind;
  enumValues?: readonly string[];
  default?: unknown;
  required: boolean;
  meta: OptionMeta;
  env: string;
  /** Absent for secrets: they never go on a command line. */
  flag?: string;
}

type AnySchema = z.ZodType & { def: { type: string; innerType?: AnySchema; defaultValue?: unknown; element?: AnySchema; entries?: Record<string, string> }; meta(): unknown };

const snake = (segment: string) => segment.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase();
const kebab = (segment: string) => segment.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

export const envNameOf = (path: readonly string[]) => `VIGIL_${path.map(snake).join('_')}`;
export const flagNameOf = (path: readonly string[]) => path.map(kebab).join('-');

function kindOf(schema: AnySchema): Pick<OptionField, 'kind' | 'enumValues'> {
  switch (schema.def.type) {
    case 'string': return { kind: 'string' };
    case 'number': return { kind: 'number' };
    case 'boolean': return { kind: 'boolean' };
    case 'enum': return { kind: 'enum', enumValues: Object.values(schema.def.entries ?? {}) };
    case 'array': return schema.def.element?.def.type === 'string' ? { kind: 'list' } : { kind: 'json' };
    default: return { kind: 'json' };
  }
}

function walk(schema: AnySchema, path: string[], requiredParent: boolean, out: OptionField[]): void {
  let current = schema;
  let meta = current.meta() as OptionMeta | undefined;
  let fallback: unknown;
  let required = requiredParent;
  // Peel optional/default wrappers, keeping the first metadata and default met.
  while (['optional', 'default', 'prefault', 'nullable'].includes(current.def.type)) {
    if (current.def.type === 'optional') required = false;
    if (current.def.type === 'default' && fallback === undefined) fallback = current.def.defaultValue;
    if (current.def.type === 'default' || current.def.type === 'prefault') required = false;
    current = current.def.innerType!;
    meta ??= current.meta() as OptionMeta | undefined;
  }
  if (current.def.type === 'object') {
    for (const [name, child] of Object.entries((current as unknown as z.ZodObject).shape)) {
      walk(child as unknown as AnySchema, [...path, name], requiredParent && required, out);
    }
    return;
  }
  if (!meta?.description) throw new Error(`configuration option ${path.join('.')} has no description`);
  out.push({
    key: path.join('.'),
    path,
    ...kindOf(current),
    ...(fallback !== undefined ? { default: fallback } : {}),
    required: required && fallback === undefined,
    meta,
    env: envNameOf(path),
    ...(meta.secret || meta.holdsSecrets ? {} : { flag: flagNameOf(path) }),
  });
}

/** Every option of the gateway, in schema order. */
export const OPTION_FIELDS: readonly OptionField[] = (() => {
  const out: OptionField[] = [];
  walk(configSchema as unknown as AnySchema, [], true, out);
  return Object.freeze(out);
})();
