//! Refreshing the time anchor on every sync: ask the server for its signed
//! time with a fresh nonce, and pair the answer with the boot clock.

use rand::RngCore;

use super::api::{read_json, refused, Api, CallResult};
use crate::anchor::TimeAnchor;
use crate::device::Device;
use crate::error::Error;
use crate::evidence::SignedTime;
use crate::platform::{boot_clock_ms, boot_id};

impl Device {
    pub(crate) fn refresh_time_anchor(&self, api: &Api, server_key: &str) -> CallResult<TimeAnchor> {
        let mut nonce = [0u8; 16];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let nonce = hex::encode(nonce);
        let boot = boot_id()?;
        let sent = boot_clock_ms()?;
        let resp = api.answer(api.get(&format!("/v1/time?nonce={nonce}")).call())?;
        let arrived = boot_clock_ms()?;
        if !resp.status().is_success() {
            return Err(refused(resp, "校时 / time anchor").into());
        }
        let signed: SignedTime = read_json(resp, "校时 / time anchor")?;
        let stmt = signed.open(&nonce).map_err(crate::Error::from)?;
        if stmt.server_key != server_key {
            return Err(Error::Integrity(
                "时间由另一把密钥签名，不是所注册服务器的 / time is signed by a key other than the enrolled server's".into(),
            )
            .into());
        }
        Ok(self.record_time_anchor(&signed, &nonce, arrived, &boot, arrived.saturating_sub(sent))?)
    }
}
