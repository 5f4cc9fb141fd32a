//! Entry filters (SPEC §3.3): parsed and validated when an activity is saved, evaluated against a
//! user's profile at entry time. All filters of an activity are AND-ed.

use crate::model::{Grade, UserProfile};
use crate::time::{BusinessTz, Ts};
use crate::DomainError;
use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum FilterType {
    Age,
    Grade,
    Region,
    RecentPurchase,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum FilterOp {
    Gte,
    Lte,
    Between,
    NotGte,
    NotLte,
    NotBetween,
    In,
    NotIn,
}

/// One validated filter. Values are kept as the strings the operator gave.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Filter {
    #[serde(rename = "type")]
    pub filter_type: FilterType,
    pub operator: FilterOp,
    pub values: Vec<String>,
}

/// Why a user is not eligible: the failing filter, what was missing (if anything) and a reason
/// in words. Pages phrase their own message in the shopper's language from `filter` and
/// `missing`; `reason` is the English sentence for API clients and logs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ineligible {
    pub filter: Filter,
    pub unmet: Unmet,
    pub reason: String,
}

/// How a filter failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unmet {
    /// No profile is stored for the user.
    NoProfile,
    /// The profile has no value for the field the filter reads.
    Missing(&'static str),
    /// The profile's value does not satisfy the condition.
    Outside,
}

impl Unmet {
    /// The profile field that was missing (`profile` when there is no profile at all).
    pub fn missing(self) -> Option<&'static str> {
        match self {
            Unmet::NoProfile => Some("profile"),
            Unmet::Missing(f) => Some(f),
            Unmet::Outside => None,
        }
    }
}

fn err(i: usize, msg: impl std::fmt::Display) -> DomainError {
    DomainError::new("INVALID_FILTER", format!("filters[{i}]: {msg}"))
}

fn value_string(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn parse_enum<T: for<'de> Deserialize<'de>>(v: Option<&Value>) -> Option<T> {
    v.and_then(|v| serde_json::from_value(v.clone()).ok())
}

/// Parses and validates a JSON array of filters (`null`/absent = none).
pub fn parse_filters(v: Option<&Value>, tz: &BusinessTz) -> Result<Vec<Filter>, DomainError> {
    let items = match v {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(items)) => items,
        Some(_) => {
            return Err(DomainError::new(
                "INVALID_FILTER",
                "filters must be an array",
            ))
        }
    };
    items
        .iter()
        .enumerate()
        .map(|(i, item)| parse_one(i, item, tz))
        .collect()
}

fn parse_one(i: usize, item: &Value, tz: &BusinessTz) -> Result<Filter, DomainError> {
    let obj = item
        .as_object()
        .ok_or_else(|| err(i, "a filter must be an object"))?;
    let filter_type: FilterType = parse_enum(obj.get("type"))
        .ok_or_else(|| err(i, "type must be one of AGE, GRADE, REGION, RECENT_PURCHASE"))?;
    let operator: FilterOp = parse_enum(obj.get("operator")).ok_or_else(|| {
        err(
            i,
            "operator must be one of GTE, LTE, BETWEEN, NOT_GTE, NOT_LTE, NOT_BETWEEN, IN, NOT_IN",
        )
    })?;
    let raw = match obj.get("values") {
        Some(Value::Array(a)) => a.clone(),
        Some(v @ (Value::String(_) | Value::Number(_))) => vec![v.clone()],
        _ => return Err(err(i, "values must be an array")),
    };
    let values: Vec<String> = raw
        .iter()
        .map(|v| value_string(v).ok_or_else(|| err(i, "values must be strings or numbers")))
        .collect::<Result<_, _>>()?;
    let f = Filter {
        filter_type,
        operator,
        values,
    };
    validate(i, &f, tz)?;
    Ok(f)
}

