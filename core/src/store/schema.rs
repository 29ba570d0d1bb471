//! The device database schema as an ordered list of migrations. A migration
//! is never edited once shipped: phones in the field carry every version.

/// Migrations in order; `PRAGMA user_version` records how many have run.
pub const MIGRATIONS: &[&str] = &[
    // 1: the first schema.
    r#"
CREATE TABLE device (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    device_id TEXT NOT NULL,
    public_key TEXT NOT NULL,
    sealed_private_key BLOB NOT NULL,
    sealed_token BLOB,
    server_url TEXT,
    server_key TEXT,
    created_at_ms INTEGER NOT NULL
);

CREATE TABLE blobs (
    sha256 TEXT PRIMARY KEY,
    bytes INTEGER NOT NULL,
    media_type TEXT NOT NULL,
    pruned_at_ms INTEGER
);

CREATE TABLE orders (
    number TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    category TEXT NOT NULL,
    address TEXT NOT NULL,
    spot_lat REAL,
    spot_lon REAL,
    content TEXT NOT NULL DEFAULT '',
    dispatched_at_ms INTEGER,
    deadline_ms INTEGER,
    status TEXT NOT NULL,
    tag_type TEXT,
    tag_handling TEXT,
    tag_callback TEXT,
    knowledge TEXT NOT NULL DEFAULT '',
    notes TEXT NOT NULL DEFAULT '',
    server_version INTEGER NOT NULL DEFAULT 0,
    dirty INTEGER NOT NULL DEFAULT 0,
    updated_at_ms INTEGER NOT NULL
);

CREATE TABLE visits (
    id TEXT PRIMARY KEY,
    order_number TEXT REFERENCES orders(number),
    purpose TEXT NOT NULL,
    started_at_ms INTEGER NOT NULL,
    start_fix TEXT,
    ended_at_ms INTEGER,
    end_fix TEXT
);

CREATE TABLE entries (
    seq INTEGER PRIMARY KEY,
    item_id TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    manifest_hash TEXT NOT NULL UNIQUE,
    manifest TEXT NOT NULL,
    signature TEXT NOT NULL,
    media_sha256 TEXT REFERENCES blobs(sha256),
    order_number TEXT,
    visit_id TEXT,
    created_at_ms INTEGER NOT NULL
);
CREATE INDEX entries_order ON entries(order_number);

CREATE TABLE derivatives (
    item_id TEXT NOT NULL REFERENCES entries(item_id),
    role TEXT NOT NULL,
    sha256 TEXT NOT NULL REFERENCES blobs(sha256),
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    PRIMARY KEY (item_id, role)
);

CREATE TABLE derivative_failures (
    item_id TEXT PRIMARY KEY REFERENCES entries(item_id),
    reason TEXT NOT NULL
);

CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    item_id TEXT NOT NULL REFERENCES entries(item_id),
    part TEXT NOT NULL,
    blob_sha256 TEXT REFERENCES blobs(sha256),
    bytes INTEGER NOT NULL,
    class INTEGER NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at_ms INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    upload_url TEXT,
    acked_at_ms INTEGER,
    created_at_ms INTEGER NOT NULL,
    UNIQUE (item_id, part)
);
CREATE INDEX outbox_due ON outbox(state, class, bytes, id);

CREATE TABLE receipts (
    item_id TEXT PRIMARY KEY REFERENCES entries(item_id),
    receipt TEXT NOT NULL,
    signature TEXT NOT NULL,
    received_at_ms INTEGER NOT NULL
);

CREATE TABLE anchors (
    id INTEGER PRIMARY KEY,
    server_time_ms INTEGER NOT NULL,
    monotonic_ms INTEGER NOT NULL,
    boot_id TEXT NOT NULL,
    rtt_ms INTEGER NOT NULL,
    statement TEXT NOT NULL,
    signature TEXT NOT NULL,
    statement_hash TEXT NOT NULL
);
CREATE INDEX anchors_boot ON anchors(boot_id, monotonic_ms);

CREATE TABLE sync_state (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"#,
];
