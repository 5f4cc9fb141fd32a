//! `axon bench nlq --data-dir DIR`: question-box answer latency (parse + dashboard/cohort
//! service + answer text, no LLM), in-process on a stopped server's store, for Korean and English
//! questions on the activity, campaign and global scopes.

use crate::bench::Samples;
use crate::cli::{NlqBenchArgs, Settings};
use crate::CliError;
use axon_domain::Ts;
use axon_nlq::Scope;
use axon_ports::catalog::Catalog;
use std::time::Instant;

const ACTIVITY: &[&str] = &[
    "어제 방문 몇 건이야?",
    "지난 7일간 방문자 중 몇 퍼센트가 구매했어?",
    "평균 구매액이 얼마야?",
    "재고 얼마나 남았어?",
    "what's the LTV/CAC of this activity?",
    "compare promotion and normal sales this week",
    "how many visits yesterday?",
    "what is the peak hour?",
];
const CAMPAIGN: &[&str] = &[
    "이번 캠페인 참여자가 몇 명이야?",
    "지난주 대비 매출 비교",
    "top 3 activities by GMV last month",
    "ROAS last month",
];
const GLOBAL: &[&str] = &[
    "이번 달 가장 성과가 좋은 캠페인은 뭐야?",
    "total GMV last month",
    "how many users are online",
];
const OFF_TOPIC: &[&str] = &["오늘 날씨 어때?", "tell me a joke"];

fn report(name: &str, s: &mut Samples) {
    println!(
        "  {name:<34} n={:<6} p50 {:>8.3} ms   p99 {:>8.3} ms   max {:>8.3} ms",
        s.len(),
        s.quantile_ms(0.5),
        s.quantile_ms(0.99),
        s.quantile_ms(1.0)
    );
}

pub fn run(settings: &Settings, args: &NlqBenchArgs) -> Result<(), CliError> {
    let state = crate::serve::block(axon_server::open_state(settings.config.clone()))??;
    // One snapshot for the whole run (the store is stopped); each question reads it afresh.
    let (dashboards, e) = axon_server::analytics::frozen(&state);
    let activities: Vec<i64> = e.activities().iter().map(|a| a.id).collect();
    let campaigns: Vec<i64> = e.campaigns().iter().map(|c| c.id).collect();
    if activities.is_empty() || campaigns.is_empty() {
        return Err(CliError::Config(
            "the data dir has no activities; import a dataset first (axon simulate + axon import)"
                .into(),
        ));
    }
    let now = e.latest_event().map_or(state.now(), |t| Ts(t.0 + 1));
    println!(
        "axon bench nlq: {} events, {} activities, {} campaigns, now = {now}",
        e.event_count(),
        activities.len(),
        campaigns.len()
    );
    let mut rng = crate::simulate::Rng::new(11);
    let mut pick = |ids: &[i64]| ids[usize::try_from(rng.below(ids.len() as u64)).unwrap_or(0)];
    let mut s: [Samples; 4] = Default::default();
    let mut per_global: Vec<Samples> = GLOBAL.iter().map(|_| Samples::default()).collect();
    for _ in 0..args.calls {
        let groups: [(Scope, &[&str]); 4] = [
            (Scope::Activity(pick(&activities)), ACTIVITY),
            (Scope::Campaign(pick(&campaigns)), CAMPAIGN),
            (Scope::Global, GLOBAL),
            (Scope::Global, OFF_TOPIC),
        ];
        for (i, (scope, qs)) in groups.iter().enumerate() {
            for (j, q) in qs.iter().enumerate() {
                e.forget_reads();
                let t = Instant::now();
                let a = axon_nlq::ask(&dashboards, *scope, q, None, now);
                s[i].push(t.elapsed());
                if i == 2 {
                    per_global[j].push(t.elapsed());
                }
                std::hint::black_box(a.ok());
            }
        }
    }
    let mut all = Samples::default();
    println!("in-process, no LLM ({} rounds):", args.calls);
    for (name, samples) in [
        "activity questions (random)",
        "campaign questions (random)",
        "global questions",
        "off-topic (parse only → UNKNOWN)",
    ]
    .iter()
    .zip(s.iter_mut())
    {
        report(name, samples);
        all.extend(std::mem::take(samples));
    }
    report("all questions", &mut all);
    println!("global questions one by one:");
    for (q, samples) in GLOBAL.iter().zip(per_global.iter_mut()) {
        report(q, samples);
    }
    Ok(())
}