fn validate(i: usize, f: &Filter, tz: &BusinessTz) -> Result<(), DomainError> {
    use FilterOp::{Between, Gte, In, Lte, NotBetween, NotGte, NotIn, NotLte};
    use FilterType::{Age, Grade as G, RecentPurchase, Region};
    let ops_ok = match f.filter_type {
        Age => matches!(
            f.operator,
            Gte | Lte | Between | NotGte | NotLte | NotBetween
        ),
        G | Region => matches!(f.operator, In | NotIn),
        RecentPurchase => matches!(f.operator, Gte | Lte | Between | NotBetween),
    };
    if !ops_ok {
        return Err(err(
            i,
            format!(
                "operator {:?} is not allowed for {:?}",
                f.operator, f.filter_type
            ),
        ));
    }
    let n = f.values.len();
    match f.operator {
        Between | NotBetween if n != 2 => return Err(err(i, "BETWEEN needs exactly 2 values")),
        Gte | Lte | NotGte | NotLte if n != 1 => {
            return Err(err(i, "this operator needs exactly 1 value"))
        }
        In | NotIn if n == 0 => return Err(err(i, "IN needs at least 1 value")),
        _ => {}
    }
    match f.filter_type {
        Age => {
            let nums: Vec<i64> = f
                .values
                .iter()
                .map(|v| {
                    v.parse::<i64>()
                        .map_err(|_| err(i, format!("age '{v}' is not an integer")))
                })
                .collect::<Result<_, _>>()?;
            if n == 2 && nums[0] > nums[1] {
                return Err(err(i, "BETWEEN values must be in ascending order"));
            }
        }
        G => {
            for v in &f.values {
                Grade::parse(v).map_err(|e| err(i, e.message))?;
            }
        }
        Region => {
            if f.values.iter().any(String::is_empty) {
                return Err(err(i, "region values must not be empty"));
            }
        }
        RecentPurchase => {
            let ts: Vec<Ts> = f
                .values
                .iter()
                .map(|v| tz.parse_instant(v).map_err(|e| err(i, e.message)))
                .collect::<Result<_, _>>()?;
            if n == 2 && ts[0] > ts[1] {
                return Err(err(i, "BETWEEN values must be in ascending order"));
            }
        }
    }
    Ok(())
}

/// "서울특별시" matches "서울특별시-강남구": the filter's "-" segments are a prefix of the profile's.
pub fn region_matches(filter: &str, region: &str) -> bool {
    let mut r = region.split('-');
    filter.split('-').all(|seg| r.next() == Some(seg))
}

fn range_check(op: FilterOp, v: i64, a: i64, b: Option<i64>) -> bool {
    match op {
        FilterOp::Gte => v >= a,
        FilterOp::Lte => v <= a,
        FilterOp::NotGte => v < a,
        FilterOp::NotLte => v > a,
        FilterOp::Between => v >= a && v <= b.unwrap_or(a),
        FilterOp::NotBetween => v < a || v > b.unwrap_or(a),
        FilterOp::In | FilterOp::NotIn => false,
    }
}

