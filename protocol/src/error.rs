//! The protocol's own error: what can be wrong with evidence, a packet or a
//! piece of text, as typed variants a caller matches on (the device maps them
//! to its error, the server to an HTTP answer) and never has to read. Every
//! message is bilingual, zh-CN first, because it reaches workers and
//! coordinators as is.

use std::io;

/// The one error type of `siteproof-protocol`.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The caller passed something that cannot be valid (bad id, empty text, unknown term or kind).
    #[error("{zh} / {en}")]
    InvalidInput {
        /// zh-CN text.
        zh: String,
        /// English text.
        en: String,
    },
    /// The bytes are not the JSON the format expects.
    #[error("JSON 格式错误 / malformed JSON: {0}")]
    MalformedJson(#[from] serde_json::Error),
    /// Well-formed input that breaks the format: not canonical, an unknown format tag, a key or signature that is not hex.
    #[error("{zh} / {en}")]
    BadFormat {
        /// zh-CN text.
        zh: String,
        /// English text.
        en: String,
    },
    /// A signature does not verify over the signed bytes.
    #[error("签名与内容不符 / signature does not match")]
    BadSignature,
    /// Signed claims that contradict each other or the party expected (device id and key, server key, nonce).
    #[error("{zh} / {en}")]
    Mismatch {
        /// zh-CN text.
        zh: String,
        /// English text.
        en: String,
    },
    /// Asked to sign a document with a key other than the one it names.
    #[error("{zh} / {en}")]
    WrongSigningKey {
        /// zh-CN text.
        zh: String,
        /// English text.
        en: String,
    },
    /// Reading or writing the bytes of a packet failed; `source` tells a full disk apart.
    #[error("{context}: {source}")]
    Io {
        /// What was being read or written, zh-CN / English.
        context: String,
        /// The underlying failure.
        #[source]
        source: io::Error,
    },
    /// The ZIP writer refused (not an I/O failure: e.g. a name it cannot store).
    #[error("写入证据包失败 / writing the packet failed: {0}")]
    Zip(String),
}

/// Result alias used across the protocol.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// [`Error::InvalidInput`] from its two texts.
    pub fn invalid(zh: impl Into<String>, en: impl Into<String>) -> Self {
        Error::InvalidInput { zh: zh.into(), en: en.into() }
    }

    /// [`Error::BadFormat`] from its two texts.
    pub fn bad_format(zh: impl Into<String>, en: impl Into<String>) -> Self {
        Error::BadFormat { zh: zh.into(), en: en.into() }
    }

    /// [`Error::Mismatch`] from its two texts.
    pub fn mismatch(zh: impl Into<String>, en: impl Into<String>) -> Self {
        Error::Mismatch { zh: zh.into(), en: en.into() }
    }

    /// [`Error::WrongSigningKey`] from its two texts.
    pub fn wrong_signing_key(zh: impl Into<String>, en: impl Into<String>) -> Self {
        Error::WrongSigningKey { zh: zh.into(), en: en.into() }
    }

    /// [`Error::Io`] with what was being done.
    pub fn io(context: impl Into<String>, source: io::Error) -> Self {
        Error::Io { context: context.into(), source }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_zh_first_then_english() {
        assert_eq!(Error::invalid("工单号为空", "order number is empty").to_string(), "工单号为空 / order number is empty");
        assert_eq!(Error::BadSignature.to_string(), "签名与内容不符 / signature does not match");
        let json = serde_json::from_str::<serde_json::Value>("{").unwrap_err();
        assert!(matches!(Error::from(json), Error::MalformedJson(_)));
    }
}
