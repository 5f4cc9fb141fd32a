//! Products, user profiles and event definitions on the SQL backends (mirrors
//! `sqlite/catalog.rs`).

use super::rows::{dec, i, json, oi, os, ots, s, ts, wire, Db, SqlResult};
use super::{Dialect, SqlStore};
use crate::CatalogRepo;
use crate::{Change, Pending, StoreError};
use axon_domain::model::{
    DefinitionStatus, EventDefinition, Grade, Product, ProductId, TriggerType, UserProfile,
};
use sqlx_core::any::{AnyConnection, AnyRow};
use sqlx_core::query::query;

fn product_row(r: &AnyRow) -> SqlResult<Product> {
    Ok(Product {
        id: i(r, 0)?,
        name: s(r, 1)?,
        price: dec(r, 2)?,
        stock: i(r, 3)?,
        category: os(r, 4)?,
        brand: os(r, 5)?,
        discount_rate: oi(r, 6)?.map(axon_domain::Dec2),
    })
}

fn profile_row(r: &AnyRow) -> SqlResult<UserProfile> {
    Ok(UserProfile {
        user_id: s(r, 0)?,
        grade: os(r, 1)?.and_then(|g| Grade::parse(&g).ok()),
        age: oi(r, 2)?,
        region: os(r, 3)?,
        last_purchase_at: ots(r, 4)?,
    })
}

