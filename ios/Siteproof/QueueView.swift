// The upload queue: that evidence is safe on the phone and waiting, and when
// the community's server has it. The status line mirrors shared-logic's
// QueueText.kt; failed jobs show the core's reason.
import SiteproofFFI
import SwiftUI

struct QueueView: View {
    @ObservedObject private var sync = SyncRunner.shared
    @State private var status: QueueStatus?
    @State private var jobs: [OutboxJob] = []
    @State private var error: String?

    var body: some View {
        List {
            Section {
                if let status {
                    let line = queueLine(status, nowMs: Int64(Date().timeIntervalSince1970 * 1000))
                    Text(line.text.local).foregroundStyle(line.needsAttention ? .red : .primary)
                }
                if sync.running {
                    Text("queue.syncing")
                    ProgressView(value: sync.progress.map(progressFraction) ?? 0)
                    if let current = sync.progress?.current, !current.isEmpty { Text(current).font(.caption) }
                }
                if let lastError = sync.lastError { Text(lastError).foregroundStyle(.red).font(.callout) }
                Button("queue.sync.now") { Task { await sync.runNow(); await load() } }.disabled(sync.running)
                if (status?.failedJobs ?? 0) > 0 {
                    Button("queue.retry.failed") {
                        Task {
                            do {
                                _ = try await DeviceHolder.shared.call { try $0.retryFailedJobs() }
                                await sync.runNow()
                                await load()
                            } catch {
                                self.error = userMessage(error)
                            }
                        }
                    }
                }
            }
            Section {
                ForEach(jobs, id: \.id) { job in
                    VStack(alignment: .leading, spacing: 2) {
                        Text("\(partLabel(job.part)) · \(bytesText(Int64(job.bytes)))")
                        Text(stateLabel(job.state)).font(.caption)
                        if let e = job.lastError { Text(e).font(.caption).foregroundStyle(.red) }
                    }
                }
            }
        }
        .navigationTitle(Text("queue.title"))
        .task { await load() }
        .onChange(of: sync.progress?.jobsDone) { _ in Task { await load() } }
        .alert(String(localized: "error.title"), isPresented: Binding(get: { error != nil }, set: { if !$0 { error = nil } })) {
            Button("ok") { error = nil }
        } message: { Text(error ?? "") }
    }

    private func load() async {
        do {
            status = try await DeviceHolder.shared.call { try $0.queueStatus() }
            jobs = try await DeviceHolder.shared.call { try $0.queueJobs() }
        } catch {
            self.error = userMessage(error)
        }
    }

    private func partLabel(_ part: String) -> String {
        switch part {
        case "thumbnail": String(localized: "job.part.thumbnail")
        case "original": String(localized: "job.part.original")
        case "manifest": String(localized: "job.part.manifest")
        default: part
        }
    }

    private func stateLabel(_ state: String) -> String {
        switch state {
        case "pending": String(localized: "job.state.pending")
        case "done": String(localized: "job.state.done")
        case "failed": String(localized: "job.state.failed")
        default: state
        }
    }
}
