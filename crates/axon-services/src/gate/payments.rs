//! Payments (SPEC §3.2 steps 2–3): prepare trades a live reservation token for an approval
//! token (extending the hold to cover it); confirm records the purchase while the hold is still
//! live. Tokens are random secrets bound to the user; confirm is idempotent.

use super::answers::{Approval, Paid};
use super::Gate;
use crate::backends::ms;
use crate::counters::Counters;
use crate::error::{Kind, ServiceError, ServiceResult};
use crate::tokens::generate_key;
use axon_domain::model::{Entry, EntryStatus, Purchase, PurchaseType};
use axon_ports::stock::ConfirmRefusal;
use axon_ports::{TokenKind, TokenRecord};

const EXPIRED_KO: &str = "결제 시간이 만료되었습니다. 처음부터 다시 응모해주세요.";

fn reservation_expired() -> ServiceError {
    ServiceError::forbidden("RESERVATION_EXPIRED", EXPIRED_KO)
}

fn approval_expired() -> ServiceError {
    ServiceError::gone(
        "APPROVAL_EXPIRED",
        "결제 승인 시간이 만료되었습니다. 처음부터 다시 응모해주세요.",
    )
}

fn already_paid() -> ServiceError {
    ServiceError::conflict("ALREADY_PAID", "this reservation has already been paid")
}

fn token_shape(t: &str) -> ServiceResult<()> {
    if t.trim().is_empty() || t.len() > 256 {
        return Err(ServiceError::validation(
            "the token must be 1–256 characters",
        ));
    }
    Ok(())
}

fn paid(entry: &Entry, purchase: Option<&Purchase>) -> Paid {
    Paid {
        status: "SUCCESS",
        entry_id: entry.id,
        purchase_id: purchase.map(|p| p.id),
    }
}

impl Gate {
    /// Step 2: a live reservation → an approval token (a second call answers the same one).
    pub async fn prepare(&self, user: String, reservation_token: &str) -> ServiceResult<Approval> {
        token_shape(reservation_token)?;
        let repo = &self.b.fcfs;
        let now = self.settings.now();
        let rec = repo
            .token(reservation_token)
            .await?
            .filter(|t| t.kind == TokenKind::Reservation && t.user_id == user)
            .ok_or_else(reservation_expired)?;
        if let Some(e) = repo.entry(rec.entry_id).await? {
            if e.status == EntryStatus::Paid {
                return Err(already_paid().with("entryId", e.id));
            }
        }
        if rec.expires_at <= now {
            return Err(reservation_expired());
        }
        // A second prepare answers the approval token already issued (the client may have lost it).
        if let Some(t) = repo
            .tokens_of_entry(rec.entry_id)
            .await?
            .into_iter()
            .find(|t| t.kind == TokenKind::Approval && t.expires_at > now)
        {
            return Ok(Approval {
                approval_token: t.token,
                expires_at: t.expires_at,
                entry_id: rec.entry_id,
            });
        }
        let expires_at = now.plus_ms(ms(self.settings.approval_ttl));
        self.b
            .stock
            .extend(rec.activity_id, &user, expires_at, now)
            .map_err(|r| match r {
                ConfirmRefusal::AlreadyFinal => already_paid(),
                ConfirmRefusal::InProgress => {
                    ServiceError::conflict("PAYMENT_IN_PROGRESS", "a payment is being confirmed")
                }
                ConfirmRefusal::Expired | ConfirmRefusal::Unknown => reservation_expired(),
                ConfirmRefusal::Unavailable => {
                    ServiceError::gate_unavailable("the stock gate failed")
                }
            })?;
        let token = generate_key("apv_");
        repo.add_token(TokenRecord {
            token: token.clone(),
            kind: TokenKind::Approval,
            entry_id: rec.entry_id,
            activity_id: rec.activity_id,
            user_id: user,
            expires_at,
        })
        .await?;
        Ok(Approval {
            approval_token: token,
            expires_at,
            entry_id: rec.entry_id,
        })
    }

    /// Step 3: records the purchase while the hold is live; a repeat answers what was recorded.
    pub async fn confirm(&self, user: String, approval_token: &str) -> ServiceResult<Paid> {
        token_shape(approval_token)?;
        let repo = &self.b.fcfs;
        let now = self.settings.now();
        let rec = repo
            .token(approval_token)
            .await?
            .filter(|t| t.kind == TokenKind::Approval)
            .ok_or_else(|| {
                ServiceError::forbidden(
                    "INVALID_APPROVAL_TOKEN",
                    "this approval token is not valid",
                )
            })?;
        if rec.user_id != user {
            return Err(ServiceError::new(
                Kind::Forbidden,
                "TOKEN_NOT_YOURS",
                "this approval token belongs to another user",
            ));
        }
        let entry = repo
            .entry(rec.entry_id)
            .await?
            .ok_or_else(approval_expired)?;
        if entry.status == EntryStatus::Paid {
            let p = repo.purchase_of_entry(&entry).await?;
            return Ok(paid(&entry, p.as_ref()));
        }
        if rec.expires_at <= now || entry.status != EntryStatus::Approved {
            return Err(approval_expired());
        }
        let a = self.activity(rec.activity_id).await?;
        match self.b.stock.begin_confirm(a.id, &user, now) {
            Ok(_) => {}
            Err(ConfirmRefusal::InProgress) => {
                return Err(ServiceError::conflict(
                    "PAYMENT_IN_PROGRESS",
                    "this payment is being confirmed",
                ))
            }
            Err(ConfirmRefusal::AlreadyFinal) => {
                // A concurrent confirm of the same token won: answer what it recorded.
                let e = repo.entry(entry.id).await?.unwrap_or(entry);
                let p = repo.purchase_of_entry(&e).await?;
                return Ok(paid(&e, p.as_ref()));
            }
            Err(ConfirmRefusal::Expired | ConfirmRefusal::Unknown) => {
                return Err(approval_expired())
            }
            Err(ConfirmRefusal::Unavailable) => {
                return Err(ServiceError::gate_unavailable("the stock gate failed"))
            }
        }
        let purchase = Purchase {
            id: 0,
            user_id: user.clone(),
            product_id: a.product_id,
            activity_id: Some(a.id),
            purchase_type: PurchaseType::CampaignActivity,
            price: a.price,
            quantity: entry.quantity,
            purchased_at: now,
            order_id: Some(format!("AXON-{}-{}", a.id, entry.id)),
        };
        let written = self
            .purchases
            .record(purchase, Some(a.campaign_id), Some(entry.id))
            .await;
        self.b.stock.end_confirm(a.id, &user, written.is_ok());
        let w = written?;
        let entry = w.entry.unwrap_or(entry);
        Counters::inc(&self.counters.gate_paid_total, 1);
        Ok(paid(&entry, Some(&w.purchase)))
    }
}
