//! The activity status state machine (SPEC §1).

use crate::model::ActivityStatus;
use crate::DomainError;

/// Allowed: same→same, DRAFT→ACTIVE, ACTIVE→PAUSED, ACTIVE→ENDED, PAUSED→ACTIVE, PAUSED→ENDED.
pub fn can_transition(from: ActivityStatus, to: ActivityStatus) -> bool {
    use ActivityStatus::{Active, Draft, Ended, Paused};
    from == to
        || matches!(
            (from, to),
            (Draft, Active)
                | (Active, Paused)
                | (Active, Ended)
                | (Paused, Active)
                | (Paused, Ended)
        )
}

/// Checks a transition, answering a `INVALID_STATUS_TRANSITION` error naming both states.
pub fn transition(from: ActivityStatus, to: ActivityStatus) -> Result<ActivityStatus, DomainError> {
    if can_transition(from, to) {
        Ok(to)
    } else {
        Err(DomainError::new(
            "INVALID_STATUS_TRANSITION",
            format!(
                "cannot change activity status from {} to {}",
                from.as_str(),
                to.as_str()
            ),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ActivityStatus::{Active, Draft, Ended, Paused};

    #[test]
    fn allowed_transitions_match_the_spec_exactly() {
        let all = [Draft, Active, Paused, Ended];
        let allowed = [
            (Draft, Active),
            (Active, Paused),
            (Active, Ended),
            (Paused, Active),
            (Paused, Ended),
        ];
        for from in all {
            for to in all {
                let expect = from == to || allowed.contains(&(from, to));
                assert_eq!(can_transition(from, to), expect, "{from:?}->{to:?}");
            }
        }
    }

    #[test]
    fn refused_transition_names_both_states() {
        let e = transition(Ended, Active).unwrap_err();
        assert_eq!(e.code, "INVALID_STATUS_TRANSITION");
        assert!(e.message.contains("ENDED") && e.message.contains("ACTIVE"));
    }
}