impl Filter {
    /// The profile field this filter reads, as the API spells it.
    pub fn field(&self) -> &'static str {
        match self.filter_type {
            FilterType::Age => "age",
            FilterType::Grade => "grade",
            FilterType::Region => "region",
            FilterType::RecentPurchase => "lastPurchaseAt",
        }
    }

    /// The condition in words: "grade is one of GOLD, VIP", "age is between 20 and 39".
    pub fn condition(&self) -> String {
        let v = &self.values;
        let a = v.first().map_or("", String::as_str);
        let b = v.get(1).map_or("", String::as_str);
        let list = v.join(", ");
        let subject = match self.filter_type {
            FilterType::Age => "age",
            FilterType::Grade => "grade",
            FilterType::Region => "region",
            FilterType::RecentPurchase => "last purchase",
        };
        let dated = self.filter_type == FilterType::RecentPurchase;
        let predicate = match (self.operator, self.filter_type) {
            (FilterOp::In, FilterType::Region) => format!("is within {list}"),
            (FilterOp::NotIn, FilterType::Region) => format!("is outside {list}"),
            (FilterOp::In, _) => format!("is one of {list}"),
            (FilterOp::NotIn, _) => format!("is none of {list}"),
            (FilterOp::Gte, _) if dated => format!("is at or after {a}"),
            (FilterOp::Lte, _) if dated => format!("is at or before {a}"),
            (FilterOp::Gte, _) => format!("is at least {a}"),
            (FilterOp::Lte, _) => format!("is at most {a}"),
            (FilterOp::NotGte, _) => format!("is under {a}"),
            (FilterOp::NotLte, _) => format!("is over {a}"),
            (FilterOp::Between, _) => format!("is between {a} and {b}"),
            (FilterOp::NotBetween, _) => format!("is not between {a} and {b}"),
        };
        format!("{subject} {predicate}")
    }

    /// Checks one filter against a profile; `Err` says how it failed.
    pub fn check(&self, profile: Option<&UserProfile>, tz: &BusinessTz) -> Result<(), Unmet> {
        let p = profile.ok_or(Unmet::NoProfile)?;
        let missing = Unmet::Missing(self.field());
        let pass = match self.filter_type {
            FilterType::Age => {
                let age = p.age.ok_or(missing)?;
                let a = self.values[0].parse().unwrap_or(0);
                let b = self.values.get(1).and_then(|v| v.parse().ok());
                range_check(self.operator, age, a, b)
            }
            FilterType::RecentPurchase => {
                let at = p.last_purchase_at.ok_or(missing)?;
                let a = tz.parse_instant(&self.values[0]).map_or(0, |t| t.0);
                let b = self
                    .values
                    .get(1)
                    .and_then(|v| tz.parse_instant(v).ok())
                    .map(|t| t.0);
                range_check(self.operator, at.0, a, b)
            }
            FilterType::Grade => {
                let g = p.grade.ok_or(missing)?;
                let hit = self.values.iter().any(|v| v == g.as_str());
                hit == (self.operator == FilterOp::In)
            }
            FilterType::Region => {
                let r = p.region.as_deref().ok_or(missing)?;
                let hit = self.values.iter().any(|v| region_matches(v, r));
                hit == (self.operator == FilterOp::In)
            }
        };
        if pass {
            Ok(())
        } else {
            Err(Unmet::Outside)
        }
    }

    /// Why `unmet` keeps a user out, in one English sentence.
    pub fn reason(&self, unmet: Unmet) -> String {
        let rule = format!("only users whose {} may enter", self.condition());
        match unmet {
            Unmet::NoProfile => format!("no profile is stored for this user ({rule})"),
            Unmet::Missing(field) => format!("the profile has no {field} ({rule})"),
            Unmet::Outside => rule,
        }
    }
}

