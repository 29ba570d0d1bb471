//! Checks one RFC 3161 time-stamp token offline, with nothing but the token,
//! the TSA's certificate chain and the bytes it should cover: the CMS
//! signature by the TSA's certificate, that certificate's critical
//! timeStamping extended key usage, each certificate's signature by the
//! next up to a self-signed root, each certificate valid at the stamped
//! time, and the message imprint. Which root to trust is the reader's
//! decision, so the root's fingerprint is handed back to be shown.

use chrono::{NaiveDateTime, TimeZone, Utc};
use cms::content_info::ContentInfo;
use cms::signed_data::{SignedData, SignerIdentifier};
use const_oid::ObjectIdentifier;
use der::asn1::{Any, OctetString};
use der::{Decode, Encode, Tag, Tagged};
use sha2::{Digest, Sha256, Sha384, Sha512};
use spki::{DecodePublicKey, SubjectPublicKeyInfoOwned};
use x509_cert::ext::pkix::{BasicConstraints, ExtendedKeyUsage, SubjectKeyIdentifier};
use x509_cert::Certificate;
use x509_tsp::{Accuracy, MessageImprint};

const ID_SIGNED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.2");
const ID_CT_TST_INFO: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.1.4");
const ID_CONTENT_TYPE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.3");
const ID_MESSAGE_DIGEST: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.4");
const ID_KP_TIME_STAMPING: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.8");
const ID_SHA_256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");
const ID_SHA_384: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.2");
const ID_SHA_512: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.3");
const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
const SHA_256_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.11");
const SHA_384_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.12");
const SHA_512_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.13");
const ECDSA_WITH_SHA_256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2");

/// Longest chain followed from the TSA's certificate to a root.
const MAX_CHAIN: usize = 8;

/// Why a token or its chain does not hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TimestampError {
    /// The bytes are not the DER structure they should be.
    Malformed(String),
    /// The TSA answered with a PKIStatus other than granted.
    Refused(u8),
    /// The token is not a CMS SignedData over a TSTInfo.
    NotATimestamp,
    /// The token covers other bytes than the packet's index.
    ImprintMismatch,
    /// A hash or signature algorithm this verifier does not check.
    UnsupportedAlgorithm(String),
    /// No certificate in the token or the chain file matches the token's signer.
    SignerNotFound,
    /// The TSA's signature over the token does not verify.
    BadSignature,
    /// The signer's certificate lacks the critical timeStamping extended key usage.
    NotForTimeStamping,
    /// A certificate's issuer is absent, is not a CA, or did not sign it.
    ChainBroken(String),
    /// A certificate was not valid at the stamped time.
    OutsideValidity(String),
}

impl TimestampError {
    pub(crate) fn der(e: der::Error) -> Self {
        TimestampError::Malformed(e.to_string())
    }

    /// zh-CN and English text.
    pub fn text(&self) -> (String, String) {
        match self {
            TimestampError::Malformed(e) => (format!("时间戳数据格式错误：{e}"), format!("timestamp data is malformed: {e}")),
            TimestampError::Refused(s) => {
                (format!("时间戳服务拒绝了请求（状态 {s}）"), format!("the time-stamping authority refused (status {s})"))
            }
            TimestampError::NotATimestamp => ("不是 RFC 3161 时间戳令牌".into(), "not an RFC 3161 time-stamp token".into()),
            TimestampError::ImprintMismatch => (
                "时间戳所盖的不是本包的索引（packet.json 在盖戳后被改动或替换）".into(),
                "the timestamp covers other bytes than this packet's index (packet.json changed or replaced after stamping)".into(),
            ),
            TimestampError::UnsupportedAlgorithm(a) => (format!("不支持的算法 {a}"), format!("unsupported algorithm {a}")),
            TimestampError::SignerNotFound => {
                ("找不到时间戳签名者的证书".into(), "the certificate of the token's signer is not in the token or the chain".into())
            }
            TimestampError::BadSignature => ("时间戳签名验证失败".into(), "the time-stamping authority's signature does not verify".into()),
            TimestampError::NotForTimeStamping => (
                "签名证书没有关键的 timeStamping 扩展用途".into(),
                "the signing certificate lacks the critical timeStamping extended key usage".into(),
            ),
            TimestampError::ChainBroken(who) => (format!("证书链断开：{who}"), format!("certificate chain broken at {who}")),
            TimestampError::OutsideValidity(who) => {
                (format!("盖戳时证书不在有效期内：{who}"), format!("certificate not valid at the stamped time: {who}"))
            }
        }
    }
}

impl std::fmt::Display for TimestampError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (zh, en) = self.text();
        write!(f, "{zh} / {en}")
    }
}

