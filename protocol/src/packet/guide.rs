//! `GUIDE.txt`: how anyone (a city reviewer, a lawyer, a 12345 office clerk)
//! checks the packet without trusting Siteproof's software, with `sha256sum`
//! and `openssl` alone, in Chinese first; and why the server key fingerprint
//! must be compared with the one the street office publishes: a packet that
//! verifies against its own key only proves it was not changed after the
//! holder of that key made it. It also shows how to check the server's time
//! statements that anchored capture times rest on, and the TSA's RFC 3161
//! token, with openssl alone (each command also passes on a packet that has
//! none, saying so). The commands stand in fenced blocks (```) so
//! a test runs exactly what the reader is told to run.

use super::layout::{CHECKSUMS, CHECKSUMS_SIGNATURE, INDEX, SERVER_KEY_PEM, TIMESTAMP_TOKEN, TIME_DIR, TSA_CHAIN};

/// The guide's text for one packet, zh-CN first, then a short English version.
pub fn guide_text(order_number: &str, community: &str, server_key_hex: &str, fingerprint: &str) -> String {
    format!(
        "\
Siteproof 争议证据包 / dispute evidence packet
工单 / work order: {order_number}    社区 / community: {community}

==== 中文 ====

一、这是什么
本证据包由社区自己的案件服务器生成，内容包括：
  report.pdf              中文报告（工单信息与每条证据的时间、地点、哈希、核验结果）
  originals/<哈希>.<扩展名>  原始照片和录音，文件名就是其内容的 SHA-256 哈希
  manifests/<设备>-<序号>.json  手机对每条证据签名的记录（原样保存）
  receipts/<设备>-<序号>.json   服务器收到每条记录后签发的回执
  keys/                   采集设备和服务器的公钥（{SERVER_KEY_PEM} 是服务器公钥的 PEM 格式）
  c2pa/<哈希>.c2pa         每张照片的 C2PA 内容凭证（旁车清单），任何 C2PA 工具都可读取
  keys/c2pa-root.pem      这些 C2PA 凭证所依托的根证书
  {TIME_DIR}<哈希>.json       服务器签名的时间声明（文件名是其内容的 SHA-256，即记录中 anchor_hash 所指），
  {TIME_DIR}<哈希>.sig        服务器对该声明的签名（Ed25519，64 字节）
  {TIMESTAMP_TOKEN}    第三方时间戳机构（TSA）对 packet.json 的 RFC 3161 时间戳（若有）
  {TSA_CHAIN} 该时间戳机构的证书链（若有）
  packet.json             目录：列出每个文件的 SHA-256 和大小，并由服务器签名
  {CHECKSUMS}              同一份文件清单，sha256sum 可直接读取
  {CHECKSUMS_SIGNATURE}          服务器对 {CHECKSUMS} 的签名（Ed25519，64 字节）

二、手工核验（只需 sha256sum 和 openssl，无需联网）
先把证据包解压到一个空文件夹，在该文件夹中打开终端（bash），依次运行下面六条命令。
任何一条命令报错或退出码不为 0，本证据包就不可采信。

第 1 步：核对服务器签名。证明文件清单 {CHECKSUMS} 确实由这把服务器密钥签发、未被改动。
应显示 Signature Verified Successfully：
```
openssl pkeyutl -verify -pubin -inkey {SERVER_KEY_PEM} -rawin -in {CHECKSUMS} -sigfile {CHECKSUMS_SIGNATURE}
```

第 2 步：核对每个文件。逐个计算 SHA-256 并与清单比较，每个文件一行，不应出现 FAILED：
```
sha256sum --check --strict {CHECKSUMS}
```

第 3 步：确认没有多出的文件。列出文件夹中清单以外的文件，应无任何输出：
```
find . -type f ! -name {CHECKSUMS} ! -name {CHECKSUMS_SIGNATURE} | cut -c3- | sort | diff - <(cut -c67- {CHECKSUMS} | sort)
```

第 4 步（最重要）：核对服务器公钥指纹。下面的命令算出签名所用公钥的指纹：
```
openssl pkey -pubin -in {SERVER_KEY_PEM} -outform DER | tail -c 32 | sha256sum | cut -c1-32 | sed 's/..../& /g'
```
把输出与街道办事处公布的服务器公钥指纹（管理台页面、服务器的 /v1/server-key、
或报告封面上印的指纹）逐字比对。前 3 步只能证明证据包在签发后未被改动；
任何人都能用自己的密钥重新签一个“完好”的包。只有指纹一致，才说明它出自本街道的服务器。
本证据包写明的指纹是：
  指纹 / fingerprint:        {fingerprint}
  服务器公钥 / server key:  {server_key_hex}
但请以街道公布的指纹为准，不要只看本文件（本文件也可能被一同伪造）。

第 5 步：核对服务器的时间声明。手机拍摄时的“锚定时间”以服务器签名的时间声明为依据：
记录（manifests/）中 anchored.anchor_hash 就是 {TIME_DIR} 中对应文件的名字，文件内容中的
server_time_ms 是服务器当时的时间（Unix 毫秒），锚定时间 utc_ms 减去误差 bound_ms 不应早于它。
下面的命令逐个核对每份声明的服务器签名，每份应显示 Signature Verified Successfully（没有声明则无输出）：
```
for s in {TIME_DIR}*.json; do [ -e \"$s\" ] || continue; echo \"$s\"; openssl pkeyutl -verify -pubin -inkey {SERVER_KEY_PEM} -rawin -in \"$s\" -sigfile \"${{s%.json}}.sig\" || exit 1; done
```

第 6 步：核对第三方可信时间戳（若有）。证明 {INDEX} 在时间戳机构签发的时刻之前已经存在，
应显示 Verification: OK；没有时间戳时显示“无可信时间戳”：
```
if [ -e {TIMESTAMP_TOKEN} ]; then openssl ts -verify -token_in -in {TIMESTAMP_TOKEN} -data {INDEX} -CAfile {TSA_CHAIN} -untrusted {TSA_CHAIN}; else echo \"无可信时间戳 / no trusted timestamp\"; fi
```
这里把证据包自带的证书链当作信任根；是否信任该时间戳机构的根证书由您决定
（siteproof verify 会显示根证书的 SHA-256 指纹，请与该机构公布的比对）。

三、用 Siteproof 命令行工具核验
  siteproof verify --server-key \"街道公布的指纹\" 本文件.zip
退出码：0 = 完好，且由指定的服务器签发；3 = 有问题（文件被改动、缺失、多出，
或签名密钥不是指定的那把），逐个列出文件名；5 = 完好，但没有用 --server-key
指定服务器，签发者未经核对（请核对屏幕上显示的指纹）；2 = 参数有误。
该工具还会逐条核对手机的设备签名（RFC 8785 规范 JSON 上的 Ed25519 签名）、
原件与记录是否相符、回执、同一设备前后记录的链接（prev 字段）、每个锚定时间
与其服务器时间声明是否相符（声明不在包内的，标为“无法核对”），以及可信时间戳。
这些记录在服务器收到时已核对过，回执就是服务器的确认；手工核验时
第 1、2 步已保证它们与服务器签发时一字不差。

四、C2PA 内容凭证
任何 C2PA 工具（如 c2patool、c2pa-python）都可读取 c2pa/<哈希>.c2pa 与对应的
originals/<哈希>.<扩展名>：可看到拍摄者、时间、地点；照片改动一个字节即显示无效。
只有在确认 keys/c2pa-root.pem 出自本街道服务器后，才把它设为信任根。

==== English ====

This packet was made by the community's own case server: the report (report.pdf),
the original photos and recordings (originals/, each named by its SHA-256), the
phones' signed records (manifests/), the server's receipts (receipts/), the keys
(keys/, {SERVER_KEY_PEM} is the server key as PEM), each photo's C2PA content credentials
(c2pa/<hash>.c2pa, with the root they chain to in keys/c2pa-root.pem), the signed index (packet.json),
and the same file list for sha256sum ({CHECKSUMS}) with the server's Ed25519
signature over it ({CHECKSUMS_SIGNATURE}).

Checking by hand: unpack into an empty folder and run, in bash, the six commands of
section 二 above: (1) openssl checks the server's signature over {CHECKSUMS};
(2) sha256sum checks every file against it; (3) no file outside the list (no output);
(4) the server key fingerprint is printed; (5) openssl checks the server's signature on
each time statement in {TIME_DIR} (a manifest's anchored.anchor_hash is the file's name and
SHA-256; its server_time_ms is the server's time, and the anchored utc_ms minus bound_ms
must not be earlier); (6) openssl checks the TSA's RFC 3161 token over {INDEX}, if there
is one, against the chain in the packet: whether to trust that root is your decision.

C2PA: any C2PA tool (e.g. c2patool, c2pa-python) reads c2pa/<hash>.c2pa with its
originals/<hash>.<ext>: who captured the photo, when and where; one changed byte reads
as invalid. Trust keys/c2pa-root.pem only once you know it came from this street
office's server.

The step that matters most: compare the server key fingerprint. A packet can only
prove it was not changed after it was made; anyone can re-sign a packet with a key
of their own. Compare the fingerprint printed by step (4), character by character,
with the one the street office publishes (console page, the server's /v1/server-key,
the report's cover). The one this packet states is {fingerprint}; trust the published
one, not this file.

With the Siteproof tool: siteproof verify --server-key \"FINGERPRINT\" THIS-FILE.zip
exits 0 when intact and signed by the pinned key; 3 on any problem (each altered,
missing or added file named, or another signing key); 5 when intact but no key was
pinned (the signer is unchecked: compare the fingerprint it prints); 2 on bad arguments.
It also checks each device signature, each original against its record, each receipt,
each device's chain, each anchored capture time against its time statement (one whose
statement is not in the packet is reported as not checkable), and the TSA token.
"
    )
}

