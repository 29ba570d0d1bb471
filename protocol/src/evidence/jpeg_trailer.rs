//! What a phone put after a JPEG's end-of-image marker, as a manifest records
//! it. Motion photos append their video, Samsung its SEF trailer, multi-picture
//! files a second JPEG: those bytes are part of the original the worker shot,
//! so they are kept and hashed with it, and the manifest says what they are so
//! a reader of the evidence is not surprised by a JPEG longer than its image.
//! The type is part of the signed format, so it lives with the format; finding
//! the parts in a file is `siteproof_media::jpeg_layout`.

use serde::{Deserialize, Serialize};

/// The bytes of a JPEG file after its end-of-image marker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JpegTrailer {
    /// Offset of the first byte after the image's EOI marker: the length of the JPEG proper.
    pub image_end: u64,
    /// The parts found after it, by offset; a part found inside another
    /// (the video inside Samsung's trailer) follows the part that holds it.
    pub parts: Vec<TrailerPart>,
}

/// One run of bytes after the image, with what it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrailerPart {
    /// What the bytes are.
    pub kind: TrailerKind,
    /// Offset from the start of the file.
    pub offset: u64,
    /// Length in bytes.
    pub length: u64,
}

/// What a run of bytes after the image is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TrailerKind {
    /// Zero or 0xFF filler bytes.
    Padding,
    /// An MP4/QuickTime file (an `ftyp` box first): a motion photo's video.
    MotionPhotoVideo,
    /// Samsung's SEF trailer (a directory ending in "SEFT").
    SamsungTrailer,
    /// Another complete JPEG: a multi-picture (MPF) secondary image or depth map.
    Jpeg,
    /// Bytes of no format recognised here.
    Unknown,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::canonical::{from_canonical_bytes, to_canonical_bytes};
    use crate::evidence::MediaRef;

    fn media(trailer: Option<JpegTrailer>) -> MediaRef {
        MediaRef { sha256: "ab".repeat(32), bytes: 10, media_type: "image/jpeg".into(), width: Some(1), height: Some(1), trailer }
    }

    #[test]
    fn a_media_record_without_trailer_is_written_as_before_and_old_records_still_read() {
        let before = r#"{"bytes":10,"height":1,"media_type":"image/jpeg","sha256":"abababababababababababababababababababababababababababababababab","width":1}"#;
        assert_eq!(String::from_utf8(to_canonical_bytes(&media(None)).unwrap()).unwrap(), before);
        assert_eq!(from_canonical_bytes::<MediaRef>(before.as_bytes()).unwrap(), media(None));
    }

    #[test]
    fn a_trailer_is_recorded_with_snake_case_kinds_and_read_back() {
        let part = TrailerPart { kind: TrailerKind::MotionPhotoVideo, offset: 8, length: 2 };
        let with = media(Some(JpegTrailer { image_end: 8, parts: vec![part] }));
        let text = to_canonical_bytes(&with).unwrap();
        assert!(String::from_utf8_lossy(&text)
            .contains(r#""trailer":{"image_end":8,"parts":[{"kind":"motion_photo_video","length":2,"offset":8}]}"#));
        assert_eq!(from_canonical_bytes::<MediaRef>(&text).unwrap(), with);
    }
}
