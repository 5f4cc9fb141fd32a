//! Products, user profiles and event definitions.

use super::rows::{dec, json, opt_ts, ts, wire};
use super::SqliteStore;
use crate::CatalogRepo;
use crate::{Change, Pending, StoreError};
use axon_domain::model::{
    DefinitionStatus, EventDefinition, Grade, Product, ProductId, TriggerType, UserProfile,
};
use rusqlite::{params, Connection, OptionalExtension, Row};

fn product_row(r: &Row<'_>) -> rusqlite::Result<Product> {
    Ok(Product {
        id: r.get(0)?,
        name: r.get(1)?,
        price: dec(r, 2)?,
        stock: r.get(3)?,
        category: r.get(4)?,
        brand: r.get(5)?,
        discount_rate: r.get::<_, Option<i64>>(6)?.map(axon_domain::Dec2),
    })
}

fn profile_row(r: &Row<'_>) -> rusqlite::Result<UserProfile> {
    let grade: Option<String> = r.get(1)?;
    Ok(UserProfile {
        user_id: r.get(0)?,
        grade: grade.and_then(|g| Grade::parse(&g).ok()),
        age: r.get(2)?,
        region: r.get(3)?,
        last_purchase_at: opt_ts(r, 4)?,
    })
}

fn definition_row(r: &Row<'_>) -> rusqlite::Result<EventDefinition> {
    Ok(EventDefinition {
        id: r.get(0)?,
        name: r.get(1)?,
        description: r.get(2)?,
        status: wire(r, 3, DefinitionStatus::parse)?,
        trigger_type: wire(r, 4, TriggerType::parse)?,
        trigger_payload: json(r, 5)?,
        created_at: ts(r, 6)?,
        updated_at: ts(r, 7)?,
    })
}

const PRODUCT_SELECT: &str =
    "SELECT id, name, price, stock, category, brand, discount_rate FROM products";
const PROFILE_SELECT: &str =
    "SELECT user_id, grade, age, region, last_purchase_at FROM user_profiles";
const DEFINITION_SELECT: &str =
    "SELECT id, name, description, status, trigger_type, trigger_payload, created_at, updated_at FROM event_definitions";

pub(crate) fn get_product(conn: &Connection, id: ProductId) -> Result<Option<Product>, StoreError> {
    Ok(conn
        .prepare_cached(&format!("{PRODUCT_SELECT} WHERE id = ?"))?
        .query_row([id], product_row)
        .optional()?)
}

fn get_definition(conn: &Connection, id: i64) -> Result<Option<EventDefinition>, StoreError> {
    Ok(conn
        .prepare_cached(&format!("{DEFINITION_SELECT} WHERE id = ?"))?
        .query_row([id], definition_row)
        .optional()?)
}

pub(crate) fn get_profile(
    conn: &Connection,
    user_id: &str,
) -> Result<Option<UserProfile>, StoreError> {
    Ok(conn
        .prepare_cached(&format!("{PROFILE_SELECT} WHERE user_id = ?"))?
        .query_row([user_id], profile_row)
        .optional()?)
}

pub(crate) fn save_product(conn: &Connection, p: &Product) -> Result<Product, StoreError> {
    let id = (p.id != 0).then_some(p.id);
    conn.execute(
                "INSERT INTO products (id, name, price, stock, category, brand, discount_rate) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT(id) DO UPDATE SET name = excluded.name, price = excluded.price, stock = excluded.stock,
                   category = excluded.category, brand = excluded.brand, discount_rate = excluded.discount_rate",
                params![id, p.name, p.price.0, p.stock, p.category, p.brand, p.discount_rate.map(|d| d.0)],
            )?;
    let id = id.unwrap_or_else(|| conn.last_insert_rowid());
    get_product(conn, id)?.ok_or_else(|| StoreError::NotFound(format!("product {id}")))
}

#[async_trait::async_trait]
impl CatalogRepo for SqliteStore {
    fn upsert_product(&self, p: Product) -> Pending<Product> {
        self.writer().submit_changes(move |conn, out| {
            let saved = save_product(conn, &p)?;
            out.push(Change::Product(saved.clone()));
            Ok(saved)
        })
    }

    async fn product(&self, id: ProductId) -> Result<Option<Product>, StoreError> {
        self.read(|conn| get_product(conn, id))
    }

    async fn products(&self) -> Result<Vec<Product>, StoreError> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(&format!("{PRODUCT_SELECT} ORDER BY id"))?;
            let rows = stmt.query_map([], product_row)?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }

    fn upsert_profile(&self, p: UserProfile) -> Pending<UserProfile> {
        self.writer().submit(move |conn| {
            conn.execute(
                "INSERT INTO user_profiles (user_id, grade, age, region, last_purchase_at) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT(user_id) DO UPDATE SET grade = excluded.grade, age = excluded.age, region = excluded.region,
                   last_purchase_at = excluded.last_purchase_at",
                params![p.user_id, p.grade.map(|g| g.as_str()), p.age, p.region, p.last_purchase_at.map(|t| t.0)],
            )?;
            Ok(p)
        })
    }

    async fn profile(&self, user_id: &str) -> Result<Option<UserProfile>, StoreError> {
        self.read(|conn| get_profile(conn, user_id))
    }

    async fn profiles(&self, user_ids: &[String]) -> Result<Vec<UserProfile>, StoreError> {
        self.read(|conn| {
            let mut out = Vec::new();
            for u in user_ids {
                out.extend(get_profile(conn, u)?);
            }
            Ok(out)
        })
    }

    fn upsert_definition(&self, d: EventDefinition) -> Pending<EventDefinition> {
        self.writer().submit(move |conn| {
            let id = (d.id != 0).then_some(d.id);
            conn.execute(
                "INSERT INTO event_definitions (id, name, description, status, trigger_type, trigger_payload, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                 ON CONFLICT(id) DO UPDATE SET name = excluded.name, description = excluded.description,
                   status = excluded.status, trigger_type = excluded.trigger_type,
                   trigger_payload = excluded.trigger_payload, updated_at = excluded.updated_at",
                params![
                    id,
                    d.name,
                    d.description,
                    d.status.as_str(),
                    d.trigger_type.as_str(),
                    d.trigger_payload.to_string(),
                    d.created_at.0,
                    d.updated_at.0
                ],
            )?;
            let id = id.unwrap_or_else(|| conn.last_insert_rowid());
            get_definition(conn, id)?.ok_or_else(|| StoreError::NotFound(format!("event definition {id}")))
        })
    }

    fn delete_definition(&self, id: i64) -> Pending<()> {
        self.writer().submit(move |conn| {
            match conn.execute("DELETE FROM event_definitions WHERE id = ?", [id])? {
                0 => Err(StoreError::NotFound(format!("event definition {id}"))),
                _ => Ok(()),
            }
        })
    }

    async fn definition(&self, id: i64) -> Result<Option<EventDefinition>, StoreError> {
        self.read(|conn| get_definition(conn, id))
    }

    async fn definitions(&self) -> Result<Vec<EventDefinition>, StoreError> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(&format!("{DEFINITION_SELECT} ORDER BY id"))?;
            let rows = stmt.query_map([], definition_row)?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }
}
