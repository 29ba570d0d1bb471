//! Shortening a decoder's or camera's text by characters, never by bytes
//! (a byte index can fall inside a multi-byte character and panic). The same
//! rule as the evidence text checks; this crate sits below them, so it keeps
//! its own copy of the one function it needs.

/// The first `max_chars` characters of `s` (all of it when shorter).
pub(crate) fn prefix(s: &str, max_chars: usize) -> &str {
    match s.char_indices().nth(max_chars) {
        Some((at, _)) => &s[..at],
        None => s,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn prefix_counts_characters() {
        assert_eq!(super::prefix("中文中文中文", 4), "中文中文");
        assert_eq!(super::prefix("ab中", 3), "ab中");
        assert_eq!(super::prefix("abc", 8), "abc");
    }
}
