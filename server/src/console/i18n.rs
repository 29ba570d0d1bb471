//! The console speaks zh-CN first; English is a switch (`?lang=en`, kept in a
//! cookie). Every user-facing string goes through [`Lang::t`] with both
//! versions written side by side at the call site, so neither can be missed.

use chrono::{FixedOffset, TimeZone};
use siteproof_protocol::vocab::Vocab;

/// The console's display language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// Simplified Chinese (default).
    Zh,
    /// English.
    En,
}

impl Lang {
    /// Parses a `lang` query or cookie value; anything unknown is Chinese.
    pub fn parse(s: &str) -> Lang {
        if s.trim().eq_ignore_ascii_case("en") {
            Lang::En
        } else {
            Lang::Zh
        }
    }

    /// The code for cookies and `lang` attributes.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    /// Picks the Chinese or English text.
    pub fn t<'a>(self, zh: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }

    /// Label of a vocabulary code (the code itself if unknown, so nothing is hidden).
    pub fn label(self, vocab: Vocab, code: &str) -> &str {
        match vocab.iter().find(|(c, _, _)| *c == code) {
            Some((_, zh, en)) => self.t(zh, en),
            None => code,
        }
    }
}

/// China Standard Time; China has one zone and no daylight saving.
pub fn china() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset")
}

/// A Unix-ms instant as local China time, minutes precision.
pub fn fmt_ms(ms: i64) -> String {
    match china().timestamp_millis_opt(ms).single() {
        Some(t) => t.format("%Y-%m-%d %H:%M").to_string(),
        None => format!("{ms} ms"),
    }
}

/// A Unix-ms instant as local China time with seconds (evidence times).
pub fn fmt_ms_secs(ms: i64) -> String {
    match china().timestamp_millis_opt(ms).single() {
        Some(t) => t.format("%Y-%m-%d %H:%M:%S").to_string(),
        None => format!("{ms} ms"),
    }
}

/// Start and end (exclusive) of the China-time day containing `now_ms`, Unix ms.
pub fn china_day_bounds(now_ms: i64) -> (i64, i64) {
    const DAY: i64 = 86_400_000;
    let offset = 8 * 3_600_000;
    let start = (now_ms + offset).div_euclid(DAY) * DAY - offset;
    (start, start + DAY)
}

/// A duration in words ("±1.2 秒" / "±1.2 s").
pub fn fmt_bound(lang: Lang, ms: u64) -> String {
    if ms < 1000 {
        format!("±{ms} {}", lang.t("毫秒", "ms"))
    } else {
        format!("±{:.1} {}", ms as f64 / 1000.0, lang.t("秒", "s"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn china_day_starts_at_local_midnight() {
        // 2026-11-23 01:30 CST is 2026-11-22 17:30 UTC.
        let now = chrono::DateTime::parse_from_rfc3339("2026-11-22T17:30:00Z").unwrap().timestamp_millis();
        let (s, e) = china_day_bounds(now);
        assert_eq!(fmt_ms(s), "2026-11-23 00:00");
        assert_eq!(e - s, 86_400_000);
    }
}
