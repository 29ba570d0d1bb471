//! The verification code printed on a watermarked share copy: the one rule
//! for how it is made from random bits, written, read back from what a
//! person types, and recognised, shared by the device that prints it and
//! the server page that resolves it.
//!
//! Ten Crockford base32 characters carry 50 random bits: short enough to
//! read out on the phone, too many to guess (a rate-limited page answers a
//! guesser a few times a minute), and unique per copy without coordination.
//! Crockford's alphabet has no I, L, O or U, so what a person misreads
//! (O for 0, I or L for 1) still resolves.

/// Characters in a code.
pub const SHARE_CODE_LEN: usize = 10;

const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// The code for 50 of the caller's random bits (the low 50 bits of `random` are used).
pub fn share_code_from_random(random: u64) -> String {
    (0..SHARE_CODE_LEN).map(|i| ALPHABET[((random >> (5 * (SHARE_CODE_LEN - 1 - i))) & 31) as usize] as char).collect()
}

/// The code as printed: two groups of five, "7KQ2M-XD40P", easier to read out.
pub fn grouped(code: &str) -> String {
    if code.len() == SHARE_CODE_LEN && code.is_ascii() {
        format!("{}-{}", &code[..5], &code[5..])
    } else {
        code.to_string()
    }
}

/// What a person typed or a link carried, as the stored code: hyphens and
/// spaces dropped, upper case, O read as 0 and I or L as 1. None when it
/// cannot be a code.
pub fn normalize(typed: &str) -> Option<String> {
    let mut out = String::with_capacity(SHARE_CODE_LEN);
    for c in typed.chars().filter(|c| *c != '-' && *c != ' ') {
        let c = match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            c => c,
        };
        if !c.is_ascii() || !ALPHABET.contains(&(c as u8)) {
            return None;
        }
        out.push(c);
        if out.len() > SHARE_CODE_LEN {
            return None;
        }
    }
    (out.len() == SHARE_CODE_LEN).then_some(out)
}

/// Whether `s` is a code exactly as stored (what a device must sign).
pub fn is_share_code(s: &str) -> bool {
    normalize(s).as_deref() == Some(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_through_what_people_type() {
        let code = share_code_from_random(0x3_FFFF_FFFF_FFFF);
        assert_eq!(code, "ZZZZZZZZZZ");
        let code = share_code_from_random(0x1234_5678_9ABC);
        assert!(is_share_code(&code), "{code}");
        assert_eq!(normalize(&grouped(&code).to_lowercase()).as_deref(), Some(code.as_str()));
        assert_eq!(normalize("oooo0-iiii1").as_deref(), Some("0000011111"));
        assert_eq!(normalize("ABCDE-FGHJU"), None, "U is not in the alphabet");
        assert_eq!(normalize("ABCDE"), None);
        assert_eq!(normalize("ABCDEFGHJKM"), None);
        assert_eq!(normalize("ABCDEFGHJ中"), None);
        assert!(!is_share_code("abcdefghjk"), "stored codes are upper case");
    }
}
