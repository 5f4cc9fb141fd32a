//! The `Engine` facade and its state: what the server feeds (events, entries, purchases,
//! campaign and activity metadata). Its reads are the aggregates and catalogue ports, answered in
//! the topic modules (`counts`, `funnel`, `purchases`, `cohort`, `breakdown`, `catalog`).

use crate::memo::{step_of, Memo};
use crate::persons::Persons;
use crate::series::Series;
use axon_domain::event::{Event, EventCore};
use axon_domain::model::{
    Activity, ActivityId, Campaign, CampaignId, Entry, EntryStatus, Product, ProductId, Purchase,
    PurchaseType, TriggerType,
};
use axon_domain::BusinessTz;
use axon_ports::Change;
use rustc_hash::FxHashMap as HashMap;

/// One purchase as the indexes keep it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PurchaseRec {
    pub id: i64,
    pub ts: i64,
    /// price × quantity, in hundredths.
    pub revenue: i64,
    pub person: u32,
    pub activity: Option<ActivityId>,
    pub product: Option<ProductId>,
    pub promo: bool,
}

/// One entry's state as of now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EntryRec {
    pub approved_at: i64,
    pub status: EntryStatus,
    pub quantity: i64,
}

/// Everything known about one activity.
#[derive(Default, Clone)]
pub struct ActivityData {
    pub meta: Option<Activity>,
    /// Behaviour events by trigger (index = `TriggerType::index`).
    pub series: [Series; 7],
    /// (approval time, person) of every non-rejected entry, sorted.
    pub approvals: Vec<(i64, u32)>,
    /// The same of the cancelled entries only, so a window's cancellations are two binary
    /// searches.
    pub cancelled: Vec<(i64, u32)>,
    pub entries: HashMap<u32, EntryRec>,
    /// Promotion purchases of this activity, sorted by (time, id).
    pub promo: Vec<PurchaseRec>,
}

impl ActivityData {
    pub fn series(&self, t: TriggerType) -> &Series {
        &self.series[t.index()]
    }
}

/// The analytics index: a fold over the durable log. Writers apply after durability; readers
/// query an immutable snapshot the projector published, with "now" passed in.
#[derive(Default, Clone)]
pub struct Engine {
    pub(crate) tz: BusinessTz,
    pub(crate) persons: Persons,
    pub(crate) campaigns: HashMap<CampaignId, Campaign>,
    pub(crate) activities: HashMap<ActivityId, ActivityData>,
    /// Every PAGE_VIEW, attributed or not (global traffic).
    pub(crate) global_views: Series,
    pub(crate) purchases: HashMap<i64, PurchaseRec>,
    pub(crate) by_product: HashMap<ProductId, Vec<PurchaseRec>>,
    pub(crate) by_user: HashMap<u32, Vec<PurchaseRec>>,
    pub(crate) products: HashMap<ProductId, Product>,
    bulk: bool,
    events: u64,
    /// Behaviour events are counted but not indexed ([`Engine::catalogue_only`]).
    without_events: bool,
    /// Window answers computed by readers of this state, kept exact by every write.
    pub(crate) memo: Memo,
}

fn insert_sorted(v: &mut Vec<PurchaseRec>, r: PurchaseRec, bulk: bool) {
    if bulk || v.last().is_none_or(|l| (l.ts, l.id) <= (r.ts, r.id)) {
        v.push(r);
    } else {
        let at = v.partition_point(|x| (x.ts, x.id) <= (r.ts, r.id));
        v.insert(at, r);
    }
}

fn remove_rec(v: &mut Vec<PurchaseRec>, id: i64) {
    v.retain(|r| r.id != id);
}

impl Engine {
    pub fn new(tz: BusinessTz) -> Engine {
        Engine {
            tz,
            ..Engine::default()
        }
    }

    /// An engine that keeps the catalogue, entries and purchases but not the behaviour events
    /// (they are counted, not indexed): for a node whose dashboards' aggregates another store
    /// answers (`AXON_ANALYTICS=clickhouse`), so its memory does not grow with the event log.
    pub fn catalogue_only(tz: BusinessTz) -> Engine {
        Engine {
            without_events: true,
            ..Engine::new(tz)
        }
    }

