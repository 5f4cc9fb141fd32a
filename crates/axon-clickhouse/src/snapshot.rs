//! ClickHouse answering the dashboards (`AXON_ANALYTICS=clickhouse`): an [`AnalyticsSource`]
//! whose snapshots take the catalogue from the node's engine and every aggregate from
//! ClickHouse.
//!
//! A snapshot first waits (at most [`FRESH_WAIT`]) until the follower has written the commit the
//! engine's catalogue is at, so an answer counts every write acknowledged before it, as with the
//! engine. Its reads are then live queries: widgets of one answer may see a few milliseconds
//! apart, unlike the engine's immutable snapshot; a count asked twice within one answer (the
//! overview and the funnel both count the window's visitors) is read once
//! ([`ClickHouse::with_memo`]). The port is synchronous (dashboards are composed on the reader
//! pool): each read runs on this adapter's own runtime and the caller waits. A read that fails answers zeros and is recorded ([`Aggregates::failure`]), so the
//! service answers 503 rather than figures with holes.
//!
//! A breakdown (`split`) reads its links, approvals and promotion purchases from ClickHouse and
//! splits the raw events the service passes in with the engine's shared function.

use crate::follow::Follower;
use crate::{ChError, ClickHouse};
use axon_domain::dimension::Dimension;
use axon_domain::event::Event;
use axon_domain::metrics::Counts;
use axon_domain::model::{
    Activity, ActivityId, Campaign, CampaignId, FunnelStep, Product, ProductId, TriggerType,
    UserProfile,
};
use axon_domain::period::Window;
use axon_domain::Ts;
use axon_ports::aggregates::{
    Aggregates, AnalyticsSource, Bucket, CohortMember, Dropout, EntryTally, OrderedFunnel,
    PurchaseSeries, PurchaseSet, Snapshot, SourceError, SplitRow,
};
use axon_ports::catalog::Catalog;
use axon_ports::live::{ChangeFeed, Scope};
use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Longest a snapshot waits for ClickHouse to hold the engine's newest commit.
pub const FRESH_WAIT: Duration = Duration::from_secs(2);

/// Snapshots answered by ClickHouse.
pub struct ClickHouseSource {
    ch: ClickHouse,
    follower: Arc<Follower>,
    engine: Arc<dyn AnalyticsSource>,
    changes: Arc<dyn ChangeFeed>,
    /// The adapter's own runtime (taken on drop, see below).
    rt: Option<tokio::runtime::Runtime>,
    handle: tokio::runtime::Handle,
}

impl Drop for ClickHouseSource {
    /// A runtime may not be dropped where blocking is not allowed (the server's shutdown runs
    /// on its runtime): let its threads end in the background.
    fn drop(&mut self) {
        if let Some(rt) = self.rt.take() {
            rt.shutdown_background();
        }
    }
}

impl ClickHouseSource {
    /// `engine` gives the catalogue, `changes` the commit it is at.
    pub fn new(
        ch: ClickHouse,
        follower: Arc<Follower>,
        engine: Arc<dyn AnalyticsSource>,
        changes: Arc<dyn ChangeFeed>,
    ) -> std::io::Result<ClickHouseSource> {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("axon-clickhouse")
            .enable_all()
            .build()?;
        Ok(ClickHouseSource {
            ch,
            follower,
            engine,
            changes,
            handle: rt.handle().clone(),
            rt: Some(rt),
        })
    }
}

impl AnalyticsSource for ClickHouseSource {
    fn snapshot(&self) -> Arc<dyn Snapshot> {
        let catalog = self.engine.snapshot();
        let at = self.changes.version_of(Scope::Global);
        // Usually ClickHouse holds it already: no wait, no round trip to the runtime.
        let fresh = self.follower.written() >= at || {
            let follower = self.follower.clone();
            run(&self.handle, async move {
                follower.wait_for(at, FRESH_WAIT).await
            })
        };
        let snap = ChSnapshot {
            ch: self.ch.with_memo(),
            catalog,
            rt: self.handle.clone(),
            failure: Mutex::new(None),
        };
        if !fresh {
            snap.fail(format!(
                "ClickHouse has not written commit {at} within {} ms",
                FRESH_WAIT.as_millis()
            ));
        }
        Arc::new(snap)
    }
}

/// Runs `f` on the adapter's runtime and waits for it, from any thread: a plain thread (the
/// reader pool), a worker of a multi-thread runtime (which is told it blocks), or a
/// current-thread runtime (which only waits on a channel).
fn run<T: Send + 'static>(
    rt: &tokio::runtime::Handle,
    f: impl Future<Output = T> + Send + 'static,
) -> T {
    let (tx, rx) = std::sync::mpsc::sync_channel(1);
    rt.spawn(async move {
        let _ = tx.send(f.await);
    });
    let wait = move || rx.recv().expect("the ClickHouse runtime runs");
    match tokio::runtime::Handle::try_current().map(|h| h.runtime_flavor()) {
        Ok(tokio::runtime::RuntimeFlavor::MultiThread) => tokio::task::block_in_place(wait),
        _ => wait(),
    }
}

/// One answer's view: the engine's catalogue, ClickHouse's aggregates.
struct ChSnapshot {
    ch: ClickHouse,
    catalog: Arc<dyn Snapshot>,
    rt: tokio::runtime::Handle,
    failure: Mutex<Option<SourceError>>,
}

