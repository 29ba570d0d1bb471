//! Turning a file from the camera or recorder into a chain entry. The order
//! of steps is the crash-safety argument: copy and hash into a fsynced temp
//! file, check the copy (what we hash is what we inspect), publish it under
//! its hash by rename, then one transaction writes the blob row, the signed
//! manifest and the outbox jobs. A kill before the commit leaves only a file
//! no row names, which the next open removes; after it, the whole item.
//! Thumbnails come afterwards (`make_pending_derivatives`), so the worker can
//! shoot again the moment the original is safe.

use std::fs::File;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::device::{now_ms, Device};
use crate::error::{Error, Result};
use crate::evidence::{
    AttachRef, AudioSummary, CaptureRecord, EntryKind, ExifSummary, LocationFix, Manifest, MediaRef, ReceivedFrom, VideoSummary,
    MANIFEST_FORMAT,
};
use crate::flags::{context_flags, exif_flags, NO_FIX};
use crate::media::{self, MediaKind};
use crate::queue::{enqueue_entry_jobs, enqueue_media_job, JobPart};
use crate::store::{blob_rows, entries, StagedBlob};
use crate::text::{multi_line, single_line};

/// When, where and under which order/visit a capture happens, as the phone reports it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaptureContext {
    /// Location fix, if the phone has one.
    pub fix: Option<LocationFix>,
    /// Device wall clock, Unix ms.
    pub device_time_ms: i64,
    /// Device UTC offset, minutes east.
    pub utc_offset_min: i32,
    /// Boot clock including sleep, ms.
    pub monotonic_ms: u64,
    /// Boot identifier.
    pub boot_id: String,
    /// Order to file the capture under (None: unfiled, attach later).
    pub order_number: Option<String>,
    /// Visit the capture belongs to.
    pub visit_id: Option<String>,
}

impl CaptureContext {
    /// A context from this machine's clocks, with no fix, order or visit.
    pub fn now_on_this_machine() -> Result<Self> {
        Ok(CaptureContext {
            fix: None,
            device_time_ms: now_ms(),
            utc_offset_min: crate::platform::local_utc_offset_min(),
            monotonic_ms: crate::platform::boot_clock_ms()?,
            boot_id: crate::platform::boot_id()?,
            order_number: None,
            visit_id: None,
        })
    }

    fn record(&self) -> CaptureRecord {
        CaptureRecord {
            device_time_ms: self.device_time_ms,
            utc_offset_min: self.utc_offset_min,
            monotonic_ms: self.monotonic_ms,
            boot_id: self.boot_id.clone(),
            fix: self.fix.clone(),
        }
    }
}

/// A chain entry as the apps show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvidenceItem {
    /// Entry id.
    pub item_id: String,
    /// Position in this device's chain.
    pub seq: u64,
    /// What the entry records.
    pub kind: EntryKind,
    /// Hash of the signed manifest.
    pub manifest_hash: String,
    /// SHA-256 of the original file (photos, voice notes).
    pub media_sha256: Option<String>,
    /// Size of the original.
    pub bytes: u64,
    /// MIME type of the original.
    pub media_type: Option<String>,
    /// Order it is filed under (after any later attach).
    pub order_number: Option<String>,
    /// Visit it was captured in.
    pub visit_id: Option<String>,
    /// Capture flags (see `flags`).
    pub flags: Vec<String>,
    /// Device clock at capture.
    pub device_time_ms: i64,
    /// Anchored capture time, if anchored.
    pub anchored_utc_ms: Option<i64>,
    /// Bound of the anchored time.
    pub anchored_bound_ms: Option<u64>,
    /// Note text, for notes.
    pub text: Option<String>,
    /// Duration, for voice notes and video clips (and received ones).
    pub duration_ms: Option<u64>,
    /// The stated source of a received file (`received` entries only).
    pub received_from: Option<String>,
    /// The server has acknowledged this entry with a receipt.
    pub has_receipt: bool,
}

impl Device {
    /// Captures a photo file: durable and queued when this returns; thumbnails follow.
    pub fn capture_photo(&self, path: &Path, ctx: CaptureContext) -> Result<EvidenceItem> {
        self.capture_media(path, ctx, Expect::Photo)
    }

    /// Captures a voice note file (M4A or ADTS AAC, MP3, AMR-NB/WB, Ogg Opus/Vorbis, WAV).
    pub fn capture_voice(&self, path: &Path, ctx: CaptureContext) -> Result<EvidenceItem> {
        self.capture_media(path, ctx, Expect::Voice)
    }

    /// Captures a video clip (MP4, MOV, 3GP), byte-exact, with what its container says.
    pub fn capture_video(&self, path: &Path, ctx: CaptureContext) -> Result<EvidenceItem> {
        self.capture_media(path, ctx, Expect::Video)
    }

