//! Share links (issue 17 §3): a read-only link to one activity's or campaign's dashboard that
//! opens without login until it expires or is revoked. What is stored is the SHA-256 of the
//! token, never the token itself, so a leaked database does not reveal a live link; the checks
//! of a new link (expiry bounded, label plain text, a dashboard period) live here.

use crate::model::{ActivityId, CampaignId};
use crate::period::Period;
use crate::{DomainError, Ts};
use serde::{Deserialize, Serialize};

wire_enum!(
    /// Which kind of dashboard a share link or an annotation belongs to.
    ScopeKind, "scope" { Activity = "ACTIVITY", Campaign = "CAMPAIGN" });

impl ScopeKind {
    /// Reads `activity`/`ACTIVITY`, `campaign`/`CAMPAIGN`.
    pub fn parse_any(s: &str) -> Result<ScopeKind, DomainError> {
        ScopeKind::parse(&s.trim().to_ascii_uppercase())
    }
}

/// An activity or a campaign.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ScopeRef {
    Activity(ActivityId),
    Campaign(CampaignId),
}

impl ScopeRef {
    pub fn new(kind: ScopeKind, id: i64) -> ScopeRef {
        match kind {
            ScopeKind::Activity => ScopeRef::Activity(id),
            ScopeKind::Campaign => ScopeRef::Campaign(id),
        }
    }

    pub fn kind(self) -> ScopeKind {
        match self {
            ScopeRef::Activity(_) => ScopeKind::Activity,
            ScopeRef::Campaign(_) => ScopeKind::Campaign,
        }
    }

    pub fn id(self) -> i64 {
        match self {
            ScopeRef::Activity(id) | ScopeRef::Campaign(id) => id,
        }
    }
}

/// The longest a share link may live.
pub const MAX_SHARE_HOURS: i64 = 90 * 24;
/// The longest label.
pub const MAX_LABEL_CHARS: usize = 100;

wire_enum!(
    /// Whether a link opens now.
    ShareStatus, "share status" { Active = "ACTIVE", Expired = "EXPIRED", Revoked = "REVOKED" });

/// One stored link. `token_hash` is the hex SHA-256 of the token (never sent in answers).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ShareLink {
    pub id: i64,
    #[serde(skip)]
    pub token_hash: String,
    pub scope: ScopeKind,
    pub scope_id: i64,
    /// The period the page opens on: `1d`, `7d` or `30d`.
    pub period: String,
    pub label: String,
    pub created_at: Ts,
    pub expires_at: Ts,
    pub revoked_at: Option<Ts>,
}

impl ShareLink {
    /// Revoked wins over expired: a revoked link says so even after its expiry.
    pub fn status(&self, now: Ts) -> ShareStatus {
        if self.revoked_at.is_some() {
            ShareStatus::Revoked
        } else if now >= self.expires_at {
            ShareStatus::Expired
        } else {
            ShareStatus::Active
        }
    }

    pub fn scope_ref(&self) -> ScopeRef {
        ScopeRef::new(self.scope, self.scope_id)
    }
}

/// A link as an admin asks for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShareDraft {
    pub scope: ScopeKind,
    pub scope_id: i64,
    pub period: Option<String>,
    /// Required: 1 ..= [`MAX_SHARE_HOURS`].
    pub expires_in_hours: Option<i64>,
    pub label: Option<String>,
}

/// A label or annotation text: trimmed, at most `max` characters, no control characters.
pub fn plain_text(what: &str, s: &str, max: usize) -> Result<String, DomainError> {
    let s = s.trim();
    if s.chars().count() > max {
        return Err(DomainError::invalid(format!(
            "{what} is longer than {max} characters"
        )));
    }
    if s.chars().any(char::is_control) {
        return Err(DomainError::invalid(format!(
            "{what} must not contain control characters"
        )));
    }
    Ok(s.to_string())
}

impl ShareDraft {
    /// The checked link (id 0) for a token whose hash is `token_hash`, created at `now`.
    pub fn validate(self, token_hash: String, now: Ts) -> Result<ShareLink, DomainError> {
        if self.scope_id <= 0 {
            return Err(DomainError::invalid("scopeId must be a positive id"));
        }
        let hours = self.expires_in_hours.ok_or_else(|| {
            DomainError::invalid("expiresInHours is required (a share link always expires)")
        })?;
        if !(1..=MAX_SHARE_HOURS).contains(&hours) {
            return Err(DomainError::invalid(format!(
                "expiresInHours must be 1..{MAX_SHARE_HOURS} (at most 90 days)"
            )));
        }
        let period = match self.period.as_deref().map(str::trim) {
            None | Some("") => Period::D7,
            Some(p) => match Period::parse(p)? {
                Period::Custom => {
                    return Err(DomainError::invalid(
                        "a share link's period is 1d, 7d or 30d",
                    ))
                }
                p => p,
            },
        };
        let label = plain_text(
            "label",
            self.label.as_deref().unwrap_or(""),
            MAX_LABEL_CHARS,
        )?;
        Ok(ShareLink {
            id: 0,
            token_hash,
            scope: self.scope,
            scope_id: self.scope_id,
            period: period.as_str().to_string(),
            label,
            created_at: now,
            expires_at: now.plus_ms(hours * 3_600_000),
            revoked_at: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft(hours: Option<i64>) -> ShareDraft {
        ShareDraft {
            scope: ScopeKind::Campaign,
            scope_id: 3,
            period: None,
            expires_in_hours: hours,
            label: Some("  대행사 공유 ".into()),
        }
    }

    #[test]
    fn a_link_always_expires_within_ninety_days() {
        assert!(draft(None).validate("h".into(), Ts(0)).is_err());
        assert!(draft(Some(0)).validate("h".into(), Ts(0)).is_err());
        assert!(draft(Some(MAX_SHARE_HOURS + 1))
            .validate("h".into(), Ts(0))
            .is_err());
        let s = draft(Some(MAX_SHARE_HOURS))
            .validate("h".into(), Ts(1_000))
            .unwrap();
        assert_eq!(s.expires_at, Ts(1_000 + 90 * 86_400_000));
        assert_eq!((s.label.as_str(), s.period.as_str()), ("대행사 공유", "7d"));
    }

    #[test]
    fn period_label_and_scope_are_checked() {
        let with = |period: &str, label: &str, id| ShareDraft {
            period: Some(period.into()),
            label: Some(label.into()),
            scope_id: id,
            ..draft(Some(24))
        };
        assert_eq!(
            with("30d", "x", 1)
                .validate("h".into(), Ts(0))
                .unwrap()
                .period,
            "30d"
        );
        assert!(with("custom", "x", 1).validate("h".into(), Ts(0)).is_err());
        assert!(with("2d", "x", 1).validate("h".into(), Ts(0)).is_err());
        assert!(with("1d", &"가".repeat(101), 1)
            .validate("h".into(), Ts(0))
            .is_err());
        assert!(with("1d", "a\u{7}b", 1)
            .validate("h".into(), Ts(0))
            .is_err());
        assert!(with("1d", "x", 0).validate("h".into(), Ts(0)).is_err());
    }

    #[test]
    fn revoked_wins_over_expired() {
        let mut s = draft(Some(1)).validate("h".into(), Ts(0)).unwrap();
        assert_eq!(s.status(Ts(3_599_999)), ShareStatus::Active);
        assert_eq!(s.status(Ts(3_600_000)), ShareStatus::Expired);
        s.revoked_at = Some(Ts(10));
        assert_eq!(s.status(Ts(20)), ShareStatus::Revoked);
        assert_eq!(s.status(Ts(9_000_000)), ShareStatus::Revoked);
    }
}
