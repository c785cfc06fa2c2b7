/**
 * The audit catalogue: every kind of entry the trail may hold, and the fields of one entry.
 * The record and row types, both stores' inserts, the hash input, the CSV export and the audit
 * page's kind filter are all derived from here, so a kind or a field is added in one place.
 * docs/security.md lists the same kinds; a test fails when they differ.
 *
 * A new kind: its entry in AUDIT_KINDS and its row in docs/security.md. A new field: its entry in
 * AUDIT_FIELDS with `hashedSince` one above AUDIT_HASH_FORMAT, and a migration adding its column,
 * nullable because the entries already written have no value for it.
 */

export const AUDIT_KINDS = {
  'login.success': 'a person signed in',
  'login.failure': 'a sign-in was refused (wrong password, unknown user, disabled account, rate limited)',
  logout: 'a person signed out',
  'session.revoked': 'an admin ended a session',
  'view.started': 'an operator started watching a zone',
  'view.ended': 'a view ended, with its reason and duration',
  'view.denied': 'a watch was refused',
  'view.snapshot': 'an operator saved a still of a zone it watches (its SHA-256, before the file existed)',
  'event.acknowledged': 'an operator acknowledged a motion or tamper event of a zone it may watch',
  'event.annotated': 'an operator wrote a note on a motion or tamper event',
  'event.snapshot': 'someone looked at a motion or tamper event\'s snapshot',
  'publish.started': 'a camera started publishing a zone',
  'publish.ended': 'a publish ended, with its reason and duration',
  'publish.denied': 'a publish was refused',
  'signal.denied': 'a relayed SDP or ICE message was refused',
  'event.denied': 'a signalling event was refused (unknown, invalid, not allowed for the role, rate limited)',
  'connect.denied': 'a signalling connection was refused (handshake or origin)',
  'connection.dropped': 'a connection was closed for not reading what it was sent',
  'denial.suppressed': 'one connection passed the number of denials recorded; later ones are not',
  'api.denied': 'an API or metrics request was refused',
  'user.created': 'an account was created',
  'user.updated': 'an account was changed (role, password, disabled)',
  'user.unlocked': 'an admin unlocked an account locked by failed sign-ins',
  'grant.created': 'a zone grant was given',
  'grant.removed': 'a zone grant was removed',
  'key.created': 'a camera key was created',
  'key.revoked': 'a camera key was revoked',
  'token.created': 'a WHEP viewer or WHIP publisher token was created',
  'token.revoked': 'a WHEP viewer or WHIP publisher token was revoked',
  'camera.added': 'an IP camera was added (admin page, CLI or config file)',
  'camera.removed': 'an IP camera was removed',
  'camera.described': 'an admin named, placed or described a zone\'s camera, or forgot it',
  'camera.masked': 'an admin set or cleared a zone\'s privacy masks (the polygons its camera node blacks out)',
  'camera.detection': 'an admin set a zone\'s detection settings (threshold, minimum area, motion and ignore zones)',
  'camera.recording': 'an admin turned a zone\'s evidence recording on or off (a browser camera then publishes through the relay)',
  'camera.ptz': 'an operator steered a camera (a move, a stop after it, a preset) or was refused',
  'evidence.saved': 'a clip was cut from a camera\'s ring buffer (by an event or an operator), with its SHA-256',
  'evidence.viewed': 'someone played a clip (its SHA-256)',
  'evidence.downloaded': 'someone downloaded a clip (its SHA-256)',
  'evidence.held': 'an admin put a clip under legal hold or released it',
  'evidence.deleted': 'retention deleted a clip (older than the camera\'s days, or over its size)',
  'evidence.retention': 'an admin set a camera\'s evidence retention (days, size)',
  'audit.exported': 'the trail was exported as CSV',
  'audit.pruned': 'entries past retention were removed behind an anchor',
} as const satisfies Record<string, string>;

/** The closed set: recording any other kind is a type error. */
export type AuditKind = keyof typeof AUDIT_KINDS;

/** In catalogue order, which is the order the audit page offers them in. */
export const AUDIT_KIND_NAMES = Object.keys(AUDIT_KINDS) as AuditKind[];

