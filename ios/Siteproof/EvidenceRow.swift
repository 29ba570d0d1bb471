// One piece of evidence: thumbnail (the core's, never the original), when
// (anchored server time when the core had it), flags in words, and whether
// the community's server has signed a receipt for it.
import SiteproofFFI
import SwiftUI

struct EvidenceRow: View {
    let item: EvidenceItem
    let onReceipt: (EvidenceItem) -> Void

    @State private var thumbnail: UIImage?

    var body: some View {
        Button { onReceipt(item) } label: {
            HStack(alignment: .top, spacing: 12) {
                if item.mediaType?.hasPrefix("image/") == true {
                    Group {
                        if let thumbnail { Image(uiImage: thumbnail).resizable().scaledToFill() } else { Color.secondary.opacity(0.2) }
                    }
                    .frame(width: 64, height: 64).clipped()
                }
                VStack(alignment: .leading, spacing: 2) {
                    Text(kindLabel).font(.subheadline.bold())
                    if let anchored = item.anchoredUtcMs {
                        Text(String(format: String(localized: "evidence.time.anchored %@"), dateText(anchored))).font(.caption)
                    } else {
                        Text(String(format: String(localized: "evidence.time.phone %@"), dateText(item.deviceTimeMs))).font(.caption)
                    }
                    if let text = item.text { Text(text).font(.callout).lineLimit(3) }
                    ForEach(item.flags, id: \.self) { flag in
                        Label(Labels.flag(flag).local, systemImage: "exclamationmark.triangle").font(.caption).foregroundStyle(.red)
                    }
                    Text(LocalizedStringKey(item.hasReceipt ? "evidence.receipted" : "evidence.waiting"))
                        .font(.caption2).foregroundStyle(item.hasReceipt ? Color.accentColor : .secondary)
                }
            }
        }
        .buttonStyle(.plain)
        .task(id: item.itemId) { await loadThumbnail() }
    }

    private var kindLabel: String {
        switch item.kind {
        case .photo: String(localized: "evidence.photo")
        case .voice: String(localized: "evidence.voice")
        case .video: String(localized: "evidence.video")
        case .received: String(localized: "evidence.received \(item.receivedFrom ?? "")")
        case .note: String(localized: "evidence.note")
        case .attach: String(localized: "evidence.attach")
        }
    }

    private func loadThumbnail() async {
        guard item.mediaType?.hasPrefix("image/") == true else { return }
        let id = item.itemId
        let path = try? await DeviceHolder.shared.call { d -> String? in
            guard let thumb = try d.derivatives(itemId: id).first(where: { $0.role == .thumbnail }) else { return nil }
            return d.blobPath(sha256: thumb.sha256)
        }
        if let path = path ?? nil { thumbnail = UIImage(contentsOfFile: path) }
    }
}