    /// Whether behaviour events are indexed (not [`Engine::catalogue_only`]).
    pub fn keeps_events(&self) -> bool {
        !self.without_events
    }

    pub fn tz(&self) -> &BusinessTz {
        &self.tz
    }

    /// Start of a bulk load (start-up replay): records are appended unsorted until
    /// [`Engine::end_bulk`] sorts them once.
    pub fn begin_bulk(&mut self) {
        self.bulk = true;
        self.memo.forget();
    }

    pub fn end_bulk(&mut self) {
        self.bulk = false;
        self.memo.forget();
        for a in self.activities.values_mut() {
            for s in &mut a.series {
                s.finish();
            }
            a.approvals.sort_unstable();
            a.cancelled.sort_unstable();
            a.promo.sort_unstable_by_key(|r| (r.ts, r.id));
        }
        self.global_views.finish();
        for v in self
            .by_product
            .values_mut()
            .chain(self.by_user.values_mut())
        {
            v.sort_unstable_by_key(|r| (r.ts, r.id));
        }
    }

    /// Applies a stored behaviour event. Bots are stored but never counted.
    pub fn apply_event(&mut self, seq: u64, e: &Event) {
        self.apply_core(seq, &EventCore::from(e));
    }

    /// Applies the analytic core of a stored event (start-up replay reads only this).
    pub fn apply_core(&mut self, _seq: u64, e: &EventCore) {
        self.events += 1;
        if e.bot || self.without_events {
            return;
        }
        let person = self.persons.intern(&e.person_key());
        if let (Some(_), Some(anon)) = (&e.user_id, &e.anonymous_id) {
            let a = self.persons.intern(&format!("a:{anon}"));
            if let Some(old) = self.persons.link(a, person) {
                if !self.bulk {
                    // Before the record joins its series: the link's recount must not see it twice.
                    let new = self.persons.canonical(a);
                    self.memo.link(a, old, new, &self.persons, &self.activities);
                }
            }
        }
        let ts = e.occurred_at.0;
        if e.trigger_type == TriggerType::PageView {
            self.global_views.push(ts, person, self.bulk);
        }
        if let Some(a) = e.activity_id {
            let bulk = self.bulk;
            self.activities.entry(a).or_default().series[e.trigger_type.index()]
                .push(ts, person, bulk);
            if let (false, Some(step)) = (bulk, step_of(e.trigger_type)) {
                let canon = self.persons.canonical(person);
                let data = self.activities.get(&a);
                self.memo
                    .record(a, data, &self.persons, (step, ts), (person, canon));
            }
        }
    }

    /// Applies an entry as stored now; a later call for the same activity and user replaces it.
    pub fn apply_entry(&mut self, e: &Entry) {
        let person = self.persons.user(&e.user_id);
        let bulk = self.bulk;
        let act = self.activities.entry(e.activity_id).or_default();
        let rec = EntryRec {
            approved_at: e.requested_at.0,
            status: e.status,
            quantity: e.quantity,
        };
        let mut removed = None;
        if let Some(old) = act.entries.insert(person, rec) {
            if old.status == EntryStatus::Cancelled {
                let key = (old.approved_at, person);
                if let Some(i) = act.cancelled.iter().position(|x| *x == key) {
                    act.cancelled.remove(i);
                }
            }
            if old.status != EntryStatus::Rejected {
                if let Some(i) = act
                    .approvals
                    .iter()
                    .position(|x| *x == (old.approved_at, person))
                {
                    removed = Some(act.approvals.remove(i));
                }
            }
        }
        if e.status == EntryStatus::Cancelled {
            let key = (rec.approved_at, person);
            let at = if bulk {
                act.cancelled.len()
            } else {
                act.cancelled.partition_point(|x| *x <= key)
            };
            act.cancelled.insert(at, key);
        }
        let mut added = None;
        if e.status != EntryStatus::Rejected {
            let key = (rec.approved_at, person);
            added = Some(key);
            if bulk || act.approvals.last().is_none_or(|l| *l <= key) {
                act.approvals.push(key);
            } else {
                let at = act.approvals.partition_point(|x| *x <= key);
                act.approvals.insert(at, key);
            }
        }
        if bulk {
            return;
        }
        match (removed, added) {
            (Some(r), Some(a)) if r == a => {}
            (None, Some((t, p))) => {
                let canon = self.persons.canonical(p);
                let data = self.activities.get(&e.activity_id);
                self.memo
                    .record(e.activity_id, data, &self.persons, (2, t), (p, canon));
            }
            (None, None) => {}
            _ => self.memo.approvals_changed(e.activity_id),
        }
    }

