//! Checks on free text that ends up in manifests, file names and the
//! coordinators' console: bounded length, no control characters; and the one
//! way to shorten text for display, by characters, never by bytes.

use crate::error::{Error, Result};

/// The first `max_chars` characters of `s` (all of it when shorter). Text is
/// never cut by byte index: that panics inside a multi-byte character.
pub fn prefix(s: &str, max_chars: usize) -> &str {
    match s.char_indices().nth(max_chars) {
        Some((at, _)) => &s[..at],
        None => s,
    }
}

/// Trims and checks a short single-line field (order number, names).
pub fn single_line(what: &str, s: &str, max_chars: usize) -> Result<String> {
    let t = s.trim();
    if t.is_empty() {
        return Err(Error::invalid(format!("{what} 为空"), format!("{what} is empty")));
    }
    if t.chars().count() > max_chars {
        return Err(too_long(what, max_chars));
    }
    if t.chars().any(char::is_control) {
        return Err(control_chars(what));
    }
    Ok(t.to_string())
}

fn too_long(what: &str, max_chars: usize) -> Error {
    Error::invalid(format!("{what} 超过 {max_chars} 个字符"), format!("{what} is longer than {max_chars} characters"))
}

fn control_chars(what: &str) -> Error {
    Error::invalid(format!("{what} 含有控制字符"), format!("{what} contains control characters"))
}

/// Checks multi-line text (notes): newlines and tabs allowed, other control characters not.
pub fn multi_line(what: &str, s: &str, max_chars: usize) -> Result<String> {
    if s.chars().count() > max_chars {
        return Err(too_long(what, max_chars));
    }
    if s.chars().any(|c| c.is_control() && c != '\n' && c != '\t' && c != '\r') {
        return Err(control_chars(what));
    }
    Ok(s.to_string())
}

/// An order number: letters, digits and `-_/.`, as the city platforms issue them.
pub fn order_number(s: &str) -> Result<String> {
    let t = single_line("order number", s, 64)?;
    if !t.chars().all(|c| c.is_ascii_alphanumeric() || "-_/.".contains(c)) || t.starts_with('.') {
        return Err(Error::invalid(
            "工单号只能包含字母、数字和 -_/.",
            format!("order number {t:?} may contain only letters, digits and -_/."),
        ));
    }
    Ok(t)
}

#[cfg(test)]
mod tests {
    #[test]
    fn prefix_counts_characters() {
        assert_eq!(super::prefix("中文中文中文", 4), "中文中文");
        assert_eq!(super::prefix("abc", 8), "abc");
        assert_eq!(super::prefix("ab中", 3), "ab中");
        assert_eq!(super::prefix("", 2), "");
    }
}
