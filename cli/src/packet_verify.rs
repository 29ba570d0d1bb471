//! `siteproof verify FILE.zip`: checks a dispute packet offline and prints
//! every problem by file name, zh-CN first. The exit status is non-zero on
//! any problem, so a reviewer's script can rely on it.

use std::path::Path;

use siteproof_core::packet::{verify_packet, PacketReport};
use siteproof_core::{Error, Result};

use crate::output;

/// Verifies the packet, prints the result (or JSON), and fails when anything is wrong.
pub fn run(file: &Path, json: bool) -> Result<()> {
    let report = verify_packet(file)?;
    if json {
        output::json(&serde_json::json!({"ok": report.ok(), "file": file.display().to_string(), "report": report}));
    } else {
        print_report(file, &report);
    }
    if report.ok() {
        Ok(())
    } else {
        Err(Error::Integrity(format!("证据包有 {n} 处问题 / {n} problem(s) in the packet", n = report.problems.len())))
    }
}

fn print_report(file: &Path, r: &PacketReport) {
    let order = r.order_number.as_deref().unwrap_or("?");
    if r.ok() {
        println!("证据包校验通过 / packet verified: {} (工单 / order {order})", file.display());
    } else {
        println!(
            "证据包校验失败 / packet verification FAILED: {} (工单 / order {order}), {} 处问题 / problem(s)",
            file.display(),
            r.problems.len()
        );
        for p in &r.problems {
            println!("  {p}");
        }
    }
    println!(
        "  {} 个文件 / files; 设备签名有效 / device signatures valid: {}; 原件相符 / originals matching: {}; 回执有效 / receipts valid: {}",
        r.files, r.manifests_verified, r.originals_verified, r.receipts_verified
    );
    match (&r.server_key, &r.server_key_fingerprint) {
        (Some(k), Some(fp)) => {
            println!("  服务器公钥 / server key: {k}");
            println!("  指纹 / fingerprint: {fp}");
            println!("  请与街道办事处公布的指纹核对 / compare with the fingerprint the street office publishes");
        }
        _ => println!("  没有可用的服务器公钥 / no usable server key"),
    }
    println!("  第三方时间 / third-party time: {}", r.third_party_time.describe());
}