    /// Applies a stored purchase; a later call with the same id replaces it.
    pub fn apply_purchase(&mut self, p: &Purchase) {
        if let Some(old) = self.purchases.remove(&p.id) {
            if let Some(v) = old.product.and_then(|pr| self.by_product.get_mut(&pr)) {
                remove_rec(v, old.id);
            }
            if let Some(v) = self.by_user.get_mut(&old.person) {
                remove_rec(v, old.id);
            }
            if let Some(a) = old.activity.and_then(|a| self.activities.get_mut(&a)) {
                remove_rec(&mut a.promo, old.id);
            }
        }
        let rec = PurchaseRec {
            id: p.id,
            ts: p.purchased_at.0,
            revenue: p.revenue().0,
            person: self.persons.user(&p.user_id),
            activity: p.activity_id,
            product: p.product_id,
            promo: p.purchase_type == PurchaseType::CampaignActivity,
        };
        let bulk = self.bulk;
        if let Some(pr) = rec.product {
            insert_sorted(self.by_product.entry(pr).or_default(), rec, bulk);
        }
        insert_sorted(self.by_user.entry(rec.person).or_default(), rec, bulk);
        if let (Some(a), true) = (rec.activity, rec.promo) {
            insert_sorted(&mut self.activities.entry(a).or_default().promo, rec, bulk);
        }
        self.purchases.insert(p.id, rec);
    }

    /// Applies one durable change (the projector's only way in).
    pub fn apply_change(&mut self, c: &Change) {
        match c {
            Change::Event { seq, event } => self.apply_event(*seq, event),
            Change::Entry(e) => self.apply_entry(e),
            Change::Purchase(p) => self.apply_purchase(p),
            Change::Product(p) => self.upsert_product(p),
            Change::Campaign(c) => self.upsert_campaign(c),
            Change::CampaignRemoved(id) => self.remove_campaign(*id),
            Change::Activity(a) => self.upsert_activity(a),
        }
    }

    pub fn upsert_product(&mut self, p: &Product) {
        self.products.insert(p.id, p.clone());
    }

    pub fn upsert_campaign(&mut self, c: &Campaign) {
        self.campaigns.insert(c.id, c.clone());
    }

    pub fn remove_campaign(&mut self, id: CampaignId) {
        self.campaigns.remove(&id);
    }

    pub fn upsert_activity(&mut self, a: &Activity) {
        self.activities.entry(a.id).or_default().meta = Some(a.clone());
    }

    /// The newest event time seen (any activity), if any.
    pub fn latest_event(&self) -> Option<axon_domain::Ts> {
        self.global_views.last().map(axon_domain::Ts)
    }

    /// Events applied so far (including bots).
    pub fn event_count(&self) -> u64 {
        self.events
    }

    pub(crate) fn activity_data(&self, id: ActivityId) -> Option<&ActivityData> {
        self.activities.get(&id)
    }

    /// Activities that sell a product.
    pub fn activities_of_product(&self, product: ProductId) -> Vec<ActivityId> {
        self.activities
            .values()
            .filter_map(|a| a.meta.as_ref())
            .filter(|a| a.product_id == Some(product))
            .map(|a| a.id)
            .collect()
    }

    /// The activities asked for that the engine knows, with their data.
    pub(crate) fn known<'a>(
        &'a self,
        ids: &'a [ActivityId],
    ) -> impl Iterator<Item = (ActivityId, &'a ActivityData)> + 'a {
        ids.iter()
            .filter_map(|id| self.activities.get(id).map(|a| (*id, a)))
    }
}
