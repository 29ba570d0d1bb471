// The worker's inbox: every work order, nearest deadline first (the core's
// order), with its countdown and the four-colour tags (labels from the core's
// vocabulary). Mirrors android/shared-logic Inbox.kt's rows.
import SiteproofFFI
import SwiftUI

struct InboxView: View {
    @State private var orders: [WorkOrder] = []
    @State private var enrolled = true
    @State private var error: String?

    var body: some View {
        TimelineView(.periodic(from: .now, by: 30)) { context in
            let nowMs = Int64(context.date.timeIntervalSince1970 * 1000)
            List {
                if !enrolled {
                    Section {
                        Text("inbox.not.enrolled")
                        NavigationLink(value: Route.enroll) { Text("enroll.title") }
                    }
                }
                Section {
                    ForEach(orders, id: \.number) { order in
                        NavigationLink(value: Route.order(order.number)) { OrderRow(order: order, nowMs: nowMs) }
                    }
                } header: {
                    Text(summary(nowMs: nowMs).local)
                }
                if orders.isEmpty { Text("inbox.empty").foregroundStyle(.secondary) }
            }
        }
        .navigationTitle(Text("inbox.title"))
        .toolbar {
            ToolbarItem(placement: .navigationBarLeading) {
                NavigationLink(value: Route.enroll) { Image(systemName: "link") }.accessibilityLabel(Text("enroll.title"))
            }
            ToolbarItemGroup(placement: .navigationBarTrailing) {
                NavigationLink(value: Route.queue) { Image(systemName: "icloud.and.arrow.up") }.accessibilityLabel(Text("queue.title"))
                NavigationLink(value: Route.camera(CaptureTarget())) { Image(systemName: "camera") }
                    .accessibilityLabel(Text("inbox.capture.unfiled"))
            }
        }
        .refreshable { await SyncRunner.shared.runNow(); await load() }
        .task { await load() }
        .alert(String(localized: "error.title"), isPresented: Binding(get: { error != nil }, set: { if !$0 { error = nil } })) {
            Button("ok") { error = nil }
        } message: { Text(error ?? "") }
    }

    private func load() async {
        do {
            orders = try await DeviceHolder.shared.call { try $0.listOrders() }
            enrolled = try await DeviceHolder.shared.call { try $0.info() }.serverUrl != nil
        } catch {
            self.error = userMessage(error)
        }
    }

    private func summary(nowMs: Int64) -> Bilingual {
        let urgencies = orders.map { inboxCountdown($0, nowMs: nowMs).urgency }
        let overdue = urgencies.filter { $0 == .overdue }.count
        let soon = urgencies.filter { $0 == .dueSoon }.count
        return Bilingual(zh: "共\(orders.count)件，超时\(overdue)件，24小时内到期\(soon)件",
                         en: "\(orders.count) orders, \(overdue) overdue, \(soon) due within 24 h")
    }

    private struct OrderRow: View {
        let order: WorkOrder
        let nowMs: Int64

        var body: some View {
            let countdown = inboxCountdown(order, nowMs: nowMs)
            VStack(alignment: .leading, spacing: 4) {
                HStack {
                    Text(Labels.label(.orderKind, order.kind).local + " · " + order.category).font(.headline)
                    Spacer()
                    Text(countdown.text.local).font(.subheadline).foregroundStyle(countdown.urgency.color)
                }
                Text(order.address).font(.subheadline)
                HStack(spacing: 8) {
                    Text(order.number)
                    Text(Labels.label(.orderStatus, order.status).local)
                    if order.dirty { Text("inbox.unsynced").foregroundStyle(.orange) }
                }
                .font(.caption)
                TagChips(order: order)
            }
        }
    }
}

/// A row's countdown; finished orders show their status instead of an urgency (as Inbox.kt does).
func inboxCountdown(_ o: WorkOrder, nowMs: Int64) -> Countdown {
    if ["answered", "returned", "closed"].contains(o.status) {
        return Countdown(urgency: .noDeadline, text: Labels.label(.orderStatus, o.status))
    }
    return deadlineCountdown(deadlineMs: o.deadlineMs, nowMs: nowMs)
}

/// The four tags as coloured chips (四色标注): type red, handling blue, callback green, knowledge amber.
struct TagChips: View {
    let order: WorkOrder

    var body: some View {
        HStack(spacing: 6) {
            if let t = order.tagType { chip(Labels.label(.tagType, t).local, .red) }
            if let t = order.tagHandling { chip(Labels.label(.tagHandling, t).local, .blue) }
            if let t = order.tagCallback { chip(Labels.label(.tagCallback, t).local, .green) }
            if !order.knowledge.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                chip(Bilingual(zh: "学习要点", en: "knowledge").local, .orange)
            }
        }
    }

    private func chip(_ text: String, _ color: Color) -> some View {
        Text(text).font(.caption2).padding(.horizontal, 8).padding(.vertical, 3)
            .background(color.opacity(0.15), in: Capsule()).foregroundStyle(color)
    }
}

extension Urgency {
    var color: Color {
        switch self {
        case .overdue: .red
        case .dueSoon: .orange
        case .onTrack: .secondary
        case .noDeadline: .gray
        }
    }
}