/// The shell commands the guide tells the reader to run, in order: every line inside its fenced blocks.
pub fn guide_commands(guide: &str) -> Vec<String> {
    let mut commands = Vec::new();
    let mut inside = false;
    for line in guide.lines() {
        if line.trim() == "```" {
            inside = !inside;
        } else if inside && !line.trim().is_empty() {
            commands.push(line.to_string());
        }
    }
    commands
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_guide_names_six_commands_using_only_sha256sum_and_openssl() {
        let text = guide_text("2026112300456", "幸福里社区", &"ab".repeat(32), "0123 4567 89ab cdef 0123 4567 89ab cdef");
        let commands = guide_commands(&text);
        assert_eq!(commands.len(), 6, "{commands:?}");
        assert!(commands[0].starts_with("openssl pkeyutl -verify") && commands[0].contains("-rawin"));
        assert!(commands[1].starts_with("sha256sum --check"));
        assert!(commands[4].contains("openssl pkeyutl -verify") && commands[4].contains("time/"));
        assert!(commands[5].contains("openssl ts -verify -token_in"));
        let tools = ["openssl", "sha256sum", "find", "sed", "sort", "diff", "cut", "tail"];
        // Shell words that run no program of their own.
        let shell = ["for", "do", "done", "if", "then", "else", "fi", "[", "echo", "exit", "continue", "||", "&&"];
        for c in &commands {
            // Each program a line runs stands first in a pipeline stage, a list item or a process substitution.
            let stages = c.replace("<(", "|").replace(')', " ").replace(';', "|").replace("||", "|").replace("&&", "|");
            for word in stages.split('|').map(|stage| stage.split_whitespace().next().unwrap_or_default()) {
                assert!(word.is_empty() || tools.contains(&word) || shell.contains(&word), "{word} in {c}");
            }
        }
    }
}
