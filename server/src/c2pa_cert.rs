//! The case server's C2PA signing identity. C2PA credentials are COSE
//! signatures over an X.509 chain, not over a bare key, so the server keeps
//! its own small community CA: a root certificate that readers may choose to
//! trust (the packet carries it as `keys/c2pa-root.pem`) and one ES256 leaf
//! with the emailProtection usage C2PA accepts. Both are made once in the data
//! directory (owner-only, like `server.key`) and reused, so every packet of a
//! community chains to the same root. The root's private key is thrown away
//! after it signs the leaf: nobody, the server included, can issue a second
//! certificate under that root.

use std::fs;
use std::io::{self, Write};
use std::path::Path;

use rcgen::{
    date_time_ymd, BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair, KeyUsagePurpose,
    PKCS_ECDSA_P256_SHA256,
};
use serde::{Deserialize, Serialize};

/// File in the data directory holding the identity.
const FILE_NAME: &str = "c2pa-signing.json";

/// The signing certificate, its private key and the root it chains to, all PEM.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct C2paIdentity {
    /// The leaf certificate C2PA manifests carry in their `x5chain`.
    pub signing_cert_pem: String,
    /// The leaf's PKCS#8 private key (ES256).
    pub signing_key_pem: String,
    /// The self-signed root readers may add as a trust anchor.
    pub root_cert_pem: String,
}

/// Loads `DIR/c2pa-signing.json`, creating the root and the signing certificate on first use.
pub fn load_or_create(data_dir: &Path) -> io::Result<C2paIdentity> {
    let path = data_dir.join(FILE_NAME);
    siteproof_fs::tighten_if_present(&path)?;
    match fs::read(&path) {
        Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, format!("{FILE_NAME}: {e}"))),
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            let made = generate().map_err(|e| io::Error::other(format!("C2PA certificate: {e}")))?;
            // Written aside and linked into place: two exports starting at once never see half a file,
            // and the one that loses the race uses the winner's identity.
            let mut tmp = tempfile::Builder::new().prefix(".c2pa-signing-").tempfile_in(data_dir)?;
            tmp.as_file_mut().write_all(&serde_json::to_vec_pretty(&made).map_err(io::Error::other)?)?;
            tmp.as_file().sync_all()?;
            match fs::hard_link(tmp.path(), &path) {
                Ok(()) => Ok(made),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => load_or_create(data_dir),
                Err(e) => Err(e),
            }
        }
        Err(e) => Err(e),
    }
}

fn generate() -> Result<C2paIdentity, rcgen::Error> {
    let mut root_params = CertificateParams::new(Vec::<String>::new())?;
    root_params.distinguished_name.push(DnType::CommonName, "Siteproof 社区案件服务器 C2PA 根证书 / community case server C2PA root");
    root_params.distinguished_name.push(DnType::OrganizationName, "Siteproof");
    root_params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    root_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    root_params.not_before = date_time_ymd(2025, 1, 1);
    root_params.not_after = date_time_ymd(2075, 1, 1);
    let root_key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256)?;
    let root_cert = root_params.self_signed(&root_key)?;
    let root = Issuer::new(root_params, root_key);

    let mut leaf_params = CertificateParams::new(Vec::<String>::new())?;
    leaf_params.distinguished_name.push(DnType::CommonName, "Siteproof 社区案件服务器 / community case server");
    leaf_params.distinguished_name.push(DnType::OrganizationName, "Siteproof");
    leaf_params.is_ca = IsCa::ExplicitNoCa;
    leaf_params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    leaf_params.extended_key_usages = vec![ExtendedKeyUsagePurpose::EmailProtection];
    leaf_params.use_authority_key_identifier_extension = true;
    leaf_params.not_before = date_time_ymd(2025, 1, 1);
    leaf_params.not_after = date_time_ymd(2075, 1, 1);
    let leaf_key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256)?;
    let leaf_cert = leaf_params.signed_by(&leaf_key, &root)?;
    Ok(C2paIdentity { signing_cert_pem: leaf_cert.pem(), signing_key_pem: leaf_key.serialize_pem(), root_cert_pem: root_cert.pem() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn made_once_owner_only_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let first = load_or_create(dir.path()).unwrap();
        let mode = siteproof_fs::mode_of(&dir.path().join(FILE_NAME)).unwrap();
        assert_eq!(mode & 0o077, 0, "the signing key is readable by others: {mode:o}");
        let again = load_or_create(dir.path()).unwrap();
        assert_eq!(first.signing_key_pem, again.signing_key_pem);
        assert_eq!(first.root_cert_pem, again.root_cert_pem);
        assert_ne!(first.root_cert_pem, first.signing_cert_pem);
    }
}
