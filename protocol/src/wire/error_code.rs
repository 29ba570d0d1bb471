//! The codes in the server's error bodies (`{"error": "<code>", "message": "..."}`),
//! as one enum both sides name. The server can only send a code listed here,
//! and a device decides what a refusal means by matching variants, never by
//! comparing text. A device older than its server still reads the body: a
//! code it does not know parses to [`ErrorCode::Other`] rather than failing.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Declares the known codes once: each variant with its wire spelling.
macro_rules! error_codes {
    ($($(#[doc = $doc:literal])* $variant:ident = $wire:literal,)*) => {
        /// A machine-readable error code of the server's JSON error body.
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum ErrorCode {
            $($(#[doc = $doc])* $variant,)*
            /// A code this build does not know (sent by a newer server); kept as sent.
            Other(String),
        }

        impl ErrorCode {
            /// Every known code, for tests and documentation.
            pub const KNOWN: &'static [ErrorCode] = &[$(ErrorCode::$variant,)*];

            /// The code as it appears on the wire (snake_case).
            pub fn as_str(&self) -> &str {
                match self {
                    $(ErrorCode::$variant => $wire,)*
                    ErrorCode::Other(s) => s,
                }
            }

            /// Reads a code from the wire; an unknown one becomes [`ErrorCode::Other`].
            pub fn parse(s: &str) -> ErrorCode {
                match s {
                    $($wire => ErrorCode::$variant,)*
                    other => ErrorCode::Other(other.to_string()),
                }
            }
        }
    };
}

error_codes! {
    // Authentication and roles.
    /// No usable credential was presented.
    Unauthorized = "unauthorized",
    /// The token is not one this server issued.
    InvalidToken = "invalid_token",
    /// The token was revoked (device revoked or logged out).
    TokenRevoked = "token_revoked",
    /// The token's lifetime is over.
    TokenExpired = "token_expired",
    /// A device token where a login is needed, or the other way round.
    WrongTokenKind = "wrong_token_kind",
    /// The device is not enrolled here.
    UnknownDevice = "unknown_device",
    /// The caller's role may not do this.
    Forbidden = "forbidden",
    /// Username or password wrong.
    BadCredentials = "bad_credentials",
    /// Too many login attempts; retry later.
    TooManyAttempts = "too_many_attempts",
    /// A console form's CSRF token or Origin was refused.
    Csrf = "csrf",
    /// The enrollment code is unknown, used or expired.
    BadEnrollCode = "bad_enroll_code",
    /// The enrolling device's public key is malformed.
    BadPublicKey = "bad_public_key",
    /// A device with this id is already enrolled.
    DeviceExists = "device_exists",
    /// The manifest is signed by a key other than the device's enrolled key.
    WrongDeviceKey = "wrong_device_key",
    /// The password is too weak.
    WeakPassword = "weak_password",
    /// Not a role this server knows.
    BadRole = "bad_role",

    // Request shape.
    /// No route has this path.
    NoSuchRoute = "no_such_route",
    /// The route does not take this method.
    MethodNotAllowed = "method_not_allowed",
    /// The body is larger than the endpoint accepts.
    BodyTooLarge = "body_too_large",
    /// The body was cut short.
    BodyIncomplete = "body_incomplete",
    /// The body is not the JSON the endpoint expects.
    BadJson = "bad_json",
    /// The HTML form body cannot be read.
    BadForm = "bad_form",
    /// A query parameter is unknown, repeated or malformed.
    BadQuery = "bad_query",
    /// A required field is missing.
    MissingField = "missing_field",
    /// The body's content type is not the one the endpoint takes.
    BadContentType = "bad_content_type",
    /// The time-request nonce is malformed.
    BadNonce = "bad_nonce",
    /// A time value cannot be read.
    BadTime = "bad_time",
    /// A time window is malformed or reversed.
    BadWindow = "bad_window",
    /// A SHA-256 is not 64 lowercase hex digits.
    BadSha256 = "bad_sha256",
    /// An item id is malformed.
    BadItemId = "bad_item_id",
    /// An output path is refused.
    BadOut = "bad_out",
    /// Input well formed but invalid, with the reason in the message.
    InvalidInput = "invalid_input",
    /// Content that fails an integrity check.
    Integrity = "integrity",
    /// An identifier is malformed.
    InvalidIdentifier = "invalid_identifier",
    /// A name holds characters it may not.
    InvalidName = "invalid_name",
    /// A username holds characters it may not.
    InvalidUsername = "invalid_username",

    // Accounts and places.
    /// The thing to create exists already.
    AlreadyExists = "already_exists",
    /// A community name is used by several offices.
    AmbiguousCommunity = "ambiguous_community",
    /// A community must be named.
    CommunityRequired = "community_required",
    /// Not found (or not visible to the caller, which answers the same).
    NotFound = "not_found",

    // Orders.
    /// An order with this number exists in the street office.
    OrderExists = "order_exists",
    /// Several street offices use this order number.
    OrderAmbiguous = "order_ambiguous",
    /// The order number is malformed.
    InvalidNumber = "invalid_number",
    /// The spot coordinates are incomplete or out of range.
    InvalidSpot = "invalid_spot",
    /// The named account is not a worker of the order's community.
    NotAWorkerHere = "not_a_worker_here",
    /// A device edit lacks the version it was based on.
    BaseVersionRequired = "base_version_required",
    /// The `order` query parameter is required.
    OrderRequired = "order_required",
    /// A batch export names more orders or entries than one export holds; the message says the limit.
    BatchTooLarge = "batch_too_large",
    /// Rows of an order CSV are invalid; nothing was imported.
    CsvRowsInvalid = "csv_rows_invalid",
    /// The order CSV is not UTF-8.
    CsvNotUtf8 = "csv_not_utf8",
    /// The order CSV has more rows than one import takes.
    TooManyRows = "too_many_rows",
    /// The order CSV's header cannot be used.
    CsvHeader = "csv_header",
    /// A row of an order CSV is not well-formed CSV.
    CsvSyntax = "csv_syntax",
    /// A row of an order CSV has more or fewer fields than its header.
    FieldCount = "field_count",
    /// An order number appears twice in one CSV.
    DuplicateInFile = "duplicate_in_file",
    /// A coordinate in an order CSV row is not a number.
    BadNumber = "bad_number",
    /// A before/after pair must show two different photos.
    SamePhoto = "same_photo",
    /// The photo is not evidence of this order.
    NotAPhotoOfThisOrder = "not_a_photo_of_this_order",
    /// A packet needs at least one item.
    NoItems = "no_items",
    /// The server has no CJK font to write the packet report with.
    CjkFontMissing = "cjk_font_missing",

    // Evidence.
    /// The manifest cannot be read or fails its checks.
    BadManifest = "bad_manifest",
    /// The signing device has not uploaded the entry's media yet; upload it, then retry.
    MediaMissing = "media_missing",
    /// The stored media size differs from the manifest's.
    MediaSizeMismatch = "media_size_mismatch",
    /// The item id belongs to another device's entry.
    ItemIdTaken = "item_id_taken",
    /// A thumbnail or preview may only come from the device that captured the item.
    DerivativeNotYours = "derivative_not_yours",
    /// A time statement handed back is not one this server signed.
    BadTimeStatement = "bad_time_statement",
    /// None of the device's entries rests on the time statement handed back (send the manifest first).
    TimeStatementUnused = "time_statement_unused",

    // tus uploads.
    /// The client speaks a tus version this server does not.
    TusVersion = "tus_version",
    /// A tus header is not a non-negative integer.
    BadHeader = "bad_header",
    /// Upload-Metadata is malformed.
    BadMetadata = "bad_metadata",
    /// Upload-Metadata lacks a usable sha256.
    Sha256Required = "sha256_required",
    /// The upload's filename is a path or hidden name.
    BadFilename = "bad_filename",
    /// The upload's media type does not look like type/subtype.
    BadMediaType = "bad_media_type",
    /// Upload-Checksum is malformed.
    BadChecksumHeader = "bad_checksum_header",
    /// Upload-Length is missing.
    UploadLengthRequired = "upload_length_required",
    /// Upload-Offset is missing.
    UploadOffsetRequired = "upload_offset_required",
    /// Deferred upload length is not supported.
    DeferLengthUnsupported = "defer_length_unsupported",
    /// The upload is larger than this server accepts.
    UploadTooLarge = "upload_too_large",
    /// The bytes sent would pass the declared Upload-Length.
    ExceedsUploadLength = "exceeds_upload_length",
    /// The device has too many unfinished uploads.
    TooManyOpenUploads = "too_many_open_uploads",
    /// The device's storage quota is used up.
    QuotaExceeded = "quota_exceeded",
    /// Upload-Offset is not where the upload stands; ask HEAD and resume.
    OffsetMismatch = "offset_mismatch",
    /// Another request is writing this upload.
    UploadLocked = "upload_locked",
    /// A chunk's checksum does not match its bytes (tus 460).
    ChecksumMismatch = "checksum_mismatch",
    /// The whole upload's SHA-256 is not the declared one; the upload is failed.
    Sha256Mismatch = "sha256_mismatch",
    /// The upload is finished or terminated.
    UploadClosed = "upload_closed",
    /// The unfinished upload expired.
    UploadExpired = "upload_expired",
    /// The finished upload could not be stored.
    UploadFailed = "upload_failed",

    // The server itself.
    /// The server's disk is full.
    DiskFull = "disk_full",
    /// Something failed on the server; the cause is in its log.
    Internal = "internal",
}

/// The schema of the code in the server's OpenAPI document: a string, one of
/// the known codes (the server sends no other).
#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for ErrorCode {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::schema::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .enum_values(Some(ErrorCode::KNOWN.iter().map(ErrorCode::as_str)))
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for ErrorCode {}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for ErrorCode {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ErrorCode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = std::borrow::Cow::<'de, str>::deserialize(d)?;
        Ok(ErrorCode::parse(&s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_known_code_round_trips_and_is_snake_case() {
        let mut seen = std::collections::HashSet::new();
        for code in ErrorCode::KNOWN {
            let s = code.as_str();
            assert!(seen.insert(s), "{s} listed twice");
            assert!(s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'), "{s} is not snake_case");
            assert_eq!(&ErrorCode::parse(s), code);
            let json = serde_json::to_string(code).unwrap();
            assert_eq!(json, format!("\"{s}\""));
            assert_eq!(&serde_json::from_str::<ErrorCode>(&json).unwrap(), code);
        }
    }

    #[test]
    fn an_unknown_code_is_kept_not_refused() {
        let c: ErrorCode = serde_json::from_str("\"brand_new_code\"").unwrap();
        assert_eq!(c, ErrorCode::Other("brand_new_code".into()));
        assert_eq!(c.as_str(), "brand_new_code");
    }
}
