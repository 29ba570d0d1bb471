//! The report's last pages: how anyone can check this packet without
//! trusting the community that made it, in plain Chinese for an office clerk
//! rather than an engineer. The step-by-step file guide stays in GUIDE.txt;
//! this says what the checks mean and what to compare.

use super::report::Block;

/// The 附录 section.
pub fn verification_blocks(server_fingerprint: &str) -> Vec<Block> {
    vec![
        Block::PageBreak,
        Block::Heading("附录：如何核验本证据包".into()),
        Block::Paragraph(
            "本证据包是一个 ZIP 文件，其中 packet.json 列出包内每个文件的 SHA-256 哈希值和大小，并由社区服务器的密钥签名。\
             任何文件被改动、删除或增加，核验都会失败，并指出是哪个文件。"
                .into(),
        ),
        Block::Paragraph(
            "每条证据在拍摄时由社工手机上的设备密钥签名（manifests/ 中的记录），记录中写有原件（originals/）的哈希值、\
             拍摄时的定位和手机时间；服务器收到后出具签名回执（receipts/）。同一台手机的记录按编号首尾相连，\
             中间删去或调换任何一条都会被发现。"
                .into(),
        ),
        Block::Paragraph(
            "“锚定时间”是手机开机以来的计时与服务器签名时间相结合得出的拍摄时间，误差范围写在时间之后；\
             它所依据的服务器签名时间声明附在包内 time/ 文件夹中，可离线核对（GUIDE.txt 第 5 步）；\
             包内没有其时间声明的，锚定时间无法离线核对。手机自己的时钟可以手动调整，因此仅作参考。"
                .into(),
        ),
        Block::Paragraph(
            "核验方法：用 siteproof verify 命令检查本文件，或按 GUIDE.txt 的步骤手工核对哈希值和签名。\
             签名只能证明文件出自持有该密钥的服务器，因此请务必把下列服务器公钥指纹与街道办事处公布的指纹逐字核对，一致才可采信。"
                .into(),
        ),
        Block::Hash("服务器公钥指纹".into(), server_fingerprint.to_string()),
    ]
}
