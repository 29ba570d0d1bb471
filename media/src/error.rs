//! Why a media file was refused, as a type: the device turns each kind into
//! its own error (and the app's "bad media" message), the server into a
//! skipped preview, neither by reading text. Each message is the kind in
//! zh-CN, then the detail in English (decoders' own words where they give one).

use std::io;
use std::path::PathBuf;

/// The one error type of `siteproof-media`.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Not a format Siteproof accepts, or a feature of one it does not decode.
    #[error("不支持的文件格式 / {0}")]
    UnsupportedFormat(String),
    /// Claims a supported format but the content is broken or hostile.
    #[error("文件已损坏 / {0}")]
    CorruptMedia(String),
    /// A JPEG cut short: its image data never reaches an end-of-image marker.
    #[error("JPEG 文件不完整（缺少结束标记）/ {0}")]
    Truncated(String),
    /// Over a safety limit (decoded pixels, file size, header size).
    #[error("文件超出安全上限 / {0}")]
    TooLarge(String),
    /// The file has no bytes at all.
    #[error("空文件 / empty file")]
    EmptyFile,
    /// A folder was given where a file was expected.
    #[error("{} 是文件夹 / {} is a directory", .0.display(), .0.display())]
    NotAFile(PathBuf),
    /// The file could not be read (kept typed: a full disk or a missing file is told apart by the caller).
    #[error("无法读取文件 / {context}: {source}")]
    Io {
        /// What was being read.
        context: String,
        /// The operating system's answer.
        #[source]
        source: io::Error,
    },
}

/// Result alias of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// A read failure while doing `context`.
    pub fn from_io(context: &str, source: io::Error) -> Self {
        Error::Io { context: context.to_string(), source }
    }
}
