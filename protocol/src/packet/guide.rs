//! `GUIDE.txt`: how anyone (a city reviewer, a lawyer) checks the packet
//! without trusting Siteproof's software, and why the server key must be
//! compared with the fingerprint the street office publishes: a packet that
//! verifies against its own key only proves it was not changed after the
//! holder of that key made it.

/// The guide's text for one packet, zh-CN first, then English.
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
  manifests/<设备>-<序号>.json  手机对每条证据签名的记录（原样保存，Ed25519 签名）
  receipts/<设备>-<序号>.json   服务器收到每条记录后签发的回执
  keys/device-<设备>.pub   采集设备的公钥；keys/server.pub 服务器公钥
  c2pa/<哈希>.c2pa         每张照片的 C2PA 内容凭证（旁车清单），任何 C2PA 工具都可读取
  keys/c2pa-root.pem      这些 C2PA 凭证所依托的根证书
  packet.json             目录：列出以上每个文件的 SHA-256 和大小，并由服务器签名

二、如何核验（无需联网）
1. 用 Siteproof 命令行工具：  siteproof verify 本文件.zip
   全部通过时退出码为 0；任何文件被修改、缺失或多出都会按文件名报告，退出码非 0。
2. 手工核验：解压后计算每个文件的 SHA-256（例如 sha256sum），与 packet.json 中
   index 字段列出的值比较；原始文件的哈希应等于其文件名，也应等于对应 manifest
   中 media.sha256 的值。
3. 每个 manifest 的 signature 是设备私钥对 manifest 文本（RFC 8785 规范 JSON）
   的 Ed25519 签名，可用 keys/device-<设备>.pub 中的公钥验证；每个回执同理用
   keys/server.pub 验证，且回执中的 manifest_hash 应等于 manifest 文本的 SHA-256。
4. 同一设备相邻序号的记录通过 prev 字段首尾相连（前一条 manifest 文本的 SHA-256），
   中间无法插入或删改。
5. 也可用任何 C2PA 工具（如 c2patool、c2pa-python）读取 c2pa/<哈希>.c2pa 与对应的
   originals/<哈希>.<扩展名>：可看到拍摄者、时间、地点；照片改动一个字节即显示无效。
   只有在确认 keys/c2pa-root.pem 出自本街道服务器后，才把它设为信任根。

三、最重要的一步：核对服务器公钥指纹
证据包只能证明它在生成后未被改动。要确认它确实出自本街道的服务器，请把下面的
指纹与街道办事处公布的服务器公钥指纹逐字比对（siteproof verify 也会显示）：
  服务器公钥 / server key:  {server_key_hex}
  指纹 / fingerprint:        {fingerprint}
指纹 = 公钥 32 字节的 SHA-256 的前 16 字节（十六进制，每 4 位一组）。
两者不一致时，不要采信本证据包。

==== English ====

1. What this is
This packet was made by the community's own case server. It holds:
  report.pdf              the report in Chinese (order facts; time, place, hash and check result of each item)
  originals/<hash>.<ext>  the original photos and recordings, each named by the SHA-256 of its content
  manifests/<device>-<seq>.json  each item's record as the phone signed it (unchanged, Ed25519)
  receipts/<device>-<seq>.json   the server's signed receipt for each record
  keys/device-<device>.pub  the capturing device's public key; keys/server.pub the server's
  c2pa/<hash>.c2pa        each photo's C2PA content credentials (a sidecar manifest), readable by any C2PA tool
  keys/c2pa-root.pem      the root certificate those C2PA credentials chain to
  packet.json             the index: every file above with its SHA-256 and size, signed by the server

2. How to check it (offline)
1. With the Siteproof command line tool:  siteproof verify THIS-FILE.zip
   Exit status 0 when everything checks; every altered, missing or added file is
   named, and the exit status is non-zero.
2. By hand: unpack, compute each file's SHA-256 (e.g. sha256sum) and compare with the
   list in packet.json's index field; an original's hash must equal its file name and
   the media.sha256 of its manifest.
3. Each manifest's signature is the device key's Ed25519 signature over the manifest
   text (RFC 8785 canonical JSON); check it with keys/device-<device>.pub. Receipts
   likewise with keys/server.pub, and a receipt's manifest_hash must equal the
   SHA-256 of the manifest text.
4. Consecutive records of one device are linked by their prev field (the SHA-256 of
   the previous manifest text), so nothing can be inserted or removed between them.
5. Any C2PA tool (e.g. c2patool, c2pa-python) reads c2pa/<hash>.c2pa with its
   originals/<hash>.<ext>: who captured the photo, when and where; one changed byte
   reads as invalid. Trust keys/c2pa-root.pem only once you know it came from this
   street office's server.

3. The step that matters most: compare the server key fingerprint
A packet can only prove it was not changed after it was made. To know it was made
by this street office's server, compare the fingerprint above, character by
character, with the server key fingerprint the street office publishes (siteproof
verify prints it too). The fingerprint is the first 16 bytes of the SHA-256 of the
32-byte key, in hex, in groups of four. If they differ, do not rely on this packet.
"
    )
}
