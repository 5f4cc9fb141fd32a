//! Rankings: "이번 달 가장 성과가 좋은 캠페인", "top 3 activities by GMV last month". Each
//! candidate's figure comes from its own dashboard overview for the period.

use crate::exec::{fmt, Ctx};
use crate::josa::{with, Josa};
use crate::parse::{Kind, Target};
use crate::{Answer, Scope};
use axon_domain::Dec2;
use serde_json::{json, Value};

pub fn rank(c: &Ctx, kind: &Kind) -> Answer {
    let Kind::Rank {
        target,
        by,
        limit,
        ascending,
    } = *kind
    else {
        return crate::exec::unknown(c);
    };
    let target = match (target, c.scope) {
        (Target::Auto, Scope::Global) => Target::Campaigns,
        (Target::Auto, _) => Target::Activities,
        (t, _) => t,
    };
    let w = c.period();
    let field = by.field().unwrap_or("gmv");
    // Each candidate's overview for the window (the dashboards' counts and formulas; the
    // previous-period half of the widget is not needed to rank).
    let figure = |scope: Scope| -> Dec2 {
        let o = c.view.figures(scope, &w.window);
        by.of(&o).unwrap_or(o.gmv)
    };
    let catalog = c.catalog();
    let mut rows: Vec<(i64, String, Dec2)> = Vec::new();
    match target {
        Target::Campaigns => {
            for camp in catalog.campaigns() {
                rows.push((camp.id, camp.name, figure(Scope::Campaign(camp.id))));
            }
        }
        Target::Activities | Target::Auto => {
            let acts = match c.scope {
                Scope::Global => catalog.activities(),
                Scope::Campaign(id) => catalog.campaign_activities(id),
                Scope::Activity(id) => {
                    catalog.campaign_activities(catalog.campaign_of(id).unwrap_or(0))
                }
            };
            for a in acts {
                rows.push((a.id, a.name, figure(Scope::Activity(a.id))));
            }
        }
    }
    rows.sort_by(|a, b| {
        let o = b.2.cmp(&a.2);
        (if ascending { o.reverse() } else { o }).then(a.0.cmp(&b.0))
    });
    rows.truncate(limit);
    let ko = c.ko();
    let (key, noun_ko, noun_en, plural_en) = match target {
        Target::Campaigns => ("campaignId", "캠페인", "campaign", "campaigns"),
        Target::Activities | Target::Auto => ("activityId", "활동", "activity", "activities"),
    };
    let p = c.period_text(&w);
    let text = if rows.is_empty() {
        if ko {
            format!("{p} 순위를 매길 {} 없습니다.", with(noun_ko, Josa::Subject))
        } else {
            format!("There is no {noun_en} to rank in {p}.")
        }
    } else if limit == 1 {
        let (_, name, v) = &rows[0];
        match (ko, ascending) {
            (true, false) => format!(
                "{p} {} 기준 가장 성과가 좋은 {} '{name}'({})입니다.",
                by.name(true),
                with(noun_ko, Josa::Topic),
                fmt(by, *v, true)
            ),
            (true, true) => format!(
                "{p} {} 기준 가장 낮은 {} '{name}'({})입니다.",
                by.name(true),
                with(noun_ko, Josa::Topic),
                fmt(by, *v, true)
            ),
            (false, false) => format!(
                "For {p}, the best {noun_en} by {} is '{name}' ({}).",
                by.name(false),
                fmt(by, *v, false)
            ),
            (false, true) => format!(
                "For {p}, the lowest {noun_en} by {} is '{name}' ({}).",
                by.name(false),
                fmt(by, *v, false)
            ),
        }
    } else {
        let list: Vec<String> = rows
            .iter()
            .enumerate()
            .map(|(i, (_, n, v))| format!("{}. '{n}' {}", i + 1, fmt(by, *v, ko)))
            .collect();
        let order_ko = if ascending { "하위" } else { "상위" };
        let order_en = if ascending { "Bottom" } else { "Top" };
        if ko {
            format!(
                "{p} {} 기준 {order_ko} {noun_ko} {}개: {}.",
                by.name(true),
                rows.len(),
                list.join(", ")
            )
        } else {
            format!(
                "{order_en} {} {plural_en} by {} in {p}: {}.",
                rows.len(),
                by.name(false),
                list.join(", ")
            )
        }
    };
    let mut params = c.params(Some(&w));
    params.insert(
        "target".into(),
        match target {
            Target::Campaigns => "campaigns",
            _ => "activities",
        }
        .into(),
    );
    params.insert("rankBy".into(), field.into());
    params.insert("limit".into(), limit.into());
    params.insert(
        "order".into(),
        if ascending { "asc" } else { "desc" }.into(),
    );
    let data: Vec<Value> = rows
        .iter()
        .enumerate()
        .map(|(i, (id, name, v))| json!({"rank": i + 1, key: id, "name": name, "value": v}))
        .collect();
    crate::exec::answer(
        text,
        "RANKING",
        params,
        json!({"rows": data, "metric": field}),
    )
}
