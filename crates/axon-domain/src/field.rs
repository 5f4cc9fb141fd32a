//! Field checks every entity shares (names, amounts), so each surface words them alike, and the
//! one serde helper that tells an absent field from an explicit `null`.

use crate::{Dec2, DomainError};
use serde::{Deserialize, Deserializer};

/// Trims and checks a required name of at most `max` characters; `field` names it in errors.
pub fn required_name(field: &str, v: Option<&str>, max: usize) -> Result<String, DomainError> {
    let n = v.map(str::trim).unwrap_or("");
    if n.is_empty() {
        return Err(DomainError::invalid(format!("{field} is required")));
    }
    if n.chars().count() > max {
        return Err(DomainError::invalid(format!(
            "{field} is longer than {max} characters"
        )));
    }
    Ok(n.to_string())
}

/// Refuses a negative amount; `field` names it in the error.
pub fn non_negative(field: &str, v: Dec2) -> Result<Dec2, DomainError> {
    if v.0 < 0 {
        return Err(DomainError::invalid(format!("{field} must be ≥ 0")));
    }
    Ok(v)
}

/// Distinguishes an absent field (`None`, with `#[serde(default)]`) from an explicit `null`
/// (`Some(None)`).
pub fn double_option<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

/// The largest row offset a paged list may be asked for (`page × size`): far beyond any real
/// list, and small enough that no arithmetic on it can overflow.
pub const MAX_OFFSET: u64 = 100_000_000;

/// The offset of page `page` (0-based) of `size` rows, checked: `page × size` beyond
/// [`MAX_OFFSET`] (or overflowing) is a clear `INVALID_QUERY`, never a panic or a wrap.
pub fn page_offset(page: u64, size: u64) -> Result<u64, DomainError> {
    page.checked_mul(size)
        .filter(|o| *o <= MAX_OFFSET)
        .ok_or_else(|| {
            DomainError::new(
                "INVALID_QUERY",
                format!("page × size must be at most {MAX_OFFSET}"),
            )
        })
}

#[cfg(test)]
mod paging_tests {
    use super::*;

    #[test]
    fn page_offsets_are_checked() {
        assert_eq!(page_offset(3, 100).unwrap(), 300);
        assert_eq!(page_offset(u64::MAX, 2).unwrap_err().code, "INVALID_QUERY");
        assert!(page_offset(MAX_OFFSET, 2).is_err());
    }
}
