//! A media file refused by `siteproof-media` keeps its kind when it reaches
//! the core's error (and from there the CLI's exit code and the app's error
//! variant): the mapping is by type, never by message text.

use std::io;

use siteproof_core::{media, Error};

#[test]
fn media_refusals_keep_their_kind_in_the_core_error() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.jpg");
    std::fs::write(&empty, b"").unwrap();
    let text = dir.path().join("notes.jpg");
    std::fs::write(&text, "这不是照片 / not a photo\n").unwrap();

    let core = |r: Result<media::PhotoInfo, media::Error>| Error::from(r.unwrap_err());
    assert!(matches!(core(media::read_photo_info(&empty)), Error::InvalidInput(m) if m == "空文件 / empty file"));
    assert!(matches!(core(media::read_photo_info(dir.path())), Error::InvalidInput(_)));
    assert!(matches!(core(media::read_photo_info(&dir.path().join("missing.jpg"))), Error::NotFound(_)));
    assert!(matches!(core(media::read_photo_info(&text)), Error::UnsupportedFormat(m) if m.starts_with("不支持的文件格式 / ")));
    let cut = dir.path().join("cut.jpg");
    std::fs::write(&cut, [0xFF, 0xD8, 0xFF, 0xE1, 0x40, 0x00, b'E', b'x']).unwrap();
    let truncated = Error::from(media::read_trailer(&cut, media::MediaKind::Jpeg).unwrap_err());
    assert!(matches!(&truncated, Error::CorruptMedia(m) if m.starts_with("JPEG 文件不完整（缺少结束标记）/ ")), "{truncated:?}");
    let full = Error::from(media::Error::from_io("reading JPEG", io::Error::from_raw_os_error(libc::ENOSPC)));
    assert!(matches!(full, Error::DiskFull(_)), "{full:?}");
}
