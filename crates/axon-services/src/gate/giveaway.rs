//! Giveaways (SPEC §3.4): entries are collected without a cap while the activity is open; the
//! draw (admin, after the end) picks `limitCount` winners uniformly with a seed that is
//! recorded, so the draw can be replayed and audited.

use super::answers::{DrawView, EntryAnswer, GiveawayEntry};
use super::{check_open, Gate};
use crate::error::{ServiceError, ServiceResult};
use crate::tokens::random_seed;
use axon_domain::draw::draw_winners;
use axon_domain::event::Event;
use axon_domain::model::{Activity, ActivityId, ActivityStatus, ActivityType, Entry, EntryStatus};
use axon_domain::Ts;
use axon_ports::Draw;

fn view(d: &Draw) -> DrawView {
    DrawView {
        activity_id: d.activity_id,
        seed: d.seed.to_string(),
        participants: d.participants,
        winner_count: d.winners.len(),
        winners: d.winners.clone(),
        drawn_at: d.drawn_at,
    }
}

impl Gate {
    /// A giveaway entry: filters, open, then one per user.
    pub(super) async fn enter_giveaway(
        &self,
        a: &Activity,
        user: String,
        now: Ts,
    ) -> ServiceResult<EntryAnswer> {
        self.check_filters(a, &user).await?;
        check_open(a, now)?;
        let order = self.b.repo.add_participant(a.id, user, now).await?;
        Ok(EntryAnswer::Giveaway(GiveawayEntry {
            status: "SUCCESS",
            order,
            is_retry: false,
            draw_pending: true,
        }))
    }

    /// Draws the winners (a fresh random seed unless one is given to replay a draw).
    pub async fn draw(&self, id: ActivityId, seed: Option<u64>) -> ServiceResult<DrawView> {
        let a = self.activity(id).await?;
        if a.activity_type != ActivityType::Giveaway {
            return Err(ServiceError::invalid(
                "NOT_A_GIVEAWAY",
                format!(
                    "activity {id} is {}, not GIVEAWAY",
                    a.activity_type.as_str()
                ),
            ));
        }
        let now = self.settings.now();
        if now <= a.end_date && a.status != ActivityStatus::Ended {
            return Err(ServiceError::conflict(
                "DRAW_TOO_EARLY",
                format!("the giveaway runs until {}; draw after it ends", a.end_date),
            ));
        }
        let repo = &self.b.repo;
        if repo.draw(id).await?.is_some() {
            return Err(ServiceError::conflict(
                "ALREADY_DRAWN",
                format!("activity {id} has already been drawn"),
            ));
        }
        let seed = seed.unwrap_or_else(random_seed);
        let people = repo.participants(id).await?;
        let k = a
            .limit_count
            .map_or(people.len(), |l| usize::try_from(l).unwrap_or(0));
        let winners: Vec<usize> = draw_winners(&(0..people.len()).collect::<Vec<_>>(), k, seed);
        let mut rank = vec![0i64; people.len()];
        for (r, &i) in winners.iter().enumerate() {
            rank[i] = i64::try_from(r).unwrap_or(0) + 1;
        }
        let mut entries = Vec::with_capacity(people.len());
        let mut events = Vec::with_capacity(winners.len());
        for (i, (user, at)) in people.iter().enumerate() {
            let won = rank[i] > 0;
            entries.push(Entry {
                id: 0,
                activity_id: id,
                user_id: user.clone(),
                status: if won {
                    EntryStatus::Approved
                } else {
                    EntryStatus::Rejected
                },
                order: if won { rank[i] } else { 0 },
                quantity: 1,
                requested_at: *at,
                processed_at: Some(now),
            });
            if won {
                events.push(Event::approved(user, id, a.campaign_id, rank[i], 1, now));
            }
        }
        let d = Draw {
            activity_id: id,
            seed,
            participants: i64::try_from(people.len()).unwrap_or(0),
            winners: winners.iter().map(|&i| people[i].0.clone()).collect(),
            drawn_at: now,
        };
        repo.record_draw(d.clone(), entries, events).await?;
        Ok(view(&d))
    }

    /// The recorded draw, or 404 `NOT_DRAWN`.
    pub async fn show_draw(&self, id: ActivityId) -> ServiceResult<DrawView> {
        self.activity(id).await?;
        let d = self.b.repo.draw(id).await?.ok_or_else(|| {
            ServiceError::not_found("NOT_DRAWN", format!("activity {id} has not been drawn yet"))
        })?;
        Ok(view(&d))
    }
}
