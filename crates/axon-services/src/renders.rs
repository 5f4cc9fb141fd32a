//! One render per (scope, parameters, data version): a dashboard answer is computed once and
//! shared by every REST caller and every live (SSE) viewer asking for the same thing at the
//! same version, however many there are; callers that arrive while it is being rendered wait
//! for it (or, if the data moved meanwhile, share the next one) instead of rendering again.
//! While several callers queue on one key, its renders take at most half a core: the next starts
//! no sooner than the last one's duration after it ended.
//!
//! The version is the scope's data version from the change feed (it moves only when a commit
//! touched that scope) plus the current second of the injected clock (windows such as "last 7
//! days" and "active in the last 5 minutes" move with time).

use crate::error::ServiceResult;
use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

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

/// The newest render of one key.
struct Last {
    version: RenderVersion,
    started: Instant,
    took: Duration,
    answer: Answer,
}

/// One key: its newest render, and how many callers are waiting for it.
#[derive(Default)]
struct Slot {
    last: tokio::sync::Mutex<Option<Last>>,
    waiting: AtomicUsize,
}

#[derive(Default)]
pub struct Renders {
    slots: Mutex<HashMap<String, Arc<Slot>>>,
    renders: AtomicU64,
}

impl Renders {
    /// The answer for `key` as of `version`. Renders of one key run one at a time; a caller
    /// takes the newest render if it was made at its version, or if it *started after the
    /// caller arrived* (so it includes everything the caller could have written before); else
    /// it renders, and everyone who queued meanwhile takes that render. A hot dashboard under
    /// a stream of writes therefore costs one render at a time, however many ask, and every
    /// caller still reads its own writes.
    pub async fn get<F>(&self, key: &str, version: RenderVersion, render: F) -> Answer
    where
        F: Future<Output = Answer> + Send + 'static,
    {
        let arrived = Instant::now();
        let slot = {
            let mut slots = self.slots.lock().unwrap_or_else(|p| p.into_inner());
            if slots.len() >= MAX_SLOTS && !slots.contains_key(key) {
                slots.clear();
            }
            slots.entry(key.to_string()).or_default().clone()
        };
        slot.waiting.fetch_add(1, Ordering::AcqRel);
        let mut last = slot.last.lock().await;
        let others = slot.waiting.fetch_sub(1, Ordering::AcqRel) > 1;
        if let Some(l) = &*last {
            if l.version == version || l.started >= arrived {
                return l.answer.clone();
            }
            // A key many callers render back to back takes at most half a core: wait as long
            // as the last render took before the next (everyone queued meanwhile shares it). A
            // lone caller is never held back.
            if others {
                tokio::time::sleep_until((l.started + 2 * l.took).into()).await;
            }
        }
        let started = Instant::now();
        self.renders.fetch_add(1, Ordering::Relaxed);
        let answer = render.await;
        *last = Some(Last {
            version,
            started,
            took: started.elapsed(),
            answer: answer.clone(),
        });
        answer
    }

    /// How many renders ran (not answers served): the sharing is measurable.
    pub fn rendered(&self) -> u64 {
        self.renders.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
    async fn callers_queued_behind_a_render_of_old_data_share_one_fresh_render() {
        let r = Arc::new(Renders::default());
        let v1 = RenderVersion { data: 1, second: 0 };
        let slow = r.clone();
        let first = tokio::spawn(async move {
            slow.get("k", v1, async {
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                Ok(Arc::from("old"))
            })
            .await
        });
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        // The data moved to version 2 while "old" renders: these callers must not get "old".
        let v2 = RenderVersion { data: 2, second: 0 };
        let mut later = Vec::new();
        for _ in 0..10 {
            let r = r.clone();
            later.push(tokio::spawn(async move {
                r.get("k", v2, async { Ok(Arc::from("new")) }).await
            }));
        }
        assert_eq!(&*first.await.unwrap().unwrap(), "old");
        for t in later {
            assert_eq!(&*t.await.unwrap().unwrap(), "new");
        }
        assert_eq!(r.rendered(), 2, "one render for the ten that queued");
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
