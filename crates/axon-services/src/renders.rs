//! One render per (scope, parameters, data version): a dashboard answer is computed once and
//! shared by every REST caller and every live (SSE) viewer asking for the same thing at the
//! same version, however many there are. A render in progress is joined, not repeated (single
//! flight); a caller that goes away does not cancel it for the others.
//!
//! The version is the scope's data version from the change feed (it moves only when a commit
//! touched that scope) plus the current second of the injected clock (windows such as "last 7
//! days" and "active in the last 5 minutes" move with time).

use crate::error::{ServiceError, ServiceResult};
use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use tokio::sync::OnceCell;

/// Distinct answers kept; past this the map starts again (answers are cheap to recompute).
const MAX_SLOTS: usize = 4096;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RenderVersion {
    /// The scope's data version (the commit number that last touched it).
    pub data: u64,
    /// The clock's current second.
    pub second: i64,
}

type Answer = ServiceResult<Arc<str>>;

struct Slot {
    version: RenderVersion,
    cell: Arc<OnceCell<Answer>>,
}

#[derive(Default)]
pub struct Renders {
    slots: Mutex<HashMap<String, Slot>>,
    renders: std::sync::atomic::AtomicU64,
}

impl Renders {
    /// The answer for `key` at `version`: the one already rendered or being rendered, or the
    /// result of `render` (run at most once per key and version).
    pub async fn get<F>(&self, key: &str, version: RenderVersion, render: F) -> Answer
    where
        F: Future<Output = Answer> + Send + 'static,
    {
        let cell = {
            let mut slots = self.slots.lock().unwrap_or_else(|p| p.into_inner());
            match slots.get(key) {
                Some(s) if s.version == version => s.cell.clone(),
                _ => {
                    if slots.len() >= MAX_SLOTS {
                        slots.clear();
                    }
                    let cell = Arc::new(OnceCell::new());
                    slots.insert(
                        key.to_string(),
                        Slot {
                            version,
                            cell: cell.clone(),
                        },
                    );
                    cell
                }
            }
        };
        let count = &self.renders;
        cell.get_or_init(|| async move {
            count.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            // Spawned, so a caller that disconnects does not cancel the render for the others.
            tokio::spawn(render)
                .await
                .unwrap_or_else(|e| Err(ServiceError::internal(e)))
        })
        .await
        .clone()
    }

    /// How many renders ran (not answers served): the sharing is measurable.
    pub fn rendered(&self) -> u64 {
        self.renders.load(std::sync::atomic::Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU64, Ordering};

    #[tokio::test]
    async fn concurrent_callers_of_one_key_and_version_share_one_render() {
        let renders = Arc::new(Renders::default());
        let runs = Arc::new(AtomicU64::new(0));
        let v = RenderVersion {
            data: 3,
            second: 10,
        };
        let mut tasks = Vec::new();
        for _ in 0..50 {
            let (renders, runs) = (renders.clone(), runs.clone());
            tasks.push(tokio::spawn(async move {
                renders
                    .get("activity:1:all", v, async move {
                        runs.fetch_add(1, Ordering::SeqCst);
                        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                        Ok(Arc::from("{\"n\":1}"))
                    })
                    .await
            }));
        }
        for t in tasks {
            assert_eq!(&*t.await.unwrap().unwrap(), "{\"n\":1}");
        }
        assert_eq!(runs.load(Ordering::SeqCst), 1);
        assert_eq!(renders.rendered(), 1);
    }

    #[tokio::test]
    async fn a_new_version_renders_again_and_other_keys_are_separate() {
        let r = Renders::default();
        let v1 = RenderVersion { data: 1, second: 0 };
        let v2 = RenderVersion { data: 2, second: 0 };
        let a = r.get("k", v1, async { Ok(Arc::from("a")) }).await.unwrap();
        let same = r.get("k", v1, async { Ok(Arc::from("x")) }).await.unwrap();
        let b = r.get("k", v2, async { Ok(Arc::from("b")) }).await.unwrap();
        let other = r.get("j", v2, async { Ok(Arc::from("c")) }).await.unwrap();
        assert_eq!((&*a, &*same, &*b, &*other), ("a", "a", "b", "c"));
        assert_eq!(r.rendered(), 3);
    }
}