export const isAuditKind = (value: string): value is AuditKind => Object.hasOwn(AUDIT_KINDS, value);

export type AuditOutcome = 'ok' | 'denied';

/** Who fills a field in: whoever records the entry, or the store as it chains it. */
type FilledBy = 'caller' | 'store';

/**
 * One field of an entry: its record property, its column in both stores and how its value is
 * held there. `hashedSince` is the first hash format that covers it: a field added later gets
 * the next number, so entries written before it keep verifying under the format they name.
 */
export interface AuditField<Key extends string = string, Column extends string = string, Value = unknown, Stored = unknown, From extends FilledBy = FilledBy> {
  readonly key: Key;
  readonly column: Column;
  readonly from: From;
  /** Absent: not hashed (the id, the hash itself, the format number). */
  readonly hashedSince?: number;
  readonly csv: boolean;
  toColumn(value: Value): Stored;
  fromColumn(stored: Stored): Value;
}

const same = <Value>() => ({ toColumn: (value: Value) => value, fromColumn: (stored: Value) => stored });
const jsonText = {
  toColumn: (value: Record<string, unknown>) => JSON.stringify(value),
  fromColumn: (stored: string) => JSON.parse(stored) as Record<string, unknown>,
};

function field<const Key extends string, const Column extends string, Value, Stored, const From extends FilledBy>(
  key: Key, column: Column, codec: { toColumn(value: Value): Stored; fromColumn(stored: Stored): Value },
  options: { from: From; hashedSince?: number; csv?: boolean },
): AuditField<Key, Column, Value, Stored, From> {
  return { key, column, ...codec, from: options.from, hashedSince: options.hashedSince, csv: options.csv ?? true };
}

const caller = { from: 'caller', hashedSince: 1 } as const;

/**
 * The fields in order. The hash input of format N is the fields with `hashedSince <= N`, in this
 * order, as their columns hold them; the CSV export has the `csv` ones in this order.
 */
export const AUDIT_FIELDS = [
  field('id', 'id', same<number>(), { from: 'store' }),
  field('prevHash', 'prev_hash', same<string>(), { from: 'store', hashedSince: 1, csv: false }),
  field('at', 'at', same<string>(), { from: 'store', hashedSince: 1 }), // ISO 8601 UTC: sorts as it reads
  field('kind', 'kind', same<AuditKind>(), caller),
  field('actor', 'actor', same<string | null>(), caller),
  field('actorRole', 'actor_role', same<string | null>(), caller),
  field('zone', 'zone', same<string | null>(), caller),
  field('address', 'address', same<string | null>(), caller),
  field('userAgent', 'user_agent', same<string | null>(), caller),
  field('outcome', 'outcome', same<AuditOutcome>(), caller),
  field('detail', 'detail', jsonText, caller),
  field('hash', 'hash', same<string>(), { from: 'store' }),
  field('hashVersion', 'hash_version', same<number>(), { from: 'store' }),
] as const;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a field of any value type
export type AnyAuditField = AuditField<string, string, any, any>;
type ValueOf<F> = F extends AuditField<string, string, infer Value, any> ? Value : never;
type StoredOf<F> = F extends AuditField<string, string, any, infer Stored> ? Stored : never;

/** The record of a field list, keyed by property. */
export type EntryOf<Fields extends readonly AnyAuditField[]> = { [F in Fields[number] as F['key']]: ValueOf<F> };
/** The row of a field list as both engines return it, keyed by column. */
export type RowOf<Fields extends readonly AnyAuditField[]> = { [F in Fields[number] as F['column']]: StoredOf<F> };

/** A stored entry. */
export type AuditEntry = EntryOf<typeof AUDIT_FIELDS>;
/** What a caller asks to record; the store adds the rest as it chains the entry. */
export type AuditEntryDraft = EntryOf<Extract<(typeof AUDIT_FIELDS)[number], { from: 'caller' }>[]>;

/** The newest hash format of a field list: what new entries are written with. */
export const hashFormatOf = (fields: readonly AnyAuditField[]): number => Math.max(...fields.map((f) => f.hashedSince ?? 0));

export const AUDIT_HASH_FORMAT = hashFormatOf(AUDIT_FIELDS);
