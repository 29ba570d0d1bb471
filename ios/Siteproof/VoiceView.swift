// The voice-note screen: record, watch level and time, stop. The capture
// context is taken when recording starts (the moment being documented).
import SiteproofFFI
import SwiftUI

struct VoiceView: View {
    let target: CaptureTarget

    @State private var recorder = VoiceRecorder()
    @State private var recording = false
    @State private var busy = false
    @State private var denied = false
    @State private var startContext: CaptureContext?
    @State private var saved: EvidenceItem?
    @State private var error: String?

    var body: some View {
        VStack(spacing: 24) {
            if denied {
                PermissionNeededView(message: String(localized: "voice.permission"))
            } else {
                TimelineView(.periodic(from: .now, by: 0.2)) { _ in
                    VStack(spacing: 16) {
                        Text(clock(recorder.elapsed)).font(.system(size: 48, weight: .medium, design: .monospaced))
                        ProgressView(value: recorder.level())
                    }
                }
                Text(LocalizedStringKey(recording ? "voice.recording" : "voice.ready"))
                Button(action: recording ? stop : start) {
                    Image(systemName: recording ? "stop.circle.fill" : "mic.circle.fill")
                        .resizable().frame(width: 72, height: 72)
                }
                .disabled(busy)
                .accessibilityLabel(Text(LocalizedStringKey(recording ? "voice.stop" : "voice.start")))
                if let saved { SavedItemCard(item: saved, stamp: []) }
            }
        }
        .padding()
        .navigationTitle(Text("voice.title"))
        .alert(String(localized: "error.title"), isPresented: Binding(get: { error != nil }, set: { if !$0 { error = nil } })) {
            Button("ok") { error = nil }
        } message: { Text(error ?? "") }
        .task { denied = !(await VoiceRecorder.requestPermission()) }
        .onDisappear { recorder.discard() }
    }

    private func start() {
        busy = true
        Task {
            defer { busy = false }
            do {
                // Record first so nothing is missed; the fix can take a few seconds.
                try recorder.start()
                recording = true
                let provider = FixProvider()
                let fix = await provider.currentFix()
                startContext = try captureContextNow(fix: fix, orderNumber: target.orderNumber, visitId: target.visitId)
            } catch {
                recorder.discard()
                recording = false
                self.error = userMessage(error)
            }
        }
    }

    private func stop() {
        busy = true
        recording = false
        Task {
            defer { busy = false; startContext = nil }
            guard let file = recorder.stop() else { return }
            defer { try? FileManager.default.removeItem(at: file) }
            do {
                let context = try startContext ?? captureContextNow(fix: nil, orderNumber: target.orderNumber, visitId: target.visitId)
                let path = file.path
                saved = try await DeviceHolder.shared.call { try $0.captureVoice(path: path, context: context) }
                AfterCapture.run()
            } catch {
                self.error = userMessage(error)
            }
        }
    }

    private func clock(_ t: TimeInterval) -> String {
        let s = Int(t)
        return String(format: "%02d:%02d", s / 60, s % 60)
    }
}