impl ChSnapshot {
    fn fail(&self, why: String) {
        let mut f = self.failure.lock().unwrap_or_else(|e| e.into_inner());
        f.get_or_insert(SourceError(why));
    }

    /// One read: its answer, or the default after recording why it failed.
    fn read<T, F, Fut>(&self, what: &str, f: F) -> T
    where
        T: Default + Send + 'static,
        F: FnOnce(ClickHouse) -> Fut,
        Fut: Future<Output = Result<T, ChError>> + Send + 'static,
    {
        match run(&self.rt, f(self.ch.clone())) {
            Ok(v) => v,
            Err(e) => {
                self.fail(format!("{what}: {e}"));
                T::default()
            }
        }
    }
}

impl Aggregates for ChSnapshot {
    fn counts(&self, activities: &[ActivityId], w: &Window) -> Counts {
        let (a, w) = (activities.to_vec(), *w);
        self.read("counts", |ch| async move { ch.counts(&a, &w).await })
    }

    fn step_users(&self, activities: &[ActivityId], w: &Window) -> [u64; 4] {
        let (a, w) = (activities.to_vec(), *w);
        self.read(
            "step users",
            |ch| async move { ch.step_users(&a, &w).await },
        )
    }

    fn ordered_funnel(
        &self,
        activities: &[ActivityId],
        w: &Window,
        within_ms: Option<i64>,
    ) -> OrderedFunnel {
        let (a, w) = (activities.to_vec(), *w);
        self.read("the ordered funnel", |ch| async move {
            ch.ordered_funnel(&a, &w, within_ms).await
        })
    }

    fn event_count(&self, activities: &[ActivityId], trigger: TriggerType, w: &Window) -> u64 {
        let (a, w) = (activities.to_vec(), *w);
        self.read("an event count", |ch| async move {
            ch.event_count(&a, trigger, &w).await
        })
    }

    fn visit_buckets(
        &self,
        activities: Option<&[ActivityId]>,
        w: &Window,
        bucket_ms: i64,
    ) -> Vec<Bucket> {
        let (a, w) = (activities.map(<[i64]>::to_vec), *w);
        self.read("page views per bucket", |ch| async move {
            ch.visit_buckets(a.as_deref(), &w, bucket_ms).await
        })
    }

    fn active_persons(&self, activities: &[ActivityId], w: &Window) -> u64 {
        let (a, w) = (activities.to_vec(), *w);
        self.read("active persons", |ch| async move {
            ch.active_persons(&a, &w).await
        })
    }

    fn entries(&self, activity: ActivityId) -> EntryTally {
        self.read("entries", |ch| async move { ch.entries(activity).await })
    }

    fn has_records(&self, activity: ActivityId) -> bool {
        self.read(
            "records",
            |ch| async move { ch.has_records(activity).await },
        )
    }

    fn purchases(&self, set: PurchaseSet<'_>, w: &Window, day_starts: &[Ts]) -> PurchaseSeries {
        let (w, days) = (*w, day_starts.to_vec());
        let (promo, ids) = match set {
            PurchaseSet::Promotion(ids) => (true, ids.to_vec()),
            PurchaseSet::Normal(ids) => (false, ids.to_vec()),
        };
        self.read("purchases", |ch| async move {
            let set = if promo {
                PurchaseSet::Promotion(&ids)
            } else {
                PurchaseSet::Normal(&ids)
            };
            ch.purchases(set, &w, &days).await
        })
    }

    fn cohort(&self, activities: &[ActivityId], w: &Window) -> Vec<CohortMember> {
        let (a, w) = (activities.to_vec(), *w);
        self.read("the cohort", |ch| async move { ch.cohort(&a, &w).await })
    }

    fn dropouts(
        &self,
        activity: ActivityId,
        step: FunnelStep,
        w: &Window,
        within_ms: Option<i64>,
    ) -> Vec<Dropout> {
        let w = *w;
        self.read("drop-offs", |ch| async move {
            ch.dropouts(activity, step, &w, within_ms).await
        })
    }

    fn split(
        &self,
        activities: &[ActivityId],
        dimension: Dimension,
        w: &Window,
        events: &[Event],
        profiles: &HashMap<String, UserProfile>,
    ) -> Vec<SplitRow> {
        let (a, win) = (activities.to_vec(), *w);
        let inputs = self.read(
            "a breakdown's links, approvals and purchases",
            |ch| async move { ch.split_inputs(&a, &win).await },
        );
        axon_engine::breakdown::split(
            dimension,
            w,
            events,
            profiles,
            &|key| inputs.canon(key),
            &inputs.approvals,
            &inputs.promo,
        )
    }

    fn failure(&self) -> Option<SourceError> {
        self.failure
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

impl Catalog for ChSnapshot {
    fn activity(&self, id: ActivityId) -> Option<Activity> {
        self.catalog.activity(id)
    }
    fn activities(&self) -> Vec<Activity> {
        self.catalog.activities()
    }
    fn campaign_activities(&self, id: CampaignId) -> Vec<Activity> {
        self.catalog.campaign_activities(id)
    }
    fn campaign(&self, id: CampaignId) -> Option<Campaign> {
        self.catalog.campaign(id)
    }
    fn campaigns(&self) -> Vec<Campaign> {
        self.catalog.campaigns()
    }
    fn campaign_of(&self, activity: ActivityId) -> Option<CampaignId> {
        self.catalog.campaign_of(activity)
    }
    fn product(&self, id: ProductId) -> Option<Product> {
        self.catalog.product(id)
    }
}
