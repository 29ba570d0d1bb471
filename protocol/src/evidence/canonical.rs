//! RFC 8785 (JSON Canonicalization Scheme) encoding. Signatures cover these
//! exact bytes, so every party must produce the same bytes from the same
//! value; a received manifest that is not already canonical is refused rather
//! than "fixed", because fixing it would sign something nobody signed.

use serde::{de::DeserializeOwned, Serialize};

use crate::error::{Error, Result};

/// Encodes a value as canonical JSON bytes.
pub fn to_canonical_bytes<T: Serialize>(value: &T) -> Result<Vec<u8>> {
    serde_jcs::to_vec(value).map_err(|e| Error::invalid(format!("无法规范化为 JSON：{e}"), format!("cannot canonicalize: {e}")))
}

/// Parses canonical JSON, refusing input that is valid JSON but not in canonical form.
pub fn from_canonical_bytes<T: DeserializeOwned>(bytes: &[u8]) -> Result<T> {
    let value: serde_json::Value = serde_json::from_slice(bytes)?;
    let recoded =
        serde_jcs::to_vec(&value).map_err(|e| Error::bad_format(format!("无法规范化为 JSON：{e}"), format!("cannot canonicalize: {e}")))?;
    if recoded != bytes {
        return Err(Error::bad_format("JSON 不是 RFC 8785 规范形式", "JSON is not in RFC 8785 canonical form"));
    }
    Ok(serde_json::from_value(value)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_keys_and_formats_numbers_like_ecmascript() {
        let v = serde_json::json!({"b": 1.0, "a": [1e21, 0.1, -0.0], "é": "\u{1f}"});
        let s = String::from_utf8(to_canonical_bytes(&v).unwrap()).unwrap();
        assert_eq!(s, r#"{"a":[1e+21,0.1,0],"b":1,"é":"\u001f"}"#);
    }

    #[test]
    fn refuses_non_canonical_input() {
        let err = from_canonical_bytes::<serde_json::Value>(br#"{"b":1, "a":2}"#).unwrap_err();
        assert!(matches!(err, Error::BadFormat { .. }));
        assert!(from_canonical_bytes::<serde_json::Value>(br#"{"a":2,"b":1}"#).is_ok());
    }
}