/// What a valid token says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StampedTime {
    /// The TSA's time (genTime), Unix milliseconds.
    pub gen_time_ms: i64,
    /// The accuracy the TSA claims, milliseconds, when it states one.
    pub accuracy_ms: Option<i64>,
    /// Subject of the certificate that signed the token.
    pub tsa_subject: String,
    /// Subject of the self-signed root the chain ends at.
    pub root_subject: String,
    /// SHA-256 of the root certificate's DER, upper-case hex pairs joined by ':' (as `openssl x509 -fingerprint -sha256` prints).
    pub root_fingerprint: String,
}

#[derive(Clone, Copy)]
enum Hash {
    Sha256,
    Sha384,
    Sha512,
}

impl Hash {
    fn from_oid(oid: &ObjectIdentifier) -> Result<Hash, TimestampError> {
        match *oid {
            ID_SHA_256 => Ok(Hash::Sha256),
            ID_SHA_384 => Ok(Hash::Sha384),
            ID_SHA_512 => Ok(Hash::Sha512),
            other => Err(TimestampError::UnsupportedAlgorithm(other.to_string())),
        }
    }

    fn digest(self, bytes: &[u8]) -> Vec<u8> {
        match self {
            Hash::Sha256 => Sha256::digest(bytes).to_vec(),
            Hash::Sha384 => Sha384::digest(bytes).to_vec(),
            Hash::Sha512 => Sha512::digest(bytes).to_vec(),
        }
    }
}

/// A signature scheme this verifier checks: RSA PKCS#1 v1.5 or ECDSA P-256 with SHA-256.
#[derive(Clone, Copy)]
enum Scheme {
    Rsa(Hash),
    EcdsaP256,
}

impl Scheme {
    /// `digest` is the CMS digest algorithm, used when the signature OID names only the key type.
    fn from_oid(oid: &ObjectIdentifier, digest: Option<Hash>) -> Result<Scheme, TimestampError> {
        match (*oid, digest) {
            (RSA_ENCRYPTION, Some(h)) => Ok(Scheme::Rsa(h)),
            (SHA_256_WITH_RSA, _) => Ok(Scheme::Rsa(Hash::Sha256)),
            (SHA_384_WITH_RSA, _) => Ok(Scheme::Rsa(Hash::Sha384)),
            (SHA_512_WITH_RSA, _) => Ok(Scheme::Rsa(Hash::Sha512)),
            (ECDSA_WITH_SHA_256, _) => Ok(Scheme::EcdsaP256),
            (other, _) => Err(TimestampError::UnsupportedAlgorithm(other.to_string())),
        }
    }

    fn verify(self, key: &SubjectPublicKeyInfoOwned, message: &[u8], signature: &[u8]) -> Result<(), TimestampError> {
        use signature::Verifier;
        let bad = |_| TimestampError::BadSignature;
        match self {
            Scheme::Rsa(hash) => {
                let key_der = key.to_der().map_err(TimestampError::der)?;
                let public = rsa::RsaPublicKey::from_public_key_der(&key_der).map_err(|_| TimestampError::BadSignature)?;
                let sig = rsa::pkcs1v15::Signature::try_from(signature).map_err(bad)?;
                match hash {
                    Hash::Sha256 => rsa::pkcs1v15::VerifyingKey::<Sha256>::new(public).verify(message, &sig),
                    Hash::Sha384 => rsa::pkcs1v15::VerifyingKey::<Sha384>::new(public).verify(message, &sig),
                    Hash::Sha512 => rsa::pkcs1v15::VerifyingKey::<Sha512>::new(public).verify(message, &sig),
                }
                .map_err(bad)
            }
            Scheme::EcdsaP256 => {
                let public = p256::ecdsa::VerifyingKey::from_sec1_bytes(key.subject_public_key.raw_bytes())
                    .map_err(|_| TimestampError::BadSignature)?;
                let sig = p256::ecdsa::Signature::from_der(signature).map_err(bad)?;
                public.verify(message, &sig).map_err(bad)
            }
        }
    }
}

/// Reads a PEM file of certificates (the TSA's chain as the server was configured with it).
pub fn parse_chain_pem(pem: &[u8]) -> Result<Vec<Certificate>, TimestampError> {
    let certs = Certificate::load_pem_chain(pem).map_err(TimestampError::der)?;
    if certs.is_empty() {
        return Err(TimestampError::Malformed("证书链文件中没有证书 / no certificate in the chain file".into()));
    }
    Ok(certs)
}