    /// Keeps a file the worker received (a resident's WeChat photo, a forwarded clip) as a
    /// `received` entry: signed and chained, with its stated source; its own EXIF or container
    /// time and place are recorded as the file's claims, never compared as if captured here.
    pub fn import_received(&self, path: &Path, source: &str, ctx: CaptureContext) -> Result<EvidenceItem> {
        let source = single_line("source", source, 200)?;
        if source.trim().is_empty() {
            return Err(Error::InvalidInput("请写明文件来源，例如“居民微信” / say where the file came from, e.g. \"居民微信\"".into()));
        }
        // Where the phone was when the worker imported the file says nothing about the file: no fix is kept.
        let ctx = CaptureContext { fix: None, ..ctx };
        self.capture_media(path, ctx, Expect::Received(ReceivedFrom { source: source.trim().to_string() }))
    }

    /// Records a text note written on site.
    pub fn add_note(&self, text: &str, ctx: CaptureContext) -> Result<EvidenceItem> {
        let text = multi_line("note", text, 20_000)?;
        if text.trim().is_empty() {
            return Err(Error::InvalidInput("备注为空 / the note is empty".into()));
        }
        self.check_context(&ctx)?;
        let item_id = self.append_entry(&ctx, EntryKind::Note, |m| m.text = Some(text.clone()), None)?;
        self.get_item(&item_id)
    }

    /// Files an earlier entry under an order, as a new signed entry.
    pub fn attach_to_order(&self, item_id: &str, order_number: &str, ctx: CaptureContext) -> Result<EvidenceItem> {
        let target = self.get_item(item_id)?;
        if target.kind == EntryKind::Attach {
            return Err(Error::InvalidInput("an attach entry cannot itself be attached".into()));
        }
        self.get_order(order_number)?;
        let ctx = CaptureContext { order_number: Some(order_number.to_string()), ..ctx };
        self.check_context(&ctx)?;
        let attach = AttachRef { item_id: target.item_id.clone(), manifest_hash: target.manifest_hash.clone() };
        let entry = self.append_entry(&ctx, EntryKind::Attach, |m| m.attach = Some(attach.clone()), None)?;
        entries::file_under(&*self.db()?, &target.item_id, order_number)?;
        self.get_item(&entry)
    }

    fn capture_media(&self, path: &Path, ctx: CaptureContext, expect: Expect) -> Result<EvidenceItem> {
        self.check_context(&ctx)?;
        if path.is_dir() {
            return Err(Error::InvalidInput(format!("{} is a directory, not a file", path.display())));
        }
        let file = File::open(path).map_err(|e| Error::from_io(&format!("open {}", path.display()), e))?;
        let staged = self.blobs.stage(file)?;
        if staged.bytes == 0 {
            return Err(Error::InvalidInput(format!("{} is an empty file", path.display())));
        }
        let kind = media::sniff_with_tracks(&staged.header, &staged.path)?;
        let record = ctx.record();
        let not_a = |what: &str| Error::UnsupportedFormat(format!("{} is {}, not {what}", path.display(), kind.media_type()));
        let facts = match &expect {
            Expect::Photo if !kind.is_photo() => return Err(not_a("a photo")),
            Expect::Voice if kind.is_photo() || kind.is_video() => return Err(not_a("a voice recording")),
            Expect::Video if !kind.is_video() => return Err(not_a("a video clip")),
            _ => read_facts(&staged, kind)?,
        };
        let (entry_kind, mut flags, received) = match expect {
            Expect::Photo => (EntryKind::Photo, facts.exif.as_ref().map(|e| exif_flags(&record, e)).unwrap_or_default(), None),
            Expect::Voice => (EntryKind::Voice, Vec::new(), None),
            Expect::Video => (EntryKind::Video, Vec::new(), None),
            // A received file's EXIF describes someone else's camera: its claims are shown, not judged against this phone.
            Expect::Received(from) => (EntryKind::Received, Vec::new(), Some(from)),
        };
        let Facts { media: media_ref, exif, audio, video } = facts;
        let sha = staged.sha256.clone();
        let bytes = staged.bytes;
        self.blobs.commit(staged)?;
        let item_id = self.append_entry(
            &ctx,
            entry_kind,
            |m| {
                m.media = Some(media_ref.clone());
                m.exif = exif.clone();
                m.audio = audio.clone();
                m.video = video.clone();
                m.flags.append(&mut flags);
                if received.is_some() {
                    // Nobody claims the worker was at the file's place, so no fix is no doubt.
                    m.flags.retain(|f| f != NO_FIX);
                }
                m.received = received.clone();
            },
            Some((sha, bytes, kind.media_type())),
        )?;
        self.get_item(&item_id)
    }

