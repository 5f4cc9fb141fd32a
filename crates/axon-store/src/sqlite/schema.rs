//! Schema migrations, applied in order on start; `PRAGMA user_version` records the last applied.

use rusqlite::Connection;

const MIGRATIONS: &[&str] = &[
    // 1: the event log and the relational tables.
    r"
    CREATE TABLE events (
        seq INTEGER PRIMARY KEY,
        source TEXT NOT NULL,
        event_id TEXT,
        trigger_type TEXT NOT NULL,
        occurred_at INTEGER NOT NULL,
        received_at INTEGER NOT NULL,
        activity_id INTEGER,
        campaign_id INTEGER,
        user_id TEXT,
        anonymous_id TEXT,
        session_id TEXT,
        bot INTEGER NOT NULL DEFAULT 0,
        body TEXT NOT NULL
    );
    CREATE UNIQUE INDEX events_dedupe ON events(source, event_id) WHERE event_id IS NOT NULL;
    CREATE INDEX events_activity ON events(activity_id, seq) WHERE activity_id IS NOT NULL;

    CREATE TABLE campaigns (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        start_at INTEGER,
        end_at INTEGER,
        budget INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
    );
    CREATE TABLE activities (
        id INTEGER PRIMARY KEY,
        campaign_id INTEGER NOT NULL REFERENCES campaigns(id),
        name TEXT NOT NULL,
        activity_type TEXT NOT NULL,
        status TEXT NOT NULL,
        limit_count INTEGER,
        start_date INTEGER NOT NULL,
        end_date INTEGER NOT NULL,
        product_id INTEGER,
        coupon_id INTEGER,
        price INTEGER NOT NULL DEFAULT 0,
        quantity INTEGER NOT NULL DEFAULT 1,
        budget INTEGER NOT NULL DEFAULT 0,
        filters TEXT NOT NULL DEFAULT '[]',
        image_url TEXT,
        payment_required INTEGER NOT NULL DEFAULT 1,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
    );
    CREATE INDEX activities_campaign ON activities(campaign_id);
    CREATE TABLE products (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        price INTEGER NOT NULL,
        stock INTEGER NOT NULL CHECK (stock >= 0),
        category TEXT,
        brand TEXT,
        discount_rate INTEGER
    );
    CREATE TABLE user_profiles (
        user_id TEXT PRIMARY KEY,
        grade TEXT,
        age INTEGER,
        region TEXT,
        last_purchase_at INTEGER
    );
    CREATE TABLE event_definitions (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        description TEXT,
        status TEXT NOT NULL,
        trigger_type TEXT NOT NULL,
        trigger_payload TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
    );
    CREATE TABLE api_keys (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        role TEXT NOT NULL,
        prefix TEXT NOT NULL,
        hash TEXT NOT NULL UNIQUE,
        created_at INTEGER NOT NULL,
        revoked_at INTEGER
    );
    CREATE TABLE entries (
        id INTEGER PRIMARY KEY,
        activity_id INTEGER NOT NULL,
        user_id TEXT NOT NULL,
        status TEXT NOT NULL,
        ord INTEGER NOT NULL,
        quantity INTEGER NOT NULL DEFAULT 1,
        requested_at INTEGER NOT NULL,
        processed_at INTEGER,
        UNIQUE (activity_id, user_id)
    );
    CREATE TABLE purchases (
        id INTEGER PRIMARY KEY,
        user_id TEXT NOT NULL,
        product_id INTEGER,
        activity_id INTEGER,
        purchase_type TEXT NOT NULL,
        price INTEGER NOT NULL,
        quantity INTEGER NOT NULL,
        purchased_at INTEGER NOT NULL,
        order_id TEXT UNIQUE
    );
    CREATE INDEX purchases_user ON purchases(user_id);
    CREATE UNIQUE INDEX purchases_promotion ON purchases(activity_id, user_id) WHERE activity_id IS NOT NULL;
    ",
    // 2: the FCFS gate — payment tokens, coupons, giveaway participants and draws.
    r"
    CREATE TABLE gate_tokens (
        token TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        entry_id INTEGER NOT NULL,
        activity_id INTEGER NOT NULL,
        user_id TEXT NOT NULL,
        expires_at INTEGER NOT NULL
    );
    CREATE INDEX gate_tokens_entry ON gate_tokens(entry_id);
    CREATE INDEX entries_activity_status ON entries(activity_id, status, id);
    CREATE TABLE coupons (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        discount_amount INTEGER,
        discount_rate INTEGER,
        min_order_amount INTEGER NOT NULL DEFAULT 0,
        target_category TEXT,
        start_date INTEGER NOT NULL,
        end_date INTEGER NOT NULL,
        created_at INTEGER NOT NULL
    );
    CREATE TABLE user_coupons (
        id INTEGER PRIMARY KEY,
        user_id TEXT NOT NULL,
        coupon_id INTEGER NOT NULL REFERENCES coupons(id),
        activity_id INTEGER,
        status TEXT NOT NULL,
        issued_at INTEGER NOT NULL,
        used_at INTEGER
    );
    CREATE INDEX user_coupons_user ON user_coupons(user_id);
    CREATE UNIQUE INDEX user_coupons_activity ON user_coupons(activity_id, user_id) WHERE activity_id IS NOT NULL;
    CREATE TABLE giveaway_participants (
        id INTEGER PRIMARY KEY,
        activity_id INTEGER NOT NULL,
        user_id TEXT NOT NULL,
        entered_at INTEGER NOT NULL,
        UNIQUE (activity_id, user_id)
    );
    CREATE TABLE draws (
        activity_id INTEGER PRIMARY KEY,
        seed TEXT NOT NULL,
        participants INTEGER NOT NULL,
        winners TEXT NOT NULL,
        drawn_at INTEGER NOT NULL
    );
    ",
    // 2: alert rules with their firing state, the webhook delivery log, and named leases (the
    // alert evaluator's: one holder at a time, taken by a conditional update).
    r"
    CREATE TABLE alert_rules (
        id INTEGER PRIMARY KEY,
        scope TEXT NOT NULL,
        scope_id INTEGER NOT NULL,
        kind TEXT NOT NULL,
        threshold INTEGER NOT NULL,
        window_minutes INTEGER NOT NULL,
        webhook_url TEXT NOT NULL,
        secret TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        firing INTEGER NOT NULL DEFAULT 0,
        firing_since INTEGER,
        detail TEXT NOT NULL DEFAULT ''
    );
    CREATE TABLE alert_deliveries (
        id INTEGER PRIMARY KEY,
        rule_id INTEGER NOT NULL,
        transition TEXT NOT NULL,
        attempt INTEGER NOT NULL,
        status INTEGER,
        error TEXT NOT NULL DEFAULT '',
        attempted_at INTEGER NOT NULL
    );
    CREATE INDEX alert_deliveries_rule ON alert_deliveries(rule_id, id);
    CREATE TABLE leases (
        name TEXT PRIMARY KEY,
        holder TEXT NOT NULL,
        expires_at INTEGER NOT NULL
    );
    ",
    // 3: share links (only the SHA-256 of each token is kept) and annotations (a marketer's
    // notes on moments of an activity or campaign).
    r"
    CREATE TABLE share_links (
        id INTEGER PRIMARY KEY,
        token_hash TEXT NOT NULL UNIQUE,
        scope TEXT NOT NULL,
        scope_id INTEGER NOT NULL,
        period TEXT NOT NULL,
        label TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        revoked_at INTEGER
    );
    CREATE TABLE annotations (
        id INTEGER PRIMARY KEY,
        scope TEXT NOT NULL,
        scope_id INTEGER NOT NULL,
        marked_at INTEGER NOT NULL,
        note TEXT NOT NULL,
        created_at INTEGER NOT NULL
    );
    CREATE INDEX annotations_scope_at ON annotations(scope, scope_id, marked_at);
    ",
];

/// Applies every migration newer than the database's `user_version`.
pub fn migrate(conn: &Connection) -> rusqlite::Result<()> {
    let current: usize = conn
        .query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))?
        .try_into()
        .unwrap_or(0);
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(current) {
        conn.execute_batch(&format!(
            "BEGIN; {sql}; PRAGMA user_version = {}; COMMIT;",
            i + 1
        ))?;
        tracing::info!(version = i + 1, "applied schema migration");
    }
    Ok(())
}
