// After every capture the worker sees what the core recorded: that it is
// safe on the phone, its stamp, and the core's doubts (no fix, mock location,
// clock off) in words.
import SiteproofFFI
import SwiftUI

struct SavedItemCard: View {
    let item: EvidenceItem
    let stamp: [String]

    var body: some View {
        VStack(alignment: .leading, spacing: 4) {
            Text("capture.saved \(Int(item.seq))").font(.subheadline.bold())
            ForEach(stamp, id: \.self) { Text($0).font(.caption) }
            ForEach(item.flags, id: \.self) { flag in
                Label(Labels.flag(flag).local, systemImage: "exclamationmark.triangle").font(.caption).foregroundStyle(.red)
            }
        }
        .padding(12)
        .frame(maxWidth: .infinity, alignment: .leading)
        .background(.regularMaterial, in: RoundedRectangle(cornerRadius: 10))
    }
}

/// Shown instead of a capture tool whose permission was refused; Settings can still grant it.
struct PermissionNeededView: View {
    let message: String

    var body: some View {
        VStack(spacing: 16) {
            Text(message).multilineTextAlignment(.center)
            Button(String(localized: "open.settings")) {
                if let url = URL(string: UIApplication.openSettingsURLString) { UIApplication.shared.open(url) }
            }
        }
        .padding()
    }
}
