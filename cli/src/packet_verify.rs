//! `siteproof verify [--server-key FINGERPRINT] FILE.zip`: checks a dispute
//! packet offline and prints every problem by file name, zh-CN first. A
//! packet re-signed with someone else's key is intact against its own key,
//! so the signer is judged apart from the contents: pinned to the
//! fingerprint the street office publishes, any other key is a problem
//! (exit 3); with no pin the packet is only "intact, signer unchecked"
//! (exit 5), never the plain success (0) a pinned, intact packet earns.

use std::path::Path;

use siteproof_core::packet::time_statements::anchored_times_summary;
use siteproof_core::packet::{check_pinned_key, verify_packet, AnchoredTimeOutcome, KeyFingerprint, PacketReport};
use siteproof_core::{Error, Result};

use crate::output;

/// Exit status of an intact packet whose signer was not pinned.
pub const EXIT_UNPINNED: i32 = 5;

/// Who signed an intact packet, as far as the reader asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signer {
    /// The key the reader pinned.
    Pinned,
    /// Not checked: no `--server-key` was given.
    Unpinned,
}

impl Signer {
    /// The process exit status for an intact packet.
    pub fn exit_code(self) -> i32 {
        match self {
            Signer::Pinned => 0,
            Signer::Unpinned => EXIT_UNPINNED,
        }
    }

    fn code(self) -> &'static str {
        match self {
            Signer::Pinned => "pinned",
            Signer::Unpinned => "unpinned",
        }
    }
}

/// Verifies the packet, prints the result (or JSON), and fails when anything is wrong or another key signed it.
pub fn run(file: &Path, server_key: Option<&str>, json: bool) -> Result<Signer> {
    // A malformed pin is refused before any work, as bad input (exit 2).
    let pinned = server_key.map(KeyFingerprint::parse).transpose()?;
    let mut report = verify_packet(file)?;
    if let Some(pin) = &pinned {
        check_pinned_key(&mut report, pin);
    }
    let signer = if pinned.is_some() { Signer::Pinned } else { Signer::Unpinned };
    if json {
        output::json(&serde_json::json!({
            "ok": report.ok(),
            "signer": report.ok().then(|| signer.code()),
            "pinned_fingerprint": pinned.map(|p| p.to_string()),
            "file": file.display().to_string(),
            "report": report,
        }));
    } else {
        print_report(file, &report, signer);
    }
    if report.ok() {
        Ok(signer)
    } else {
        Err(Error::Integrity(format!("证据包有 {n} 处问题 / {n} problem(s) in the packet", n = report.problems.len())))
    }
}

fn print_report(file: &Path, r: &PacketReport, signer: Signer) {
    let order = r.order_number.as_deref().unwrap_or("?");
    match (r.ok(), signer) {
        (true, Signer::Pinned) => println!(
            "证据包校验通过，且由指定的服务器签发 / packet verified, signed by the pinned server key: {} (工单 / order {order})",
            file.display()
        ),
        (true, Signer::Unpinned) => println!(
            "证据包完好，但签发者未经核对 / packet intact, but its signer is NOT checked: {} (工单 / order {order})",
            file.display()
        ),
        (false, _) => {
            println!(
                "证据包校验失败 / packet verification FAILED: {} (工单 / order {order}), {} 处问题 / problem(s)",
                file.display(),
                r.problems.len()
            );
            for p in &r.problems {
                println!("  {p}");
            }
        }
    }
    println!(
        "  {} 个文件 / files; 设备签名有效 / device signatures valid: {}; 原件相符 / originals matching: {}; 回执有效 / receipts valid: {}",
        r.files, r.manifests_verified, r.originals_verified, r.receipts_verified
    );
    match (&r.server_key, &r.server_key_fingerprint) {
        (Some(k), Some(fp)) => {
            println!();
            println!("  ┌─ 服务器公钥指纹 / SERVER KEY FINGERPRINT ─────────────");
            println!("  │  {fp}");
            println!("  └───────────────────────────────────────────────────────");
            println!("  服务器公钥 / server key: {k}");
            if signer == Signer::Unpinned {
                println!("  请与街道办事处公布的指纹逐字核对，或用 --server-key 指定后重新核验（退出码 5 = 未核对签发者）");
                println!("  compare it with the fingerprint the street office publishes, or pin it with --server-key (exit 5 = signer unchecked)");
            }
        }
        _ => println!("  没有可用的服务器公钥 / no usable server key"),
    }
    println!("  第三方时间 / third-party time: {}", r.third_party_time.describe());
    println!("  锚定时间 / anchored times: {}", anchored_times_summary(&r.anchored_times));
    // What is proven needs no line each; what is not, does.
    for check in r.anchored_times.iter().filter(|c| !matches!(c.outcome, AnchoredTimeOutcome::Verified { .. })) {
        println!("    {}", check.describe());
    }
}