    pub(crate) fn check_context(&self, ctx: &CaptureContext) -> Result<()> {
        if let Some(f) = &ctx.fix {
            f.validate()?;
        }
        single_line("boot id", &ctx.boot_id, 128)?;
        if !(-18 * 60..=18 * 60).contains(&ctx.utc_offset_min) {
            return Err(Error::InvalidInput(format!("UTC offset {} min is out of range", ctx.utc_offset_min)));
        }
        if let Some(n) = &ctx.order_number {
            self.get_order(n)?;
        }
        if let Some(v) = &ctx.visit_id {
            self.get_visit(v)?;
        }
        Ok(())
    }

    /// Appends one signed entry in one transaction: seq, prev link, manifest, blob row, jobs.
    pub(crate) fn append_entry(
        &self,
        ctx: &CaptureContext,
        kind: EntryKind,
        fill: impl FnOnce(&mut Manifest),
        media: Option<(String, u64, &str)>,
    ) -> Result<String> {
        let anchored = self.anchored_time_for(&ctx.boot_id, ctx.monotonic_ms)?;
        // The purpose is signed with the entry: the visit row itself never leaves the phone.
        let visit_purpose = ctx.visit_id.as_deref().map(|v| self.get_visit(v)).transpose()?.map(|v| v.purpose);
        let record = ctx.record();
        let mut manifest = Manifest {
            format: MANIFEST_FORMAT.into(),
            device_id: self.device_id.clone(),
            device_key: self.public_key_hex.clone(),
            seq: 0,
            prev: None,
            item_id: crate::evidence::ids::new_id(),
            kind,
            media: None,
            flags: context_flags(&record, anchored.as_ref()),
            capture: record,
            anchored,
            exif: None,
            audio: None,
            video: None,
            received: None,
            text: None,
            attach: None,
            order_number: ctx.order_number.clone(),
            visit_id: ctx.visit_id.clone(),
            visit_purpose,
            share: None,
        };
        fill(&mut manifest);
        manifest.flags.sort();
        manifest.flags.dedup();
        let mut conn = self.db()?;
        let tx = conn.transaction()?;
        let (seq, prev) = entries::head(&tx)?;
        manifest.seq = seq + 1;
        manifest.prev = prev;
        let signed = manifest.sign(&self.key)?;
        if let Some((sha, bytes, media_type)) = &media {
            blob_rows::put_original(&tx, sha, *bytes, media_type)?;
        }
        let entry = entries::NewEntry {
            seq: manifest.seq,
            item_id: &manifest.item_id,
            kind,
            manifest_hash: &signed.hash(),
            signed: &signed,
            media_sha256: media.as_ref().map(|m| m.0.as_str()),
            order_number: manifest.order_number.as_deref(),
            visit_id: manifest.visit_id.as_deref(),
        };
        entries::insert(&tx, &entry, now_ms())?;
        if let Some((sha, bytes, _)) = &media {
            enqueue_media_job(&tx, &manifest.item_id, JobPart::Original, sha, *bytes)?;
        }
        enqueue_entry_jobs(&tx, &manifest.item_id, signed.manifest.len() as u64)?;
        tx.commit()?;
        Ok(manifest.item_id)
    }
}

/// What the caller asked to capture; the file's bytes must agree.
enum Expect {
    Photo,
    Voice,
    Video,
    Received(ReceivedFrom),
}

/// What a staged file's headers say, by its sniffed kind.
struct Facts {
    media: MediaRef,
    exif: Option<ExifSummary>,
    audio: Option<AudioSummary>,
    video: Option<VideoSummary>,
}

fn read_facts(staged: &StagedBlob, kind: MediaKind) -> Result<Facts> {
    let none = |media| Facts { media, exif: None, audio: None, video: None };
    if kind.is_photo() {
        let trailer = media::read_trailer(&staged.path, kind)?;
        let info = media::read_photo_info(&staged.path)?;
        let media = MediaRef { trailer, ..media_ref_of(staged, kind, Some(info.width), Some(info.height)) };
        Ok(Facts { exif: Some(info.exif), ..none(media) })
    } else if kind.is_video() {
        let info = media::read_video_info(&staged.path)?;
        let video = VideoSummary {
            duration_ms: info.duration_ms,
            width: info.width,
            height: info.height,
            codec: info.codec,
            created_at: info.created_at,
            place: info.place,
        };
        Ok(Facts { video: Some(video), ..none(media_ref_of(staged, kind, info.width, info.height)) })
    } else {
        let info = media::read_voice_info(&staged.path)?;
        let audio = AudioSummary { duration_ms: info.duration_ms, codec: info.codec };
        Ok(Facts { audio: Some(audio), ..none(media_ref_of(staged, kind, None, None)) })
    }
}

fn media_ref_of(staged: &StagedBlob, kind: MediaKind, width: Option<u32>, height: Option<u32>) -> MediaRef {
    MediaRef { sha256: staged.sha256.clone(), bytes: staged.bytes, media_type: kind.media_type().into(), width, height, trailer: None }
}
