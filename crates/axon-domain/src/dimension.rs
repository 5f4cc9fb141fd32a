//! Breakdown dimensions (SPEC §5.2 `breakdown=`): utm_source, referrerDomain, device, browser
//! (read from each event) or the person's grade or region (read from the profile), and how a
//! value is read from an event or a profile. Every backend splits by these same rules.

use crate::event::Event;
use crate::model::UserProfile;
use crate::DomainError;
use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dimension {
    UtmSource,
    ReferrerDomain,
    Device,
    Browser,
    Grade,
    Region,
}

/// The value of an event or person that carries none.
pub const NONE: &str = "(none)";

impl Dimension {
    pub fn parse(s: &str) -> Result<Dimension, DomainError> {
        Ok(match s {
            "utm_source" => Dimension::UtmSource,
            "referrerDomain" => Dimension::ReferrerDomain,
            "device" => Dimension::Device,
            "browser" => Dimension::Browser,
            "grade" => Dimension::Grade,
            "region" => Dimension::Region,
            _ => {
                return Err(DomainError::new(
                    "INVALID_BREAKDOWN",
                    format!("unknown breakdown '{s}' (expected utm_source, referrerDomain, device, browser, grade or region)"),
                ))
            }
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Dimension::UtmSource => "utm_source",
            Dimension::ReferrerDomain => "referrerDomain",
            Dimension::Device => "device",
            Dimension::Browser => "browser",
            Dimension::Grade => "grade",
            Dimension::Region => "region",
        }
    }

    /// Whether values come from the person's profile rather than the event.
    pub fn from_profile(self) -> bool {
        matches!(self, Dimension::Grade | Dimension::Region)
    }

    /// The event-level value of the dimension, if the event carries it.
    pub fn event_value(self, e: &Event) -> Option<String> {
        match self {
            Dimension::UtmSource => e
                .properties
                .get("utm_source")
                .and_then(Value::as_str)
                .map(str::to_string)
                .or_else(|| {
                    e.page_url
                        .as_deref()
                        .and_then(|u| query_param(u, "utm_source"))
                }),
            Dimension::ReferrerDomain => e.referrer.as_deref().and_then(host),
            Dimension::Device => e.user_agent.as_deref().map(|u| device(u).to_string()),
            Dimension::Browser => e.user_agent.as_deref().map(|u| browser(u).to_string()),
            Dimension::Grade | Dimension::Region => None,
        }
    }

    /// The profile-level value of the dimension ([`NONE`] without a profile or the field).
    pub fn profile_value(self, p: Option<&UserProfile>) -> String {
        let v = match self {
            Dimension::Grade => p.and_then(|p| p.grade).map(|g| g.as_str().to_string()),
            Dimension::Region => p
                .and_then(|p| p.region.as_deref())
                .map(|r| r.split('-').next().unwrap_or(r).to_string()),
            _ => None,
        };
        v.unwrap_or_else(|| NONE.to_string())
    }
}

fn query_param(url: &str, key: &str) -> Option<String> {
    let q = url.split_once('?')?.1.split('#').next()?;
    q.split('&').find_map(|kv| {
        let (k, v) = kv.split_once('=')?;
        (k == key && !v.is_empty()).then(|| v.to_string())
    })
}

fn host(url: &str) -> Option<String> {
    let rest = url.split_once("://")?.1;
    let h = rest
        .split(['/', '?', '#'])
        .next()?
        .split('@')
        .next_back()?
        .split(':')
        .next()?;
    (!h.is_empty()).then(|| h.trim_start_matches("www.").to_ascii_lowercase())
}

/// Device class from a user agent.
pub fn device(ua: &str) -> &'static str {
    let l = ua.to_ascii_lowercase();
    if l.contains("ipad") || l.contains("tablet") {
        "tablet"
    } else if l.contains("mobi") || l.contains("iphone") || l.contains("android") {
        "mobile"
    } else {
        "desktop"
    }
}

/// Browser family from a user agent (order matters: Edge and Samsung also say Chrome).
pub fn browser(ua: &str) -> &'static str {
    if ua.contains("Edg/") {
        "Edge"
    } else if ua.contains("SamsungBrowser") {
        "Samsung Internet"
    } else if ua.contains("Firefox/") {
        "Firefox"
    } else if ua.contains("Chrome/") || ua.contains("CriOS") {
        "Chrome"
    } else if ua.contains("Safari/") {
        "Safari"
    } else {
        "Other"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Grade;

    #[test]
    fn user_agents_and_urls_give_their_values() {
        let chrome = "Mozilla/5.0 (Windows NT 10.0) AppleWebKit/537.36 Chrome/120.0 Safari/537.36";
        let iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0) AppleWebKit/605.1.15 Version/17.0 Mobile/15E148 Safari/604.1";
        assert_eq!((device(chrome), browser(chrome)), ("desktop", "Chrome"));
        assert_eq!((device(iphone), browser(iphone)), ("mobile", "Safari"));
        assert_eq!(
            browser("Mozilla/5.0 Chrome/120 Safari/537.36 Edg/120"),
            "Edge"
        );
        assert_eq!(
            query_param("https://s/p?a=1&utm_source=naver#x", "utm_source").as_deref(),
            Some("naver")
        );
        assert_eq!(
            host("https://www.Google.com:443/search?q=1").as_deref(),
            Some("google.com")
        );
        assert!(Dimension::parse("shoe").is_err());
        assert_eq!(Dimension::parse("region").unwrap().as_str(), "region");
    }

    #[test]
    fn profile_values_use_the_grade_and_the_first_region_segment() {
        let p = UserProfile {
            user_id: "u1".into(),
            grade: Some(Grade::Vip),
            region: Some("서울특별시-강남구".into()),
            ..UserProfile::default()
        };
        assert_eq!(Dimension::Grade.profile_value(Some(&p)), "VIP");
        assert_eq!(Dimension::Region.profile_value(Some(&p)), "서울특별시");
        assert_eq!(Dimension::Region.profile_value(None), NONE);
    }
}
