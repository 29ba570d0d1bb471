// A text note written on site: signed and chained like a photo, with the
// same clocks and fix, so a note proves where and when it was written.
import SiteproofFFI
import SwiftUI

struct NoteView: View {
    let target: CaptureTarget

    @State private var text = ""
    @State private var busy = false
    @State private var saved: EvidenceItem?
    @State private var error: String?

    var body: some View {
        Form {
            Section {
                TextField(String(localized: "note.hint"), text: $text, axis: .vertical).lineLimit(6...12)
            }
            Button(String(localized: "note.save"), action: save).disabled(busy)
            if let saved { SavedItemCard(item: saved, stamp: saved.text.map { [$0] } ?? []) }
        }
        .navigationTitle(Text("note.title"))
        .alert(String(localized: "error.title"), isPresented: Binding(get: { error != nil }, set: { if !$0 { error = nil } })) {
            Button("ok") { error = nil }
        } message: { Text(error ?? "") }
    }

    private func save() {
        busy = true
        let note = text
        Task {
            defer { busy = false }
            do {
                let provider = FixProvider()
                provider.requestPermission()
                let fix = await provider.currentFix()
                let context = try captureContextNow(fix: fix, orderNumber: target.orderNumber, visitId: target.visitId)
                // The core checks the text (an empty note is refused with its own message).
                saved = try await DeviceHolder.shared.call { try $0.addNote(text: note, context: context) }
                text = ""
                Task { await SyncRunner.shared.runNow() }
            } catch {
                self.error = userMessage(error)
            }
        }
    }
}
