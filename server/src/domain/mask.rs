//! Masking complainant contact for workers (投诉人信息保密): a worker sees
//! enough to recognise a caller (last four digits, first character of a
//! name), never a number they could dial or pass on.

/// Masks a contact string: digits except the last four, and every character
/// after the first of each word, become `*`.
pub fn contact(s: &str) -> String {
    let total_digits = s.chars().filter(char::is_ascii_digit).count();
    let mut seen_digits = 0;
    let mut out = String::with_capacity(s.len());
    let mut word_start = true;
    for c in s.chars() {
        if c.is_ascii_digit() {
            seen_digits += 1;
            out.push(if total_digits - seen_digits < 4 { c } else { '*' });
            word_start = false;
        } else if c.is_whitespace() || ",;，；:：()（）".contains(c) {
            out.push(c);
            word_start = true;
        } else {
            out.push(if word_start { c } else { '*' });
            word_start = false;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn keeps_last_four_digits_and_initials() {
        assert_eq!(super::contact("王女士 13800138000"), "王** *******8000");
        assert_eq!(super::contact("a@b.cn"), "a*****");
    }
}
