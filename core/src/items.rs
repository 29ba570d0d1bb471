//! Reading entries back: the list the apps show and the signed manifest
//! behind each, and storing the server's receipts against them.

use crate::capture::EvidenceItem;
use crate::device::Device;
use crate::error::{Error, Result};
use crate::evidence::{SignedManifest, SignedReceipt};
use crate::store::{entries, receipts};

impl Device {
    /// One entry by id.
    pub fn get_item(&self, item_id: &str) -> Result<EvidenceItem> {
        Ok(self.get_item_with_manifest(item_id)?.0)
    }

    /// One entry and its signed manifest (what the packet and the sync send).
    pub fn get_item_with_manifest(&self, item_id: &str) -> Result<(EvidenceItem, SignedManifest)> {
        entries::get(&*self.db()?, item_id)?.ok_or_else(|| Error::NotFound(format!("证据 {item_id} 不存在 / no evidence item {item_id}")))
    }

    /// Entries in chain order; `order_number` filters to one order, `unfiled_only` to unfiled ones.
    pub fn list_items(&self, order_number: Option<String>, unfiled_only: bool) -> Result<Vec<EvidenceItem>> {
        Ok(entries::list(&*self.db()?, order_number.as_deref(), unfiled_only)?)
    }

    test_support_pub! {
        /// Stores the server's receipt for an entry after checking it names that entry.
        fn store_receipt(&self, item_id: &str, receipt: &SignedReceipt, server_key_hex: &str) -> Result<()> {
            let (item, _) = self.get_item_with_manifest(item_id)?;
            let r = receipt.open(server_key_hex)?;
            if r.manifest_hash != item.manifest_hash || r.device_id != self.device_id {
                return Err(Error::Integrity(format!("回执不是对证据 {item_id} 的确认 / receipt does not acknowledge entry {item_id}")));
            }
            receipts::put(&*self.db()?, item_id, receipt, crate::device::now_ms())?;
            Ok(())
        }
    }

    /// The stored receipt of an entry, if any.
    pub fn get_receipt(&self, item_id: &str) -> Result<Option<SignedReceipt>> {
        Ok(receipts::get(&*self.db()?, item_id)?)
    }

    /// Path of a stored blob (original or derivative), if it is on disk.
    pub fn blob_path(&self, sha256: &str) -> Option<std::path::PathBuf> {
        if sha256.len() != 64 || !sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let p = self.blobs.path_of(sha256);
        p.is_file().then_some(p)
    }
}
