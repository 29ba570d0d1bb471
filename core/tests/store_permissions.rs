//! The device store holds evidence and the sealed key: only the app's own
//! user may read it. New folders are 0700 and files 0600 whatever the umask,
//! and a store created by an older version is tightened when opened.
#![cfg(unix)]

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use siteproof_core::store::blobs::BlobStore;
use siteproof_core::Device;

const SECRET: &[u8] = b"test-secret-0123456789abcdef";

fn mode(p: &Path) -> u32 {
    siteproof_fs::mode_of(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn assert_private_tree(root: &Path) {
    let wide = siteproof_fs::not_owner_only(root).unwrap();
    assert!(wide.is_empty(), "not owner-only (path, mode): {wide:?}");
}

#[test]
fn a_new_store_and_its_blobs_are_owner_only() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("store");
    let device = Device::open(&dir, SECRET).unwrap();
    let blobs = BlobStore::open(dir.join("blobs")).unwrap();
    let sha = blobs.put_bytes(b"a photo's bytes").unwrap();
    assert!(blobs.exists(&sha));
    assert_private_tree(&dir);
    drop(device);
}

#[test]
fn an_old_world_readable_store_is_tightened_on_open() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("store");
    drop(Device::open(&dir, SECRET).unwrap());
    let sha = BlobStore::open(dir.join("blobs")).unwrap().put_bytes(b"older evidence").unwrap();
    let shard = dir.join("blobs").join(&sha[..2]);
    for d in [&dir, &dir.join("blobs"), &dir.join("blobs/tmp"), &shard] {
        std::fs::set_permissions(d, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    std::fs::set_permissions(dir.join("siteproof.db"), std::fs::Permissions::from_mode(0o644)).unwrap();
    let _device = Device::open(&dir, SECRET).unwrap();
    for d in [&dir, &dir.join("blobs"), &dir.join("blobs/tmp")] {
        assert_eq!(mode(d), 0o700, "{}", d.display());
    }
    assert_eq!(mode(&dir.join("siteproof.db")), 0o600);
}
