//! The ClickHouse schema and its migrations, applied in order on start; the versions applied
//! are kept in `axon_migrations`.

use crate::{ChError, ClickHouse};

/// The migrations, in order; a version is its index + 1. Append, never edit.
const MIGRATIONS: &[&str] = &[
    // 1: behaviour events. `activity_id` and `campaign_id` are 0 when unattributed; `trigger` is
    // the wire name (PAGE_VIEW, CLICK, …); identities are '' when absent. The sorting key serves
    // the dashboards' filters (activity, trigger, time) and ends in the store's sequence number,
    // so a row written twice is one key and `FINAL` reads it once.
    "CREATE TABLE IF NOT EXISTS events (
        seq UInt64,
        ts Int64,
        received_at Int64,
        trigger String,
        activity_id Int64,
        campaign_id Int64,
        user_id String,
        anonymous_id String,
        session_id String,
        bot UInt8,
        event_id String,
        event_name String,
        page_url String,
        referrer String,
        user_agent String,
        properties String
    ) ENGINE = ReplacingMergeTree
    PARTITION BY intDiv(ts, 2592000000)
    ORDER BY (activity_id, trigger, ts, seq)",
    // 2: entries as they stand: one row per (activity, user), the highest version wins (a
    // version orders the store's commits, see `projection::version`).
    "CREATE TABLE IF NOT EXISTS entries (
        activity_id Int64,
        user_id String,
        id Int64,
        status String,
        quantity Int64,
        requested_at Int64,
        version UInt64
    ) ENGINE = ReplacingMergeTree(version)
    ORDER BY (activity_id, user_id)",
    // 3: purchases by id; `activity_id` / `product_id` 0 when absent, `promo` for
    // CAMPAIGNACTIVITY purchases, `revenue` = price × quantity in hundredths.
    "CREATE TABLE IF NOT EXISTS purchases (
        id Int64,
        user_id String,
        activity_id Int64,
        product_id Int64,
        promo UInt8,
        revenue Int64,
        purchased_at Int64,
        version UInt64
    ) ENGINE = ReplacingMergeTree(version)
    ORDER BY id",
    // 4: identity links, one row per counted event that carries both an anonymous id and a
    // user id (the latest by sequence number counts), ordered for lookups by anonymous id.
    "CREATE TABLE IF NOT EXISTS identity_links (
        anonymous_id String,
        user_id String,
        seq UInt64
    ) ENGINE = ReplacingMergeTree(seq)
    ORDER BY anonymous_id",
    // 5: the links of the events written before migration 4.
    "INSERT INTO identity_links SELECT anonymous_id, user_id, seq FROM events
     WHERE bot = 0 AND user_id != '' AND anonymous_id != ''",
    // 6: how far the events are complete — every event up to `through` is written with its
    // links (see `events::ClickHouse::loaded_through`). One key, so merges fold it to one row.
    "CREATE TABLE IF NOT EXISTS axon_loaded (
        id UInt8,
        through UInt64
    ) ENGINE = ReplacingMergeTree(through)
    ORDER BY id",
    // 7: a database written before migration 6 counts as complete through its highest event.
    "INSERT INTO axon_loaded SELECT 0, max(seq) FROM events",
];

/// Applies every migration not applied yet.
pub async fn migrate(ch: &ClickHouse) -> Result<(), ChError> {
    let c = ch.client();
    c.query(
        "CREATE TABLE IF NOT EXISTS axon_migrations (version UInt32, applied_at Int64) \
         ENGINE = TinyLog",
    )
    .execute()
    .await?;
    let done = version(ch).await?;
    for (i, ddl) in MIGRATIONS.iter().enumerate() {
        let version = u32::try_from(i + 1).map_err(|e| ChError::Schema(e.to_string()))?;
        if version <= done {
            continue;
        }
        c.query(ddl).execute().await?;
        c.query(
            "INSERT INTO axon_migrations (version, applied_at) \
             SELECT ?, toInt64(toUInt32(now())) * 1000",
        )
        .bind(version)
        .execute()
        .await?;
        tracing::info!(
            version,
            database = ch.database(),
            "applied ClickHouse migration"
        );
    }
    Ok(())
}

/// The schema version the database is at.
pub async fn version(ch: &ClickHouse) -> Result<u32, ChError> {
    Ok(ch
        .client()
        .query("SELECT max(version) FROM axon_migrations")
        .fetch_one::<u32>()
        .await?)
}

/// The number of migrations this build knows.
pub fn latest() -> u32 {
    MIGRATIONS.len() as u32
}
