//! What differs between the SQL backends, in one place: placeholders, how an inserted row's
//! generated key comes back, "insert unless it exists", the migration lock and the schema.
//! Every statement in `sql/` is written once with `?` placeholders and passed through
//! [`Dialect::q`].

use std::borrow::Cow;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Postgres,
    MySql,
}

impl Dialect {
    /// The backend a `AXON_DATABASE_URL` names, if it is one of the SQL servers.
    pub fn of_url(url: &str) -> Option<Dialect> {
        let scheme = url.split("://").next().unwrap_or_default();
        match scheme {
            "postgres" | "postgresql" => Some(Dialect::Postgres),
            "mysql" | "mariadb" => Some(Dialect::MySql),
            _ => None,
        }
    }

    /// The statement with this backend's placeholders (`$1, $2, …` on PostgreSQL). The
    /// statements never hold a `?` inside a string literal.
    pub fn q(self, sql: &str) -> Cow<'_, str> {
        match self {
            Dialect::MySql => Cow::Borrowed(sql),
            Dialect::Postgres => {
                let mut out = String::with_capacity(sql.len() + 16);
                let mut n = 0;
                for ch in sql.chars() {
                    if ch == '?' {
                        n += 1;
                        out.push('$');
                        out.push_str(&n.to_string());
                    } else {
                        out.push(ch);
                    }
                }
                Cow::Owned(out)
            }
        }
    }

    /// `INSERT` that skips a row whose unique key exists (`INSERT OR IGNORE` on SQLite).
    pub fn insert_ignore(self, rest: &str) -> String {
        match self {
            Dialect::Postgres => format!("INSERT INTO {rest} ON CONFLICT DO NOTHING"),
            Dialect::MySql => format!("INSERT IGNORE INTO {rest}"),
        }
    }

    /// The clause that turns a multi-row `INSERT` into an upsert on the unique key `key`,
    /// overwriting `cols` with the inserted values. On MySQL it fires on any unique key, so
    /// callers use it only where `key` is the one unique key the inserted columns can hit.
    pub fn upsert(self, key: &str, cols: &[&str]) -> String {
        match self {
            Dialect::Postgres => format!(
                " ON CONFLICT ({key}) DO UPDATE SET {}",
                cols.iter()
                    .map(|c| format!("{c} = EXCLUDED.{c}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Dialect::MySql => format!(
                " ON DUPLICATE KEY UPDATE {}",
                cols.iter()
                    .map(|c| format!("{c} = VALUES({c})"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }

    /// `SUM(col)` as a 64-bit integer, 0 over no rows (PostgreSQL sums BIGINT as NUMERIC).
    pub fn int_sum(self, col: &str) -> String {
        match self {
            Dialect::Postgres => format!("CAST(COALESCE(SUM({col}), 0) AS BIGINT)"),
            Dialect::MySql => format!("CAST(COALESCE(SUM({col}), 0) AS SIGNED)"),
        }
    }

    /// Embedded migrations, oldest first.
    pub fn migrations(self) -> &'static [&'static str] {
        match self {
            #[cfg(feature = "postgres")]
            Dialect::Postgres => crate::postgres::MIGRATIONS,
            #[cfg(feature = "mysql")]
            Dialect::MySql => crate::mysql::MIGRATIONS,
            #[allow(unreachable_patterns)]
            _ => &[],
        }
    }

    /// Takes the cluster-wide migration lock on this session (waits for another node's).
    pub fn lock_sql(self) -> &'static str {
        match self {
            Dialect::Postgres => "SELECT 1 FROM pg_advisory_lock(4242001)",
            Dialect::MySql => "SELECT GET_LOCK('axon_migrate', 600)",
        }
    }

    pub fn unlock_sql(self) -> &'static str {
        match self {
            Dialect::Postgres => "SELECT 1 FROM pg_advisory_unlock(4242001)",
            Dialect::MySql => "SELECT RELEASE_LOCK('axon_migrate')",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Dialect::Postgres => "PostgreSQL",
            Dialect::MySql => "MySQL",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Dialect;

    #[test]
    fn placeholders_are_numbered_on_postgres_only() {
        let s = "SELECT a FROM t WHERE b = ? AND (? IS NULL OR c = ?)";
        assert_eq!(
            Dialect::Postgres.q(s),
            "SELECT a FROM t WHERE b = $1 AND ($2 IS NULL OR c = $3)"
        );
        assert_eq!(Dialect::MySql.q(s), s);
        assert_eq!(Dialect::of_url("postgresql://x/y"), Some(Dialect::Postgres));
        assert_eq!(Dialect::of_url("mysql://x/y"), Some(Dialect::MySql));
        assert_eq!(Dialect::of_url("/var/lib/axon"), None);
    }
}
