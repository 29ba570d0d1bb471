//! Enrolling the device with a case server: a coordinator hands the worker a
//! one-time code; the device proves nothing yet but registers its public key
//! and receives a token bound to that key.

use serde::Deserialize;
use serde_json::json;

use super::api::{read_json, refused, Api};
use crate::device::{Device, Enrollment};
use crate::error::{Error, Result};
use crate::evidence::public_key_from_hex;

#[derive(Deserialize)]
struct EnrollResponse {
    device_id: String,
    token: String,
    server_key: String,
}

impl Device {
    /// Registers this device's key with `server_url` using a one-time `code`.
    pub fn enroll(&self, server_url: &str, code: &str, device_name: &str) -> Result<Enrollment> {
        let api = Api::new(server_url, None)?;
        let body = json!({"code": code.trim(), "public_key": self.public_key_hex, "device_name": device_name});
        let resp = api.answer(api.post("/v1/enroll").send_json(&body))?;
        if !resp.status().is_success() {
            return Err(refused(resp, "注册失败 / enrollment refused").into_error());
        }
        let r: EnrollResponse = read_json(resp, "注册 / enrollment")?;
        public_key_from_hex(&r.server_key)?;
        if r.device_id != self.device_id {
            return Err(Error::Integrity(format!(
                "服务器注册的设备 {} 不是本设备 {} / server registered device {} but this device is {}",
                r.device_id, self.device_id, r.device_id, self.device_id
            )));
        }
        let e = Enrollment { server_url: server_url.trim_end_matches('/').to_string(), server_key: r.server_key, token: r.token };
        self.save_enrollment(&e)?;
        Ok(e)
    }
}
