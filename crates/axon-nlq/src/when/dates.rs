//! Dates in the question's text: calendar days in the business zone, numbers written in words
//! or digits, ISO dates and English "Nov 18"-style days.

use super::*;

/// (year, month, day) of `at` in the business zone.
pub(super) fn ymd(tz: &BusinessTz, at: Ts) -> (i32, u32, u32) {
    let s = tz.date_string(at);
    let mut it = s.split('-').map(|p| p.parse::<u32>().unwrap_or(1));
    let y = it.next().unwrap_or(1970);
    (
        i32::try_from(y).unwrap_or(1970),
        it.next().unwrap_or(1),
        it.next().unwrap_or(1),
    )
}

pub(super) fn date_ts(tz: &BusinessTz, y: i32, m: u32, d: u32) -> Option<Ts> {
    tz.parse_instant(&format!("{y:04}-{m:02}-{d:02}")).ok()
}

/// Digit runs with their byte offsets.
pub(super) fn numbers(s: &str) -> Vec<(usize, usize, u32)> {
    let mut out = Vec::new();
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_digit() {
            let st = i;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            if let Ok(n) = s[st..i].parse() {
                out.push((st, i, n));
            }
        } else {
            i += 1;
        }
    }
    out
}

/// ISO dates (`2026-11-03`, `2026.11.03`, `2026/11/03`) in order of appearance.
pub(super) fn iso_dates(t: &Text) -> Vec<(i32, u32, u32)> {
    t.spaced
        .split([' ', '~'])
        .filter_map(|w| {
            let p: Vec<&str> = w.split(['-', '.', '/']).filter(|x| !x.is_empty()).collect();
            if p.len() != 3 || p[0].len() != 4 {
                return None;
            }
            let (y, m, d) = (p[0].parse().ok()?, p[1].parse().ok()?, p[2].parse().ok()?);
            ((1..=12).contains(&m) && (1..=31).contains(&d)).then_some((y, m, d))
        })
        .collect()
}

/// Number words → digits, so "지난 한 달", "최근 일주일", "last two weeks" read like "1개월", "7일",
/// "2 weeks".
pub(super) fn numberize(t: &Text) -> Text {
    const KO: [(&str, &str); 18] = [
        ("한시간", "1시간"),
        ("두시간", "2시간"),
        ("세시간", "3시간"),
        ("네시간", "4시간"),
        ("반나절", "12시간"),
        ("일주일", "7일"),
        ("한주", "1주"),
        ("두주", "2주"),
        ("세주", "3주"),
        ("한달", "1개월"),
        ("두달", "2개월"),
        ("세달", "3개월"),
        ("석달", "3개월"),
        ("이틀", "2일"),
        ("사흘", "3일"),
        ("나흘", "4일"),
        ("보름", "15일"),
        ("반년", "6개월"),
    ];
    const EN: [(&str, &str); 12] = [
        (" a ", " 1 "),
        (" one ", " 1 "),
        (" two ", " 2 "),
        (" three ", " 3 "),
        (" four ", " 4 "),
        (" five ", " 5 "),
        (" six ", " 6 "),
        (" seven ", " 7 "),
        (" ten ", " 10 "),
        (" fourteen ", " 14 "),
        (" thirty ", " 30 "),
        (" an ", " 1 "),
    ];
    let mut spaced = t.spaced.replace(' ', "  ");
    for (w, d) in EN {
        spaced = spaced.replace(&w.replace(' ', "  "), &d.replace(' ', "  "));
    }
    let mut compact = Text::new(&spaced).compact;
    let mut spaced_ko = spaced.clone();
    for (w, d) in KO {
        compact = compact.replace(w, d);
        spaced_ko = spaced_ko.replace(w, d);
    }
    let spaced = spaced_ko.split_whitespace().collect::<Vec<_>>().join(" ");
    Text {
        spaced: format!(" {spaced} "),
        compact,
    }
}

/// "nov 3", "november 3rd": a calendar day named in English.
pub(super) fn english_day(t: &Text) -> Option<(u32, u32)> {
    let words: Vec<&str> = t.spaced.split(' ').filter(|w| !w.is_empty()).collect();
    for (i, w) in words.iter().enumerate() {
        let Some(m) = MONTHS
            .iter()
            .position(|n| *w == *n || (w.len() == 3 && n.starts_with(*w)))
        else {
            continue;
        };
        let d = words
            .get(i + 1)
            .map(|d| d.trim_end_matches(|c: char| c.is_ascii_alphabetic()));
        if let Some(d) = d
            .and_then(|d| d.parse::<u32>().ok())
            .filter(|d| (1..=31).contains(d))
        {
            return Some((u32::try_from(m).unwrap_or(0) + 1, d));
        }
    }
    None
}