/// Checks `token` (DER ContentInfo) against the chain in `chain_pem` and the SHA-256 `imprint` it must carry.
pub fn verify_token(token: &[u8], chain_pem: &[u8], imprint: &[u8; 32]) -> Result<StampedTime, TimestampError> {
    let info = ContentInfo::from_der(token).map_err(TimestampError::der)?;
    if info.content_type != ID_SIGNED_DATA {
        return Err(TimestampError::NotATimestamp);
    }
    let signed: SignedData = info.content.decode_as().map_err(TimestampError::der)?;
    if signed.encap_content_info.econtent_type != ID_CT_TST_INFO {
        return Err(TimestampError::NotATimestamp);
    }
    let econtent = signed.encap_content_info.econtent.as_ref().ok_or(TimestampError::NotATimestamp)?;
    if econtent.tag() != Tag::OctetString {
        return Err(TimestampError::NotATimestamp);
    }
    let tst_der = econtent.value();
    let tst = read_tst_info(tst_der)?;
    if tst.imprint.hash_algorithm.oid != ID_SHA_256 || tst.imprint.hashed_message.as_bytes() != imprint {
        return Err(TimestampError::ImprintMismatch);
    }

    let mut pool = parse_chain_pem(chain_pem)?;
    if let Some(set) = &signed.certificates {
        for choice in set.0.iter() {
            if let cms::cert::CertificateChoices::Certificate(c) = choice {
                pool.push(c.clone());
            }
        }
    }
    let mut signers = signed.signer_infos.0.iter();
    let (Some(signer_info), None) = (signers.next(), signers.next()) else {
        return Err(TimestampError::NotATimestamp);
    };
    let digest = Hash::from_oid(&signer_info.digest_alg.oid)?;
    // RFC 3161 tokens always carry signed attributes: the signature covers them, and they carry the TSTInfo's digest.
    let attrs = signer_info.signed_attrs.as_ref().ok_or(TimestampError::NotATimestamp)?;
    let attr_value = |oid: ObjectIdentifier| attrs.iter().find(|a| a.oid == oid).and_then(|a| a.values.iter().next());
    let content_type = attr_value(ID_CONTENT_TYPE).ok_or(TimestampError::NotATimestamp)?;
    if content_type.decode_as::<ObjectIdentifier>().map_err(TimestampError::der)? != ID_CT_TST_INFO {
        return Err(TimestampError::NotATimestamp);
    }
    let message_digest = attr_value(ID_MESSAGE_DIGEST).ok_or(TimestampError::NotATimestamp)?;
    if message_digest.decode_as::<OctetString>().map_err(TimestampError::der)?.as_bytes() != digest.digest(tst_der).as_slice() {
        return Err(TimestampError::BadSignature);
    }
    let signer = pool.iter().find(|c| is_signer(c, &signer_info.sid)).ok_or(TimestampError::SignerNotFound)?;
    let scheme = Scheme::from_oid(&signer_info.signature_algorithm.oid, Some(digest))?;
    let signed_attrs_der = attrs.to_der().map_err(TimestampError::der)?;
    scheme.verify(&signer.tbs_certificate.subject_public_key_info, &signed_attrs_der, signer_info.signature.as_bytes())?;

    match signer.tbs_certificate.get::<ExtendedKeyUsage>() {
        Ok(Some((true, eku))) if eku.0.contains(&ID_KP_TIME_STAMPING) => {}
        _ => return Err(TimestampError::NotForTimeStamping),
    }
    let root = chain_to_root(signer, &pool, tst.gen_time_ms)?;
    let root_der = root.to_der().map_err(TimestampError::der)?;
    let root_fingerprint = Sha256::digest(&root_der).iter().map(|b| format!("{b:02X}")).collect::<Vec<_>>().join(":");
    Ok(StampedTime {
        gen_time_ms: tst.gen_time_ms,
        accuracy_ms: tst.accuracy_ms,
        tsa_subject: signer.tbs_certificate.subject.to_string(),
        root_subject: root.tbs_certificate.subject.to_string(),
        root_fingerprint,
    })
}

struct TstFields {
    imprint: MessageImprint,
    gen_time_ms: i64,
    accuracy_ms: Option<i64>,
}

