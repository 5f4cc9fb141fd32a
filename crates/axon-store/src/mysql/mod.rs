//! MySQL 8 / MariaDB 10.6+ as the shared store: the schema, as embedded migrations. The
//! statements that read and write it are the SQL backend's (`crate::sql`), with MySQL's
//! `LAST_INSERT_ID()` and `INSERT IGNORE` (see `sql::dialect`). Keyed text columns are
//! `VARCHAR(255)` (InnoDB indexes need a length), bodies `LONGTEXT`; `utf8mb4_bin` so keys
//! compare byte for byte as on the other backends.
//!
//! Invariants live in the schema, so two nodes cannot break them: one entry per (activity, user),
//! one purchase per orderId and per promotion entry, unique campaign names, stock never below
//! zero (`CHECK`, and every decrease is a conditional update).

/// Versioned migrations, applied in order under `GET_LOCK` (see `sql::migrate`). Each
/// is a list of statements separated by `;` at a line end.
pub const MIGRATIONS: &[&str] = &[
    // 1: the event log and the relational tables.
    r"
    CREATE TABLE events (
        seq BIGINT AUTO_INCREMENT PRIMARY KEY,
        source VARCHAR(255) NOT NULL,
        event_id VARCHAR(255),
        trigger_type VARCHAR(255) NOT NULL,
        occurred_at BIGINT NOT NULL,
        received_at BIGINT NOT NULL,
        activity_id BIGINT,
        campaign_id BIGINT,
        user_id VARCHAR(255),
        anonymous_id VARCHAR(255),
        session_id VARCHAR(255),
        bot BIGINT NOT NULL DEFAULT 0,
        body LONGTEXT NOT NULL
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
    CREATE UNIQUE INDEX events_dedupe ON events(source, event_id);
    CREATE INDEX events_activity ON events(activity_id, seq);
    CREATE TABLE campaigns (
        id BIGINT PRIMARY KEY,
        name VARCHAR(255) NOT NULL UNIQUE,
        start_at BIGINT,
        end_at BIGINT,
        budget BIGINT NOT NULL DEFAULT 0,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
    CREATE TABLE activities (
        id BIGINT PRIMARY KEY,
        campaign_id BIGINT NOT NULL REFERENCES campaigns(id),
        name VARCHAR(255) NOT NULL,
        activity_type VARCHAR(255) NOT NULL,
        status VARCHAR(255) NOT NULL,
        limit_count BIGINT,
        start_date BIGINT NOT NULL,
        end_date BIGINT NOT NULL,
        product_id BIGINT,
        coupon_id BIGINT,
        price BIGINT NOT NULL DEFAULT 0,
        quantity BIGINT NOT NULL DEFAULT 1,
        budget BIGINT NOT NULL DEFAULT 0,
        filters LONGTEXT NOT NULL,
        image_url LONGTEXT,
        payment_required BIGINT NOT NULL DEFAULT 1,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
    CREATE INDEX activities_campaign ON activities(campaign_id);
    CREATE TABLE products (
        id BIGINT PRIMARY KEY,
        name VARCHAR(255) NOT NULL,
        price BIGINT NOT NULL,
        stock BIGINT NOT NULL CHECK (stock >= 0),
        category VARCHAR(255),
        brand VARCHAR(255),
        discount_rate BIGINT
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
    CREATE TABLE user_profiles (
        user_id VARCHAR(255) PRIMARY KEY,
        grade VARCHAR(255),
        age BIGINT,
        region VARCHAR(255),
        last_purchase_at BIGINT
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
    CREATE TABLE event_definitions (
        id BIGINT PRIMARY KEY,
        name VARCHAR(255) NOT NULL,
        description LONGTEXT,
        status VARCHAR(255) NOT NULL,
        trigger_type VARCHAR(255) NOT NULL,
        trigger_payload LONGTEXT NOT NULL,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
    CREATE TABLE api_keys (
        id BIGINT AUTO_INCREMENT PRIMARY KEY,
        name VARCHAR(255) NOT NULL,
        role VARCHAR(255) NOT NULL,
        prefix VARCHAR(255) NOT NULL,
        hash VARCHAR(255) NOT NULL UNIQUE,
        created_at BIGINT NOT NULL,
        revoked_at BIGINT
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
    CREATE TABLE entries (
        id BIGINT AUTO_INCREMENT PRIMARY KEY,
        activity_id BIGINT NOT NULL,
        user_id VARCHAR(255) NOT NULL,
        status VARCHAR(255) NOT NULL,
        ord BIGINT NOT NULL,
        quantity BIGINT NOT NULL DEFAULT 1,
        requested_at BIGINT NOT NULL,
        processed_at BIGINT,
        UNIQUE (activity_id, user_id)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
    CREATE INDEX entries_activity_status ON entries(activity_id, status, id);
    CREATE TABLE purchases (
        id BIGINT PRIMARY KEY,
        user_id VARCHAR(255) NOT NULL,
        product_id BIGINT,
        activity_id BIGINT,
        purchase_type VARCHAR(255) NOT NULL,
        price BIGINT NOT NULL,
        quantity BIGINT NOT NULL,
        purchased_at BIGINT NOT NULL,
        order_id VARCHAR(255) UNIQUE,
        UNIQUE (activity_id, user_id)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
    CREATE INDEX purchases_user ON purchases(user_id);
    CREATE TABLE gate_tokens (
        token VARCHAR(255) PRIMARY KEY,
        kind VARCHAR(255) NOT NULL,
        entry_id BIGINT NOT NULL,
        activity_id BIGINT NOT NULL,
        user_id VARCHAR(255) NOT NULL,
        expires_at BIGINT NOT NULL
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
    CREATE INDEX gate_tokens_entry ON gate_tokens(entry_id);
    CREATE TABLE coupons (
        id BIGINT PRIMARY KEY,
        name VARCHAR(255) NOT NULL,
        discount_amount BIGINT,
        discount_rate BIGINT,
        min_order_amount BIGINT NOT NULL DEFAULT 0,
        target_category VARCHAR(255),
        start_date BIGINT NOT NULL,
        end_date BIGINT NOT NULL,
        created_at BIGINT NOT NULL
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
    CREATE TABLE user_coupons (
        id BIGINT AUTO_INCREMENT PRIMARY KEY,
        user_id VARCHAR(255) NOT NULL,
        coupon_id BIGINT NOT NULL REFERENCES coupons(id),
        activity_id BIGINT,
        status VARCHAR(255) NOT NULL,
        issued_at BIGINT NOT NULL,
        used_at BIGINT,
        UNIQUE (activity_id, user_id)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
    CREATE INDEX user_coupons_user ON user_coupons(user_id);
    CREATE TABLE giveaway_participants (
        id BIGINT AUTO_INCREMENT PRIMARY KEY,
        activity_id BIGINT NOT NULL,
        user_id VARCHAR(255) NOT NULL,
        entered_at BIGINT NOT NULL,
        UNIQUE (activity_id, user_id)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
    CREATE TABLE draws (
        activity_id BIGINT PRIMARY KEY,
        seed VARCHAR(255) NOT NULL,
        participants BIGINT NOT NULL,
        winners LONGTEXT NOT NULL,
        drawn_at BIGINT NOT NULL
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
    ",
    // 2: the commit feed every node tails (one row per commit, numbered densely under the head
    // row's lock, which every write transaction holds — so numbers follow commit order).
    r"
    CREATE TABLE axon_feed_head (
        id BIGINT PRIMARY KEY,
        seq BIGINT NOT NULL
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
    INSERT INTO axon_feed_head (id, seq) VALUES (1, 0);
    CREATE TABLE axon_feed (
        seq BIGINT PRIMARY KEY,
        items LONGTEXT NOT NULL,
        committed_at BIGINT NOT NULL
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
    ",
    // 3: the FCFS stock gate (`sql::stock`): per activity the units held or sold (`used`,
    // changed only under the book row's lock and never below zero), one seat per (activity,
    // user) with its hold, and the marker that the gate has been built from the entries once.
    r"
    CREATE TABLE stock_books (
        activity_id BIGINT PRIMARY KEY,
        used BIGINT NOT NULL DEFAULT 0 CHECK (used >= 0),
        next_order BIGINT NOT NULL DEFAULT 0
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
    CREATE TABLE stock_seats (
        activity_id BIGINT NOT NULL,
        user_id VARCHAR(255) NOT NULL,
        entry_id BIGINT NOT NULL DEFAULT 0,
        units BIGINT NOT NULL CHECK (units > 0),
        seat_order BIGINT NOT NULL,
        state VARCHAR(16) NOT NULL,
        reservation_token VARCHAR(255) NOT NULL DEFAULT '',
        reservation_expires_at BIGINT NOT NULL DEFAULT 0,
        expires_at BIGINT NOT NULL DEFAULT 0,
        PRIMARY KEY (activity_id, user_id)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
    CREATE INDEX stock_seats_due ON stock_seats(state, expires_at);
    CREATE TABLE stock_gate (
        id BIGINT PRIMARY KEY,
        recovered_at BIGINT NOT NULL
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
    ",
    // 4: alert rules with their firing state, the webhook delivery log, and named leases (the
    // alert evaluator's: one holder at a time across nodes, taken by a conditional update).
    r"
    CREATE TABLE alert_rules (
        id BIGINT AUTO_INCREMENT PRIMARY KEY,
        scope VARCHAR(32) NOT NULL,
        scope_id BIGINT NOT NULL,
        kind VARCHAR(32) NOT NULL,
        threshold BIGINT NOT NULL,
        window_minutes BIGINT NOT NULL,
        webhook_url TEXT NOT NULL,
        secret TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        firing BIGINT NOT NULL DEFAULT 0,
        firing_since BIGINT,
        detail TEXT NOT NULL
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
    CREATE TABLE alert_deliveries (
        id BIGINT AUTO_INCREMENT PRIMARY KEY,
        rule_id BIGINT NOT NULL,
        transition VARCHAR(32) NOT NULL,
        attempt BIGINT NOT NULL,
        status BIGINT,
        error TEXT NOT NULL,
        attempted_at BIGINT NOT NULL
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
    CREATE INDEX alert_deliveries_rule ON alert_deliveries(rule_id, id);
    CREATE TABLE leases (
        name VARCHAR(64) PRIMARY KEY,
        holder VARCHAR(64) NOT NULL,
        expires_at BIGINT NOT NULL
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
    ",
    // 5: share links (only the SHA-256 of each token is kept) and annotations (a marketer's
    // notes on moments of an activity or campaign).
    r"
    CREATE TABLE share_links (
        id BIGINT AUTO_INCREMENT PRIMARY KEY,
        token_hash VARCHAR(64) NOT NULL UNIQUE,
        scope VARCHAR(32) NOT NULL,
        scope_id BIGINT NOT NULL,
        period VARCHAR(32) NOT NULL,
        label TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        expires_at BIGINT NOT NULL,
        revoked_at BIGINT
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
    CREATE TABLE annotations (
        id BIGINT AUTO_INCREMENT PRIMARY KEY,
        scope VARCHAR(32) NOT NULL,
        scope_id BIGINT NOT NULL,
        marked_at BIGINT NOT NULL,
        note TEXT NOT NULL,
        created_at BIGINT NOT NULL
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
    CREATE INDEX annotations_scope_at ON annotations(scope, scope_id, marked_at);
    ",
    // 6: the Kafka sink's positions: per topic partition, the next offset not stored yet
    // (moved in the same transaction as the events it stores, so a redelivery stores nothing).
    r"
    CREATE TABLE consumer_offsets (
        topic VARCHAR(255) NOT NULL,
        part BIGINT NOT NULL,
        next_offset BIGINT NOT NULL,
        PRIMARY KEY (topic, part)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
    ",
    // 7: the FCFS command log's outcomes (Kafka with Redis): what applying each command did,
    // under the id its producer gave it (written with the consumer's offsets, read by the node
    // that waits on a payment or a cancellation).
    r"
    CREATE TABLE command_outcomes (
        id VARCHAR(64) PRIMARY KEY,
        outcome TEXT NOT NULL,
        applied_at BIGINT NOT NULL
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
    ",
    // 8: outcomes are kept for a week (`CommandLog::prune_outcomes`): the index finds the old.
    r"
    CREATE INDEX command_outcomes_applied ON command_outcomes(applied_at);
    ",
];
