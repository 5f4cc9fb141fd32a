//! Text helpers: the normalised forms a question is matched in, language detection, and the
//! number formats answers use (1,234 / ₩1,290,000 / 3.65%).

use crate::Lang;
use axon_domain::Dec2;

/// A question in the two forms the parser matches against.
pub struct Text {
    /// Lower-case, punctuation turned into spaces, single spaces, padded with a space each side
    /// (so `" visits "` matches whole words).
    pub spaced: String,
    /// Lower-case with every space and punctuation mark removed (Korean spacing varies freely).
    pub compact: String,
}

impl Text {
    pub fn new(q: &str) -> Text {
        let mut spaced = String::from(" ");
        let mut compact = String::new();
        for c in q.chars().flat_map(char::to_lowercase) {
            let keep = c.is_alphanumeric() || matches!(c, '-' | '%' | '/' | '~' | '.');
            if keep {
                spaced.push(c);
                if !matches!(c, '-' | '/' | '~' | '.') {
                    compact.push(c);
                }
            } else if !spaced.ends_with(' ') {
                spaced.push(' ');
            }
        }
        // "." and "/" only matter inside dates and "ltv/cac"; elsewhere they are spaces.
        let spaced = spaced
            .split(' ')
            .map(|w| w.trim_end_matches(['.', '/']))
            .collect::<Vec<_>>()
            .join(" ");
        let mut spaced = spaced.trim_end().to_string();
        spaced.push(' ');
        if !spaced.starts_with(' ') {
            spaced.insert(0, ' ');
        }
        Text { spaced, compact }
    }

    /// Any of the keywords occurs (Korean and multi-word keywords are matched without spaces).
    pub fn any(&self, keys: &[&str]) -> bool {
        keys.iter().any(|k| self.has(k))
    }

    /// One keyword: a leading or trailing space in `k` asks for a word boundary in the spaced
    /// form; anything else is matched in the compact form.
    pub fn has(&self, k: &str) -> bool {
        if k.starts_with(' ') || k.ends_with(' ') {
            self.spaced.contains(k)
        } else {
            self.compact.contains(&k.replace(' ', ""))
        }
    }
}

/// Hangul anywhere → Korean; otherwise English.
pub fn detect(q: &str) -> Lang {
    if q.chars()
        .any(|c| ('\u{ac00}'..='\u{d7a3}').contains(&c) || ('\u{3131}'..='\u{318e}').contains(&c))
    {
        Lang::Ko
    } else {
        Lang::En
    }
}

/// 1234567 → "1,234,567".
pub fn group(n: i64) -> String {
    let s = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 {
        out.insert(0, '-');
    }
    out
}

/// A Dec2 with grouping, decimals only when there are any: 1290000 → "1,290,000", 3.5 → "3.50".
pub fn num(d: Dec2) -> String {
    let whole = group(d.0 / 100);
    let frac = (d.0 % 100).abs();
    if frac == 0 {
        whole
    } else if d.0 < 0 && d.0 > -100 {
        format!("-0.{frac:02}")
    } else {
        format!("{whole}.{frac:02}")
    }
}

/// A whole count, grouped: 1234 → "1,234".
pub fn int(v: u64) -> String {
    num(Dec2::from_int(i64::try_from(v).unwrap_or(i64::MAX)))
}

pub fn won(v: Dec2) -> String {
    format!("₩{}", num(v))
}

pub fn pct(v: Dec2) -> String {
    format!("{}%", num(v))
}

/// A signed percent change: "+12.50%" / "-3%"; "n/a" when there is none.
pub fn signed_pct(v: Option<Dec2>, lang: Lang) -> String {
    let Some(d) = v else {
        return match lang {
            Lang::Ko => "비교 불가(이전 값 0)".into(),
            Lang::En => "n/a (previous was 0)".into(),
        };
    };
    let sign = if d.0 > 0 { "+" } else { "" };
    format!("{sign}{}%", num(d))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_grouped_and_money_gets_the_won_sign() {
        assert_eq!(group(1234), "1,234");
        assert_eq!(group(1_290_000), "1,290,000");
        assert_eq!(won(Dec2::from_int(1_290_000)), "₩1,290,000");
        assert_eq!(pct(Dec2(365)), "3.65%");
        assert_eq!(pct(Dec2::from_int(12)), "12%");
        assert_eq!(signed_pct(Some(Dec2(-50)), Lang::En), "-0.50%");
        assert_eq!(int(1234), "1,234");
    }

    #[test]
    fn text_is_matched_without_spaces_and_with_word_boundaries() {
        let t = Text::new("이번 달, 가장 성과가 좋은 캠페인은 뭐야?");
        assert!(t.has("이번달"));
        assert!(t.has("캠페인"));
        let e = Text::new("How many VISITS yesterday?");
        assert!(e.has(" visits "));
        assert!(!e.has(" visit "));
        assert_eq!(detect("how many"), Lang::En);
        assert_eq!(detect("재고"), Lang::Ko);
    }
}