/// TSTInfo read field by field: genTime is parsed here because many TSAs send fractional seconds.
fn read_tst_info(der_bytes: &[u8]) -> Result<TstFields, TimestampError> {
    // TSTInfo ::= SEQUENCE { version, policy, messageImprint, serialNumber, genTime, accuracy OPTIONAL, ... }
    let fields: Vec<Any> = Vec::from_der(der_bytes).map_err(TimestampError::der)?;
    let (Some(imprint), Some(gen_time)) = (fields.get(2), fields.get(4)) else {
        return Err(TimestampError::NotATimestamp);
    };
    let imprint: MessageImprint = imprint.decode_as().map_err(TimestampError::der)?;
    if gen_time.tag() != Tag::GeneralizedTime {
        return Err(TimestampError::NotATimestamp);
    }
    let gen_time_ms = parse_generalized_time(gen_time.value())?;
    let accuracy_ms = match fields.get(5) {
        Some(a) if a.tag() == Tag::Sequence => {
            let acc: Accuracy = a.decode_as().map_err(TimestampError::der)?;
            let ms = acc.seconds.unwrap_or(0) as i64 * 1000 + acc.millis.unwrap_or(0) as i64 + i64::from(acc.micros.unwrap_or(0) > 0);
            Some(ms)
        }
        _ => None,
    };
    Ok(TstFields { imprint, gen_time_ms, accuracy_ms })
}

/// `YYYYMMDDHHMMSS[.fff…]Z` to Unix milliseconds.
fn parse_generalized_time(bytes: &[u8]) -> Result<i64, TimestampError> {
    let bad = || TimestampError::Malformed(format!("genTime {:?}", String::from_utf8_lossy(bytes)));
    let text = std::str::from_utf8(bytes).map_err(|_| bad())?.strip_suffix('Z').ok_or_else(bad)?;
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let naive = NaiveDateTime::parse_from_str(whole, "%Y%m%d%H%M%S").map_err(|_| bad())?;
    if !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let millis: i64 = format!("{fraction:0<3}")[..3].parse().map_err(|_| bad())?;
    Ok(Utc.from_utc_datetime(&naive).timestamp_millis() + millis)
}

fn is_signer(cert: &Certificate, sid: &SignerIdentifier) -> bool {
    match sid {
        SignerIdentifier::IssuerAndSerialNumber(id) => {
            cert.tbs_certificate.issuer == id.issuer && cert.tbs_certificate.serial_number == id.serial_number
        }
        SignerIdentifier::SubjectKeyIdentifier(ski) => {
            matches!(cert.tbs_certificate.get::<SubjectKeyIdentifier>(), Ok(Some((_, own))) if own == *ski)
        }
    }
}

fn signed_by(cert: &Certificate, issuer: &Certificate) -> Result<(), TimestampError> {
    let scheme = Scheme::from_oid(&cert.signature_algorithm.oid, None)?;
    let tbs = cert.tbs_certificate.to_der().map_err(TimestampError::der)?;
    let signature = cert.signature.as_bytes().ok_or(TimestampError::BadSignature)?;
    scheme.verify(&issuer.tbs_certificate.subject_public_key_info, &tbs, signature)
}

fn valid_at(cert: &Certificate, at_ms: i64) -> Result<(), TimestampError> {
    let v = &cert.tbs_certificate.validity;
    let from = v.not_before.to_unix_duration().as_millis() as i64;
    let until = v.not_after.to_unix_duration().as_millis() as i64;
    if at_ms < from || at_ms > until {
        return Err(TimestampError::OutsideValidity(cert.tbs_certificate.subject.to_string()));
    }
    Ok(())
}

/// Follows issuers from the signer up to a self-signed root, each link checked; returns the root.
fn chain_to_root<'a>(signer: &'a Certificate, pool: &'a [Certificate], at_ms: i64) -> Result<&'a Certificate, TimestampError> {
    let mut current = signer;
    for _ in 0..MAX_CHAIN {
        valid_at(current, at_ms)?;
        let tbs = &current.tbs_certificate;
        if tbs.issuer == tbs.subject && signed_by(current, current).is_ok() {
            return Ok(current);
        }
        let issuer = pool
            .iter()
            .find(|c| c.tbs_certificate.subject == tbs.issuer && signed_by(current, c).is_ok())
            .ok_or_else(|| TimestampError::ChainBroken(tbs.subject.to_string()))?;
        match issuer.tbs_certificate.get::<BasicConstraints>() {
            Ok(Some((_, bc))) if bc.ca => {}
            _ => return Err(TimestampError::ChainBroken(issuer.tbs_certificate.subject.to_string())),
        }
        current = issuer;
    }
    Err(TimestampError::ChainBroken(current.tbs_certificate.subject.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generalized_time_with_and_without_fraction() {
        assert_eq!(parse_generalized_time(b"19700101000001Z"), Ok(1000));
        assert_eq!(parse_generalized_time(b"19700101000001.5Z"), Ok(1500));
        assert_eq!(parse_generalized_time(b"19700101000001.123456Z"), Ok(1123));
        assert!(parse_generalized_time(b"19700101000001").is_err());
        assert!(parse_generalized_time(b"19700101000001.x Z").is_err());
    }
}