/// Evaluates all filters (AND); the first failing one is reported.
pub fn evaluate(
    filters: &[Filter],
    profile: Option<&UserProfile>,
    tz: &BusinessTz,
) -> Result<(), Ineligible> {
    for f in filters {
        f.check(profile, tz).map_err(|unmet| Ineligible {
            filter: f.clone(),
            unmet,
            reason: f.reason(unmet),
        })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn tz() -> BusinessTz {
        BusinessTz::default()
    }

    fn f(v: Value) -> Filter {
        parse_filters(Some(&json!([v])), &tz()).unwrap().remove(0)
    }

    fn profile() -> UserProfile {
        UserProfile {
            user_id: "u1".into(),
            grade: Some(Grade::Gold),
            age: Some(30),
            region: Some("서울특별시-강남구".into()),
            last_purchase_at: Some(Ts::parse_utc("2026-10-01T00:00:00Z").unwrap()),
        }
    }

    fn reason(filter: Value) -> String {
        let f = f(filter);
        evaluate(std::slice::from_ref(&f), Some(&profile()), &tz())
            .unwrap_err()
            .reason
    }

    fn ok(filter: Value) -> bool {
        f(filter).check(Some(&profile()), &tz()).is_ok()
    }

    #[test]
    fn age_operators_pass_and_fail() {
        assert!(ok(
            json!({"type": "AGE", "operator": "GTE", "values": [30]})
        ));
        assert!(!ok(
            json!({"type": "AGE", "operator": "GTE", "values": [31]})
        ));
        assert!(ok(
            json!({"type": "AGE", "operator": "LTE", "values": ["30"]})
        ));
        assert!(!ok(
            json!({"type": "AGE", "operator": "LTE", "values": [29]})
        ));
        assert!(ok(
            json!({"type": "AGE", "operator": "BETWEEN", "values": [20, 39]})
        ));
        assert!(!ok(
            json!({"type": "AGE", "operator": "BETWEEN", "values": [31, 39]})
        ));
        assert!(ok(
            json!({"type": "AGE", "operator": "NOT_GTE", "values": [31]})
        ));
        assert!(!ok(
            json!({"type": "AGE", "operator": "NOT_GTE", "values": [30]})
        ));
        assert!(ok(
            json!({"type": "AGE", "operator": "NOT_LTE", "values": [29]})
        ));
        assert!(!ok(
            json!({"type": "AGE", "operator": "NOT_LTE", "values": [30]})
        ));
        assert!(ok(
            json!({"type": "AGE", "operator": "NOT_BETWEEN", "values": [31, 40]})
        ));
        assert!(!ok(
            json!({"type": "AGE", "operator": "NOT_BETWEEN", "values": [20, 40]})
        ));
    }

    #[test]
    fn grade_and_region_operators_pass_and_fail() {
        assert!(ok(
            json!({"type": "GRADE", "operator": "IN", "values": ["GOLD", "VIP"]})
        ));
        assert!(!ok(
            json!({"type": "GRADE", "operator": "IN", "values": ["VIP"]})
        ));
        assert!(ok(
            json!({"type": "GRADE", "operator": "NOT_IN", "values": ["VIP"]})
        ));
        assert!(!ok(
            json!({"type": "GRADE", "operator": "NOT_IN", "values": ["GOLD"]})
        ));
        assert!(ok(
            json!({"type": "REGION", "operator": "IN", "values": ["서울특별시"]})
        ));
        assert!(ok(
            json!({"type": "REGION", "operator": "IN", "values": ["서울특별시-강남구"]})
        ));
        assert!(!ok(
            json!({"type": "REGION", "operator": "IN", "values": ["서울"]})
        ));
        assert!(!ok(
            json!({"type": "REGION", "operator": "NOT_IN", "values": ["서울특별시"]})
        ));
        assert!(ok(
            json!({"type": "REGION", "operator": "NOT_IN", "values": ["부산광역시"]})
        ));
    }

    #[test]
    fn recent_purchase_operators_pass_and_fail() {
        assert!(ok(
            json!({"type": "RECENT_PURCHASE", "operator": "GTE", "values": ["2026-09-01"]})
        ));
        assert!(!ok(
            json!({"type": "RECENT_PURCHASE", "operator": "GTE", "values": ["2026-10-02"]})
        ));
        assert!(ok(
            json!({"type": "RECENT_PURCHASE", "operator": "LTE", "values": ["2026-10-02T00:00:00Z"]})
        ));
        assert!(!ok(
            json!({"type": "RECENT_PURCHASE", "operator": "LTE", "values": ["2026-09-01"]})
        ));
        assert!(ok(
            json!({"type": "RECENT_PURCHASE", "operator": "BETWEEN", "values": ["2026-09-01", "2026-10-31"]})
        ));
        assert!(!ok(
            json!({"type": "RECENT_PURCHASE", "operator": "BETWEEN", "values": ["2026-10-02", "2026-10-31"]})
        ));
        assert!(ok(
            json!({"type": "RECENT_PURCHASE", "operator": "NOT_BETWEEN", "values": ["2026-10-02", "2026-10-31"]})
        ));
        assert!(!ok(
            json!({"type": "RECENT_PURCHASE", "operator": "NOT_BETWEEN", "values": ["2026-09-01", "2026-10-31"]})
        ));
    }

    #[test]
    fn missing_profile_data_is_not_eligible_with_a_reason() {
        let empty = UserProfile {
            user_id: "u2".into(),
            ..UserProfile::default()
        };
        for (t, op, v) in [
            ("AGE", "GTE", json!([1])),
            ("GRADE", "IN", json!(["GOLD"])),
            ("REGION", "NOT_IN", json!(["x"])),
            ("RECENT_PURCHASE", "GTE", json!(["2026-01-01"])),
        ] {
            let filter = f(json!({"type": t, "operator": op, "values": v}));
            let e = evaluate(std::slice::from_ref(&filter), Some(&empty), &tz()).unwrap_err();
            assert!(e.reason.starts_with("the profile has no"), "{}", e.reason);
            assert_eq!(e.unmet, Unmet::Missing(filter.field()));
            assert_eq!(e.unmet.missing(), Some(filter.field()));
            assert_eq!(e.filter, filter);
            let none = evaluate(&[filter], None, &tz()).unwrap_err();
            assert_eq!(none.unmet.missing(), Some("profile"));
        }
    }

    #[test]
    fn a_failed_condition_reads_as_words_not_debug_output() {
        assert_eq!(
            reason(json!({"type": "GRADE", "operator": "IN", "values": ["VIP", "VVIP"]})),
            "only users whose grade is one of VIP, VVIP may enter"
        );
        assert_eq!(
            reason(json!({"type": "AGE", "operator": "BETWEEN", "values": [40, 49]})),
            "only users whose age is between 40 and 49 may enter"
        );
        assert_eq!(
            reason(json!({"type": "AGE", "operator": "NOT_LTE", "values": [30]})),
            "only users whose age is over 30 may enter"
        );
        assert_eq!(
            reason(json!({"type": "REGION", "operator": "NOT_IN", "values": ["서울특별시"]})),
            "only users whose region is outside 서울특별시 may enter"
        );
        assert_eq!(
            reason(json!({"type": "RECENT_PURCHASE", "operator": "GTE", "values": ["2026-10-02"]})),
            "only users whose last purchase is at or after 2026-10-02 may enter"
        );
        let e = evaluate(
            &[f(
                json!({"type": "GRADE", "operator": "IN", "values": ["VIP"]}),
            )],
            Some(&profile()),
            &tz(),
        )
        .unwrap_err();
        assert_eq!(e.unmet, Unmet::Outside);
        assert_eq!(e.unmet.missing(), None);
    }

    #[test]
    fn bad_filters_are_refused_on_save() {
        let bad = [
            json!({"type": "AGE", "operator": "BETWEEN", "values": [20]}),
            json!({"type": "AGE", "operator": "BETWEEN", "values": [40, 20]}),
            json!({"type": "AGE", "operator": "IN", "values": [20]}),
            json!({"type": "AGE", "operator": "GTE", "values": ["twenty"]}),
            json!({"type": "GRADE", "operator": "IN", "values": ["GOLDEN"]}),
            json!({"type": "GRADE", "operator": "IN", "values": []}),
            json!({"type": "REGION", "operator": "GTE", "values": ["서울"]}),
            json!({"type": "RECENT_PURCHASE", "operator": "GTE", "values": ["soon"]}),
            json!({"type": "HEIGHT", "operator": "GTE", "values": [1]}),
            json!({"type": "AGE", "operator": "GTE"}),
            json!("AGE>3"),
        ];
        for b in bad {
            let e = parse_filters(Some(&json!([b.clone()])), &tz()).unwrap_err();
            assert_eq!(e.code, "INVALID_FILTER", "{b}");
        }
        assert!(parse_filters(Some(&json!({"type": "AGE"})), &tz()).is_err());
        assert!(parse_filters(None, &tz()).unwrap().is_empty());
    }

    #[test]
    fn region_prefix_is_by_segments() {
        assert!(region_matches("서울특별시", "서울특별시-강남구"));
        assert!(region_matches("서울특별시", "서울특별시"));
        assert!(!region_matches("서울특별시-강남구", "서울특별시"));
        assert!(!region_matches("서울", "서울특별시"));
    }
}
