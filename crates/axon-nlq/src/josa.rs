//! Korean particles (조사) that depend on the sound before them: 은/는, 이/가, 을/를, 으로/로,
//! 과/와. The choice follows how the word is read aloud, so numbers and units count: "5,674명"
//! ends in 명 (ㅇ), "₩1,290,000" is read "백이십구만 원" (ㄴ), "3.65%" ends in 퍼센트 (no final
//! consonant), "2026-11-13" ends in 삼 (ㅁ), "GMV" in 브이. A trailing parenthesis ("거래액(GMV)")
//! or closing quote ("'겨울 세일'") is skipped: the particle agrees with the word it follows.

/// The particles whose form depends on the final sound.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Josa {
    /// 은/는 (topic).
    Topic,
    /// 이/가 (subject).
    Subject,
    /// 을/를 (object).
    Object,
    /// 으로/로 (means, direction, "…로 …입니다"); ㄹ takes 로.
    Ro,
    /// 과/와 ("and", "with").
    And,
}

/// The last sound of a word as the particles see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Coda {
    /// Ends in a vowel (no 받침).
    None,
    /// Ends in ㄹ (matters for 으로/로).
    Rieul,
    /// Ends in any other final consonant.
    Other,
}

/// The final consonant of a Hangul syllable, if `c` is one.
fn hangul(c: char) -> Option<Coda> {
    let u = u32::from(c);
    if !(0xAC00..=0xD7A3).contains(&u) {
        return None;
    }
    Some(match (u - 0xAC00) % 28 {
        0 => Coda::None,
        8 => Coda::Rieul,
        _ => Coda::Other,
    })
}

/// How a digit string (commas removed, no sign) ends when read aloud in Sino-Korean:
/// the last non-zero digit, or the place word the zeros make (십, 백, 천, 만, 억, 조).
fn integer(digits: &str) -> Coda {
    let zeros = digits.len() - digits.trim_end_matches('0').len();
    if zeros == digits.len() {
        return Coda::Other; // 영
    }
    match zeros {
        0 => digit(digits.as_bytes()[digits.len() - 1]),
        // 십, 백, 천, 만 … 천만, 억 … 천억: all end in a consonant.
        1..=11 => Coda::Other,
        // 조.
        _ => Coda::None,
    }
}

/// 영 일 이 삼 사 오 육 칠 팔 구.
fn digit(d: u8) -> Coda {
    match d {
        b'1' | b'7' | b'8' => Coda::Rieul,
        b'0' | b'3' | b'6' => Coda::Other,
        _ => Coda::None,
    }
}

/// A Latin letter read by its Korean name: A 에이, L 엘, M 엠, N 엔, R 알 …
fn letter(c: char) -> Coda {
    match c.to_ascii_uppercase() {
        'L' | 'R' => Coda::Rieul,
        'M' | 'N' => Coda::Other,
        _ => Coda::None,
    }
}

/// A lower-case English word, read as it is usually written in Hangul: final l → ㄹ ("mobile"
/// 모바일, "google" 구글), final m/n/ng/k/t/p/b/d/g/ck → a consonant ("chrome" 크롬, "desktop"
/// 데스크톱, "tablet" 태블릿); a vowel or r/s/x → none ("safari", "naver", "chrome"…).
fn english(word: &str) -> Coda {
    let w = word.to_ascii_lowercase();
    let w = w.strip_suffix('e').filter(|s| !s.is_empty()).unwrap_or(&w);
    match w.chars().last() {
        Some('l') => Coda::Rieul,
        Some('m' | 'n' | 'g' | 'k' | 't' | 'p' | 'b' | 'd') => Coda::Other,
        _ => Coda::None,
    }
}

/// The final sound of `word` as written in an answer.
fn coda(word: &str) -> Coda {
    let mut w = word.trim_end();
    // Skip closing quotes and one trailing parenthetical: "'겨울 세일'", "거래액(GMV)".
    loop {
        let before = w;
        w = w.trim_end_matches(['\'', '"', '’', '”', ' ']);
        if let Some(inner) = w.strip_suffix(')') {
            if let Some(open) = inner.rfind('(') {
                if open > 0 {
                    w = &inner[..open];
                }
            }
        }
        if w == before {
            break;
        }
    }
    let Some(last) = w.chars().last() else {
        return Coda::None;
    };
    if let Some(c) = hangul(last) {
        return c;
    }
    match last {
        '%' => return Coda::None,  // 퍼센트
        '₩' => return Coda::Other, // 원
        _ => {}
    }
    if last.is_ascii_digit() {
        // The number the word ends with: "₩1,290,000" → 원; "3.65" → the last decimal digit.
        let start = w
            .char_indices()
            .rev()
            .take_while(|(_, c)| c.is_ascii_digit() || *c == ',' || *c == '.')
            .last()
            .map_or(0, |(i, _)| i);
        let number = &w[start..];
        if w[..start].ends_with('₩') {
            return Coda::Other; // "… 원"
        }
        return match number.rsplit_once('.') {
            Some((_, frac)) if !frac.is_empty() => digit(frac.as_bytes()[frac.len() - 1]),
            _ => integer(&number.replace([',', '.'], "")),
        };
    }
    if last.is_ascii_alphabetic() {
        let tail: String = w
            .chars()
            .rev()
            .take_while(char::is_ascii_alphabetic)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        // Acronyms (GMV, ROAS, CAC, UTM) are spelled out letter by letter.
        return if tail.chars().all(|c| c.is_ascii_uppercase()) {
            letter(last)
        } else {
            english(&tail)
        };
    }
    Coda::None
}