fn definition_row(r: &AnyRow) -> SqlResult<EventDefinition> {
    Ok(EventDefinition {
        id: i(r, 0)?,
        name: s(r, 1)?,
        description: os(r, 2)?,
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

pub(crate) async fn get_product(
    c: &mut AnyConnection,
    d: Dialect,
    id: ProductId,
) -> SqlResult<Option<Product>> {
    query(&d.q(&format!("{PRODUCT_SELECT} WHERE id = ?")))
        .bind(id)
        .fetch_optional(&mut *c)
        .await
        .db()?
        .map(|r| product_row(&r))
        .transpose()
}

async fn get_definition(
    c: &mut AnyConnection,
    d: Dialect,
    id: i64,
) -> SqlResult<Option<EventDefinition>> {
    query(&d.q(&format!("{DEFINITION_SELECT} WHERE id = ?")))
        .bind(id)
        .fetch_optional(&mut *c)
        .await
        .db()?
        .map(|r| definition_row(&r))
        .transpose()
}

pub(crate) async fn save_product(
    c: &mut AnyConnection,
    d: Dialect,
    p: &Product,
) -> SqlResult<Product> {
    let mut id = p.id;
    let mut updated = 0;
    if id != 0 {
        updated = query(&d.q(
            "UPDATE products SET name = ?, price = ?, stock = ?, category = ?, brand = ?, discount_rate = ? WHERE id = ?",
        ))
        .bind(p.name.as_str())
        .bind(p.price.0)
        .bind(p.stock)
        .bind(p.category.as_deref())
        .bind(p.brand.as_deref())
        .bind(p.discount_rate.map(|r| r.0))
        .bind(id)
        .execute(&mut *c)
        .await
        .db()?
        .rows_affected();
    } else {
        id = super::rows::next_id(c, "products", "id").await?;
    }
    if updated == 0 {
        query(&d.q(
            "INSERT INTO products (id, name, price, stock, category, brand, discount_rate) VALUES (?, ?, ?, ?, ?, ?, ?)",
        ))
        .bind(id)
        .bind(p.name.as_str())
        .bind(p.price.0)
        .bind(p.stock)
        .bind(p.category.as_deref())
        .bind(p.brand.as_deref())
        .bind(p.discount_rate.map(|r| r.0))
        .execute(&mut *c)
        .await
        .db()?;
    }
    get_product(c, d, id)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("product {id}")))
}

async fn get_profile(
    c: &mut AnyConnection,
    d: Dialect,
    user_id: &str,
) -> SqlResult<Option<UserProfile>> {
    query(&d.q(&format!("{PROFILE_SELECT} WHERE user_id = ?")))
        .bind(user_id)
        .fetch_optional(&mut *c)
        .await
        .db()?
        .map(|r| profile_row(&r))
        .transpose()
}

#[async_trait::async_trait]
impl CatalogRepo for SqlStore {
    fn upsert_product(&self, p: Product) -> Pending<Product> {
        let d = self.dialect();
        self.writer().submit(move |c, out| {
            Box::pin(async move {
                let saved = save_product(c, d, &p).await?;
                out.push(Change::Product(saved.clone()));
                Ok(saved)
            })
        })
    }

    async fn product(&self, id: ProductId) -> Result<Option<Product>, StoreError> {
        self.read(move |sh| async move {
            let mut c = sh.pool.acquire().await.db()?;
            get_product(&mut c, sh.dialect, id).await
        })
        .await
    }

    async fn products(&self) -> Result<Vec<Product>, StoreError> {
        self.read(move |sh| async move {
            query(&format!("{PRODUCT_SELECT} ORDER BY id"))
                .fetch_all(&sh.pool)
                .await
                .db()?
                .iter()
                .map(product_row)
                .collect()
        })
        .await
    }

    fn upsert_profile(&self, p: UserProfile) -> Pending<UserProfile> {
        let d = self.dialect();
        self.writer().submit(move |c, _| {
            Box::pin(async move {
                let grade = p.grade.map(|g| g.as_str());
                let updated = query(&d.q(
                    "UPDATE user_profiles SET grade = ?, age = ?, region = ?, last_purchase_at = ? WHERE user_id = ?",
                ))
                .bind(grade)
                .bind(p.age)
                .bind(p.region.as_deref())
                .bind(p.last_purchase_at.map(|t| t.0))
                .bind(p.user_id.as_str())
                .execute(&mut *c)
                .await
                .db()?
                .rows_affected();
                if updated == 0 {
                    query(&d.q(
                        "INSERT INTO user_profiles (user_id, grade, age, region, last_purchase_at) VALUES (?, ?, ?, ?, ?)",
                    ))
                    .bind(p.user_id.as_str())
                    .bind(grade)
                    .bind(p.age)
                    .bind(p.region.as_deref())
                    .bind(p.last_purchase_at.map(|t| t.0))
                    .execute(&mut *c)
                    .await
                    .db()?;
                }
                Ok(p)
            })
        })
    }

    async fn profile(&self, user_id: &str) -> Result<Option<UserProfile>, StoreError> {
        let user_id = user_id.to_string();
        self.read(move |sh| async move {
            let mut c = sh.pool.acquire().await.db()?;
            get_profile(&mut c, sh.dialect, &user_id).await
        })
        .await
    }

    async fn profiles(&self, user_ids: &[String]) -> Result<Vec<UserProfile>, StoreError> {
        let user_ids = user_ids.to_vec();
        self.read(move |sh| async move {
            let mut c = sh.pool.acquire().await.db()?;
            let mut out = Vec::new();
            for u in &user_ids {
                out.extend(get_profile(&mut c, sh.dialect, u).await?);
            }
            Ok(out)
        })
        .await
    }

    fn upsert_definition(&self, def: EventDefinition) -> Pending<EventDefinition> {
        let d = self.dialect();
        self.writer().submit(move |c, _| {
            Box::pin(async move {
                let payload = def.trigger_payload.to_string();
                let mut id = def.id;
                let mut updated = 0;
                if id != 0 {
                    updated = query(&d.q(
                        "UPDATE event_definitions SET name = ?, description = ?, status = ?, trigger_type = ?,
                           trigger_payload = ?, updated_at = ? WHERE id = ?",
                    ))
                    .bind(def.name.as_str())
                    .bind(def.description.as_deref())
                    .bind(def.status.as_str())
                    .bind(def.trigger_type.as_str())
                    .bind(payload.as_str())
                    .bind(def.updated_at.0)
                    .bind(id)
                    .execute(&mut *c)
                    .await
                    .db()?
                    .rows_affected();
                } else {
                    id = super::rows::next_id(c, "event_definitions", "id").await?;
                }
                if updated == 0 {
                    query(&d.q(
                        "INSERT INTO event_definitions (id, name, description, status, trigger_type, trigger_payload, created_at, updated_at)
                         VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    ))
                    .bind(id)
                    .bind(def.name.as_str())
                    .bind(def.description.as_deref())
                    .bind(def.status.as_str())
                    .bind(def.trigger_type.as_str())
                    .bind(payload.as_str())
                    .bind(def.created_at.0)
                    .bind(def.updated_at.0)
                    .execute(&mut *c)
                    .await
                    .db()?;
                }
                get_definition(c, d, id)
                    .await?
                    .ok_or_else(|| StoreError::NotFound(format!("event definition {id}")))
            })
        })
    }

    fn delete_definition(&self, id: i64) -> Pending<()> {
        let d = self.dialect();
        self.writer().submit(move |c, _| {
            Box::pin(async move {
                let n = query(&d.q("DELETE FROM event_definitions WHERE id = ?"))
                    .bind(id)
                    .execute(&mut *c)
                    .await
                    .db()?
                    .rows_affected();
                match n {
                    0 => Err(StoreError::NotFound(format!("event definition {id}"))),
                    _ => Ok(()),
                }
            })
        })
    }

    async fn definition(&self, id: i64) -> Result<Option<EventDefinition>, StoreError> {
        self.read(move |sh| async move {
            let mut c = sh.pool.acquire().await.db()?;
            get_definition(&mut c, sh.dialect, id).await
        })
        .await
    }

    async fn definitions(&self) -> Result<Vec<EventDefinition>, StoreError> {
        self.read(move |sh| async move {
            query(&format!("{DEFINITION_SELECT} ORDER BY id"))
                .fetch_all(&sh.pool)
                .await
                .db()?
                .iter()
                .map(definition_row)
                .collect()
        })
        .await
    }
}
