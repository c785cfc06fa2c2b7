/**
 * Numbered migrations, applied in order at start inside one transaction each, the same numbers
 * for both engines (SQLite on one box, PostgreSQL for a cluster), each in its engine's dialect.
 * Never edit one that has shipped: add the next number.
 */
export interface Migration {
  version: number;
  name: string;
  sqlite: string;
  postgres: string;
}

export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'access control and audit',
    sqlite: `
      CREATE TABLE users (
        id INTEGER PRIMARY KEY,
        username TEXT NOT NULL UNIQUE,
        password_hash TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('admin', 'operator', 'auditor')),
        disabled INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL
      );
      CREATE TABLE sessions (
        id INTEGER PRIMARY KEY,
        token_hash BLOB NOT NULL UNIQUE,
        user_id INTEGER NOT NULL REFERENCES users(id),
        created_at INTEGER NOT NULL,
        last_seen_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        revoked_at INTEGER,
        revoked_reason TEXT,
        address TEXT NOT NULL,
        user_agent TEXT NOT NULL
      );
      CREATE INDEX sessions_user ON sessions(user_id);
      CREATE TABLE grants (
        id INTEGER PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES users(id),
        pattern TEXT NOT NULL,
        expires_at INTEGER,
        created_at INTEGER NOT NULL,
        created_by TEXT NOT NULL
      );
      CREATE INDEX grants_user ON grants(user_id);
      CREATE TABLE api_keys (
        id INTEGER PRIMARY KEY,
        label TEXT NOT NULL,
        zone_pattern TEXT NOT NULL,
        key_hash BLOB NOT NULL UNIQUE,
        prefix TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        created_by TEXT NOT NULL,
        revoked_at INTEGER,
        last_used_at INTEGER
      );
      CREATE TABLE audit (
        -- AUTOINCREMENT: ids are never reused, even after every entry was pruned.
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        kind TEXT NOT NULL,
        actor TEXT,
        actor_role TEXT,
        zone TEXT,
        address TEXT,
        user_agent TEXT,
        outcome TEXT NOT NULL CHECK (outcome IN ('ok', 'denied')),
        detail TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
      );
      CREATE INDEX audit_at ON audit(at);
      CREATE TABLE audit_anchor (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        last_id INTEGER NOT NULL,
        last_hash TEXT NOT NULL,
        pruned_at TEXT NOT NULL
      );
      CREATE TABLE live_activity (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        actor TEXT NOT NULL,
        actor_role TEXT NOT NULL,
        zone TEXT NOT NULL,
        address TEXT NOT NULL,
        user_agent TEXT NOT NULL,
        started_at INTEGER NOT NULL
      );
      CREATE TABLE change_seq (id INTEGER PRIMARY KEY CHECK (id = 1), seq INTEGER NOT NULL);
      INSERT INTO change_seq (id, seq) VALUES (1, 0);
    `,
    postgres: `
      CREATE TABLE users (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        username TEXT NOT NULL UNIQUE,
        password_hash TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('admin', 'operator', 'auditor')),
        disabled BOOLEAN NOT NULL DEFAULT false,
        created_at BIGINT NOT NULL
      );
      CREATE TABLE sessions (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        token_hash BYTEA NOT NULL UNIQUE,
        user_id BIGINT NOT NULL REFERENCES users(id),
        created_at BIGINT NOT NULL,
        last_seen_at BIGINT NOT NULL,
        expires_at BIGINT NOT NULL,
        revoked_at BIGINT,
        revoked_reason TEXT,
        address TEXT NOT NULL,
        user_agent TEXT NOT NULL
      );
      CREATE INDEX sessions_user ON sessions(user_id);
      CREATE TABLE grants (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        user_id BIGINT NOT NULL REFERENCES users(id),
        pattern TEXT NOT NULL,
        expires_at BIGINT,
        created_at BIGINT NOT NULL,
        created_by TEXT NOT NULL
      );
      CREATE INDEX grants_user ON grants(user_id);
      CREATE TABLE api_keys (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        label TEXT NOT NULL,
        zone_pattern TEXT NOT NULL,
        key_hash BYTEA NOT NULL UNIQUE,
        prefix TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        created_by TEXT NOT NULL,
        revoked_at BIGINT,
        last_used_at BIGINT
      );
      -- Ids are assigned under the chain lock (max + 1, never below the anchor), not by a sequence:
      -- a sequence leaves gaps on rollback, and a gap is what a deleted entry looks like.
      CREATE TABLE audit (
        id BIGINT PRIMARY KEY,
        at TEXT NOT NULL,
        kind TEXT NOT NULL,
        actor TEXT,
        actor_role TEXT,
        zone TEXT,
        address TEXT,
        user_agent TEXT,
        outcome TEXT NOT NULL CHECK (outcome IN ('ok', 'denied')),
        detail TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
      );
      CREATE INDEX audit_at ON audit(at);
      CREATE TABLE audit_anchor (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        last_id BIGINT NOT NULL,
        last_hash TEXT NOT NULL,
        pruned_at TEXT NOT NULL
      );
      CREATE TABLE live_activity (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        actor TEXT NOT NULL,
        actor_role TEXT NOT NULL,
        zone TEXT NOT NULL,
        address TEXT NOT NULL,
        user_agent TEXT NOT NULL,
        started_at BIGINT NOT NULL
      );
      CREATE TABLE change_seq (id INTEGER PRIMARY KEY CHECK (id = 1), seq BIGINT NOT NULL);
      INSERT INTO change_seq (id, seq) VALUES (1, 0);
      -- rate-limiter-flexible's RateLimiterPostgres layout (it is told the table exists).
      CREATE TABLE rate_limits (key VARCHAR(255) PRIMARY KEY, points INTEGER NOT NULL DEFAULT 0, expire BIGINT);
    `,
  },
  {
    version: 2,
    name: 'rate limits table and the node of each live activity',
    // The login limits' table is made here rather than by the limiter, so it exists before the
    // first request; `node` says which gateway holds a view, so a cluster closes only a dead
    // node's views at start.
    sqlite: `
      CREATE TABLE IF NOT EXISTS rate_limits (key TEXT PRIMARY KEY, points INTEGER NOT NULL DEFAULT 0, expire INTEGER);
      ALTER TABLE live_activity ADD COLUMN node TEXT NOT NULL DEFAULT '';
    `,
    postgres: `
      ALTER TABLE live_activity ADD COLUMN node TEXT NOT NULL DEFAULT '';
    `,
  },
  {
    version: 3,
    name: 'the head of the audit chain',
    // The id and hash of the newest entry, moved in the same transaction as every append: the
    // chain itself cannot tell that its newest entries were deleted, the head can.
    sqlite: `
      CREATE TABLE audit_head (id INTEGER PRIMARY KEY CHECK (id = 1), last_id INTEGER NOT NULL, last_hash TEXT NOT NULL);
      INSERT INTO audit_head (id, last_id, last_hash)
        SELECT 1, id, hash FROM audit ORDER BY id DESC LIMIT 1;
      INSERT OR IGNORE INTO audit_head (id, last_id, last_hash)
        SELECT 1, last_id, last_hash FROM audit_anchor WHERE id = 1;
    `,
    postgres: `
      CREATE TABLE audit_head (id INTEGER PRIMARY KEY CHECK (id = 1), last_id BIGINT NOT NULL, last_hash TEXT NOT NULL);
      INSERT INTO audit_head (id, last_id, last_hash)
        SELECT 1, id, hash FROM audit ORDER BY id DESC LIMIT 1;
      INSERT INTO audit_head (id, last_id, last_hash)
        SELECT 1, last_id, last_hash FROM audit_anchor WHERE id = 1
        ON CONFLICT (id) DO NOTHING;
    `,
  },
  {
    version: 4,
    name: 'the hash format of each audit entry',
    // Entries name the format their hash was computed with, so a field added to the hash later
    // leaves every older entry verifiable; the entries already written used format 1.
    sqlite: `
      ALTER TABLE audit ADD COLUMN hash_version INTEGER NOT NULL DEFAULT 1;
    `,
    postgres: `
      ALTER TABLE audit ADD COLUMN hash_version INTEGER NOT NULL DEFAULT 1;
    `,
  },
  {
    version: 5,
    name: 'WHEP viewer and WHIP publisher tokens',
    // Bearer tokens for the HTTP media endpoints: like camera keys, only their SHA-256 is kept.
    sqlite: `
      CREATE TABLE media_tokens (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('viewer', 'publisher')),
        label TEXT NOT NULL,
        zone_pattern TEXT NOT NULL,
        token_hash BLOB NOT NULL UNIQUE,
        prefix TEXT NOT NULL,
        expires_at INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        created_by TEXT NOT NULL,
        revoked_at INTEGER,
        last_used_at INTEGER
      );
    `,
    postgres: `
      CREATE TABLE media_tokens (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('viewer', 'publisher')),
        label TEXT NOT NULL,
        zone_pattern TEXT NOT NULL,
        token_hash BYTEA NOT NULL UNIQUE,
        prefix TEXT NOT NULL,
        expires_at BIGINT NOT NULL,
        created_at BIGINT NOT NULL,
        created_by TEXT NOT NULL,
        revoked_at BIGINT,
        last_used_at BIGINT
      );
    `,
  },
  {
    version: 6,
    name: 'IP cameras the gateway pulls',
    // The password is sealed (AES-256-GCM, the key outside the database: see SecretBox).
    sqlite: `
      CREATE TABLE camera_sources (
        id INTEGER PRIMARY KEY,
        zone TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        url TEXT NOT NULL,
        username TEXT,
        sealed_password TEXT,
        transport TEXT NOT NULL CHECK (transport IN ('tcp', 'udp')),
        transcode INTEGER NOT NULL DEFAULT 0,
        origin TEXT NOT NULL CHECK (origin IN ('config', 'admin')),
        created_at INTEGER NOT NULL,
        created_by TEXT NOT NULL
      );
    `,
    postgres: `
      CREATE TABLE camera_sources (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        zone TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        url TEXT NOT NULL,
        username TEXT,
        sealed_password TEXT,
        transport TEXT NOT NULL CHECK (transport IN ('tcp', 'udp')),
        transcode BOOLEAN NOT NULL DEFAULT FALSE,
        origin TEXT NOT NULL CHECK (origin IN ('config', 'admin')),
        created_at BIGINT NOT NULL,
        created_by TEXT NOT NULL
      );
    `,
  },
  {
    version: 7,
    name: 'camera control (PTZ): a grant right, and where an IP camera answers ONVIF',
    sqlite: `
      ALTER TABLE grants ADD COLUMN control INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE camera_sources ADD COLUMN onvif_address TEXT;
      ALTER TABLE camera_sources ADD COLUMN onvif_profile TEXT;
    `,
    postgres: `
      ALTER TABLE grants ADD COLUMN control BOOLEAN NOT NULL DEFAULT FALSE;
      ALTER TABLE camera_sources ADD COLUMN onvif_address TEXT;
      ALTER TABLE camera_sources ADD COLUMN onvif_profile TEXT;
    `,
  },
  {
    version: 8,
    name: 'video walls: each operator\'s current wall and saved layouts, and shared ones',
    // scope: 'user:<id>' (an operator's own) or 'shared' (published by an admin); name '' is the wall as last left.
    sqlite: `
      CREATE TABLE wall_layouts (
        id INTEGER PRIMARY KEY,
        scope TEXT NOT NULL,
        name TEXT NOT NULL,
        grid TEXT NOT NULL,
        zones TEXT NOT NULL,
        updated_at INTEGER NOT NULL,
        updated_by TEXT NOT NULL,
        UNIQUE (scope, name)
      );
    `,
    postgres: `
      CREATE TABLE wall_layouts (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        scope TEXT NOT NULL,
        name TEXT NOT NULL,
        grid TEXT NOT NULL,
        zones TEXT NOT NULL,
        updated_at BIGINT NOT NULL,
        updated_by TEXT NOT NULL,
        UNIQUE (scope, name)
      );
    `,
  },
  {
    version: 9,
    name: 'named cameras: what an admin says of each zone\'s camera, and the key that last published it and when',
    sqlite: `
      CREATE TABLE camera_profiles (
        zone TEXT PRIMARY KEY,
        name TEXT,
        location TEXT,
        description TEXT,
        camera_group TEXT,
        latitude REAL,
        longitude REAL,
        key_id INTEGER,
        key_label TEXT,
        last_seen_at INTEGER,
        updated_at INTEGER,
        updated_by TEXT
      );
    `,
    postgres: `
      CREATE TABLE camera_profiles (
        zone TEXT PRIMARY KEY,
        name TEXT,
        location TEXT,
        description TEXT,
        camera_group TEXT,
        latitude DOUBLE PRECISION,
        longitude DOUBLE PRECISION,
        key_id BIGINT,
        key_label TEXT,
        last_seen_at BIGINT,
        updated_at BIGINT,
        updated_by TEXT
      );
    `,
  },
  {
    version: 10,
    name: 'shared walls for a group: the operators a shared layout is for (null: every operator)',
    sqlite: 'ALTER TABLE wall_layouts ADD COLUMN audience TEXT;',
    postgres: 'ALTER TABLE wall_layouts ADD COLUMN audience TEXT;',
  },
  {
    version: 11,
    name: 'scene events: motion and tamper a camera node detected, with a snapshot, and who acknowledged or annotated them',
    sqlite: `
      CREATE TABLE scene_events (
        id INTEGER PRIMARY KEY,
        zone TEXT NOT NULL,
        kind TEXT NOT NULL,
        camera TEXT,
        started_at INTEGER NOT NULL,
        ended_at INTEGER,
        score REAL NOT NULL,
        snapshot BLOB,
        acknowledged_by TEXT,
        acknowledged_at INTEGER,
        note TEXT
      );
      CREATE INDEX scene_events_zone ON scene_events (zone, id);
    `,
    postgres: `
      CREATE TABLE scene_events (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        zone TEXT NOT NULL,
        kind TEXT NOT NULL,
        camera TEXT,
        started_at BIGINT NOT NULL,
        ended_at BIGINT,
        score DOUBLE PRECISION NOT NULL,
        snapshot BYTEA,
        acknowledged_by TEXT,
        acknowledged_at BIGINT,
        note TEXT
      );
      CREATE INDEX scene_events_zone ON scene_events (zone, id);
    `,
  },
  {
    version: 12,
    name: 'IP cameras the gateway runs motion and tamper detection on',
    sqlite: 'ALTER TABLE camera_sources ADD COLUMN detect INTEGER NOT NULL DEFAULT 0;',
    postgres: 'ALTER TABLE camera_sources ADD COLUMN detect BOOLEAN NOT NULL DEFAULT FALSE;',
  },
  {
    version: 13,
    name: 'privacy masks: the areas of a zone\'s picture its camera node blacks out before encoding (JSON polygons)',
    sqlite: 'ALTER TABLE camera_profiles ADD COLUMN masks TEXT;',
    postgres: 'ALTER TABLE camera_profiles ADD COLUMN masks TEXT;',
  },
  {
    version: 14,
    name: 'evidence: clips cut from a camera\'s ring buffer (file, size, SHA-256, legal hold), and each camera\'s retention',
    sqlite: `
      CREATE TABLE evidence (
        id INTEGER PRIMARY KEY,
        zone TEXT NOT NULL,
        event_id INTEGER,
        camera TEXT,
        started_at INTEGER NOT NULL,
        ended_at INTEGER NOT NULL,
        file TEXT NOT NULL,
        bytes INTEGER NOT NULL,
        sha256 TEXT NOT NULL,
        held INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL,
        created_by TEXT NOT NULL
      );
      CREATE INDEX evidence_zone ON evidence (zone, id);
      ALTER TABLE camera_profiles ADD COLUMN retention_days INTEGER;
      ALTER TABLE camera_profiles ADD COLUMN retention_mb INTEGER;
      ALTER TABLE scene_events ADD COLUMN clip_id INTEGER;
    `,
    postgres: `
      CREATE TABLE evidence (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        zone TEXT NOT NULL,
        event_id BIGINT,
        camera TEXT,
        started_at BIGINT NOT NULL,
        ended_at BIGINT NOT NULL,
        file TEXT NOT NULL,
        bytes BIGINT NOT NULL,
        sha256 TEXT NOT NULL,
        held BOOLEAN NOT NULL DEFAULT FALSE,
        created_at BIGINT NOT NULL,
        created_by TEXT NOT NULL
      );
      CREATE INDEX evidence_zone ON evidence (zone, id);
      ALTER TABLE camera_profiles ADD COLUMN retention_days INTEGER;
      ALTER TABLE camera_profiles ADD COLUMN retention_mb INTEGER;
      ALTER TABLE scene_events ADD COLUMN clip_id BIGINT;
    `,
  },
  {
    version: 15,
    name: 'detection settings per zone: threshold, minimum area, motion and ignore zones (JSON)',
    sqlite: 'ALTER TABLE camera_profiles ADD COLUMN detection TEXT;',
    postgres: 'ALTER TABLE camera_profiles ADD COLUMN detection TEXT;',
  },
  {
    version: 16,
    name: 'evidence recording per zone: its camera keeps a ring buffer (a browser camera through the relay)',
    sqlite: 'ALTER TABLE camera_profiles ADD COLUMN record INTEGER NOT NULL DEFAULT 0;',
    postgres: 'ALTER TABLE camera_profiles ADD COLUMN record BOOLEAN NOT NULL DEFAULT FALSE;',
  },
];