/// The particle form that follows `word`.
pub fn particle(word: &str, j: Josa) -> &'static str {
    let c = coda(word);
    match (j, c) {
        (Josa::Topic, Coda::None) => "는",
        (Josa::Topic, _) => "은",
        (Josa::Subject, Coda::None) => "가",
        (Josa::Subject, _) => "이",
        (Josa::Object, Coda::None) => "를",
        (Josa::Object, _) => "을",
        (Josa::Ro, Coda::None | Coda::Rieul) => "로",
        (Josa::Ro, Coda::Other) => "으로",
        (Josa::And, Coda::None) => "와",
        (Josa::And, _) => "과",
    }
}

/// `word` followed by the right form of the particle: `with("순 방문자", Josa::Topic)` →
/// "순 방문자는".
pub fn with(word: &str, j: Josa) -> String {
    format!("{word}{}", particle(word, j))
}

#[cfg(test)]
mod tests {
    use super::Josa::*;
    use super::*;

    #[test]
    fn words_take_the_form_of_their_last_syllable() {
        assert_eq!(with("순 방문자", Topic), "순 방문자는");
        assert_eq!(with("전환율", Topic), "전환율은");
        assert_eq!(with("재구매율", Topic), "재구매율은");
        assert_eq!(with("방문", Subject), "방문이");
        assert_eq!(with("캠페인", Subject), "캠페인이");
        assert_eq!(with("활동", Subject), "활동이");
        assert_eq!(with("참여", Object), "참여를");
        assert_eq!(with("구매", And), "구매와");
        assert_eq!(with("방문", And), "방문과");
        assert_eq!(with("서울", Ro), "서울로");
        assert_eq!(with("부산", Ro), "부산으로");
        assert_eq!(with("고객 획득 비용(CAC)", Topic), "고객 획득 비용(CAC)은");
        assert_eq!(with("고객 생애 가치(LTV)", Topic), "고객 생애 가치(LTV)는");
        assert_eq!(with("거래액(GMV)", Topic), "거래액(GMV)은");
        assert_eq!(with("'겨울 세일'", Topic), "'겨울 세일'은");
        assert_eq!(with("'롱패딩 선착순'", Ro), "'롱패딩 선착순'으로");
        assert_eq!(with("연령대(20대)", Topic), "연령대(20대)는");
    }

    #[test]
    fn numbers_are_read_aloud() {
        assert_eq!(with("5,674명", Ro), "5,674명으로");
        assert_eq!(with("143건", Ro), "143건으로");
        assert_eq!(with("51개", Ro), "51개로");
        assert_eq!(with("₩1,290,000", Ro), "₩1,290,000으로");
        assert_eq!(with("₩0", Topic), "₩0은");
        assert_eq!(with("3.65%", Ro), "3.65%로");
        assert_eq!(with("12%", Topic), "12%는");
        assert_eq!(with("1.44배", Topic), "1.44배는");
        assert_eq!(with("2026-11-13", Ro), "2026-11-13으로"); // 삼
        assert_eq!(with("2026-11-17", Ro), "2026-11-17로"); // 칠 (ㄹ)
        assert_eq!(with("2026-11-12", Ro), "2026-11-12로"); // 이
        assert_eq!(with("2026-11-16", Ro), "2026-11-16으로"); // 육
        assert_eq!(with("2026-11-10", Ro), "2026-11-10으로"); // 십
        assert_eq!(with("11", Topic), "11은"); // 십일
        assert_eq!(with("20", Subject), "20이"); // 이십
        assert_eq!(with("100", Topic), "100은"); // 백
        assert_eq!(with("1,000", Ro), "1,000으로"); // 천
        assert_eq!(with("20,000", Topic), "20,000은"); // 이만
        assert_eq!(with("9.86", Topic), "9.86은"); // 육
        assert_eq!(with("4.5", Topic), "4.5는"); // 오
        assert_eq!(with("0", Ro), "0으로"); // 영
    }

    #[test]
    fn latin_words_and_acronyms() {
        assert_eq!(with("GMV", Topic), "GMV는");
        assert_eq!(with("ROAS", Topic), "ROAS는");
        assert_eq!(with("LTV/CAC", Topic), "LTV/CAC는");
        assert_eq!(with("HTML", Topic), "HTML은");
        assert_eq!(with("mobile", Topic), "mobile은");
        assert_eq!(with("mobile", Ro), "mobile로");
        assert_eq!(with("desktop", Topic), "desktop은");
        assert_eq!(with("tablet", Subject), "tablet이");
        assert_eq!(with("Chrome", Topic), "Chrome은");
        assert_eq!(with("Safari", Topic), "Safari는");
        assert_eq!(with("naver", Topic), "naver는");
    }
}
