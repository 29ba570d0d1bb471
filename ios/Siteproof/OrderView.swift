// One work order: what the city asked, its deadline, visits, the evidence
// under it with flags and receipt state, and the worker's status and tags.
// Capture tools file new evidence under this order and the open visit.
import SiteproofFFI
import SwiftUI

struct OrderView: View {
    let number: String

    @State private var order: WorkOrder?
    @State private var visits: [Visit] = []
    @State private var items: [EvidenceItem] = []
    @State private var purpose = Labels.terms(.visitPurpose).first?.code ?? ""
    @State private var edit = OrderUpdate()
    @State private var busy = false
    @State private var receiptText: String?
    @State private var error: String?

    private var activeVisit: Visit? { visits.first { $0.endedAtMs == nil } }
    private var target: CaptureTarget { CaptureTarget(orderNumber: number, visitId: activeVisit?.id) }

    var body: some View {
        List {
            if let o = order {
                Section {
                    Text(Labels.label(.orderKind, o.kind).local + " · " + o.category).font(.title3.bold())
                    Text(o.address)
                    let c = deadlineCountdown(deadlineMs: o.deadlineMs, nowMs: Int64(Date().timeIntervalSince1970 * 1000))
                    Text(c.text.local).foregroundStyle(c.urgency.color)
                    if !o.content.isEmpty { Text(o.content).font(.callout) }
                    TagChips(order: o)
                }
                Section {
                    HStack {
                        NavigationLink(value: Route.camera(target)) { Label("camera.title", systemImage: "camera") }
                        NavigationLink(value: Route.voice(target)) { Label("voice.title", systemImage: "mic") }
                        NavigationLink(value: Route.note(target)) { Label("note.title", systemImage: "square.and.pencil") }
                    }
                    .labelStyle(.iconOnly)
                }
                visitSection
                Section(String(format: String(localized: "evidence.count %lld"), items.count)) {
                    ForEach(items, id: \.itemId) { EvidenceRow(item: $0) { showReceipt($0) } }
                }
                editSection(o)
            }
        }
        .navigationTitle(number)
        .task { await load() }
        .disabled(busy)
        .alert(String(localized: "receipt.title"), isPresented: Binding(get: { receiptText != nil }, set: { if !$0 { receiptText = nil } })) {
            Button("ok") { receiptText = nil }
        } message: { Text(receiptText ?? "") }
        .alert(String(localized: "error.title"), isPresented: Binding(get: { error != nil }, set: { if !$0 { error = nil } })) {
            Button("ok") { error = nil }
        } message: { Text(error ?? "") }
    }

    private var visitSection: some View {
        Section("visits.title") {
            if let v = activeVisit {
                Text(String(format: String(localized: "visit.active %@ %@"),
                            Labels.label(.visitPurpose, v.purpose).local, dateText(v.startedAtMs)))
                Button("visit.end") { change { let fix = await FixProvider().currentFix(); _ = try await DeviceHolder.shared.call { try $0.endVisit(visitId: v.id, fix: fix) } } }
            } else {
                Picker("visit.purpose", selection: $purpose) {
                    ForEach(Labels.terms(.visitPurpose), id: \.code) { Text(Bilingual(zh: $0.zh, en: $0.en).local).tag($0.code) }
                }
                Button("visit.start") {
                    let p = purpose
                    change {
                        let provider = FixProvider()
                        provider.requestPermission()
                        let fix = await provider.currentFix()
                        _ = try await DeviceHolder.shared.call { try $0.startVisit(orderNumber: number, purpose: p, fix: fix) }
                    }
                }
            }
            ForEach(visits.filter { $0.endedAtMs != nil }, id: \.id) { v in
                Text("\(Labels.label(.visitPurpose, v.purpose).local): \(dateText(v.startedAtMs)) – \(dateText(v.endedAtMs ?? v.startedAtMs))")
                    .font(.caption)
            }
        }
    }

    private func editSection(_ o: WorkOrder) -> some View {
        Section("order.edit.title") {
            picker("order.status", .orderStatus, current: o.status, choice: $edit.status)
            picker("tag.type", .tagType, current: o.tagType, choice: $edit.tagType)
            picker("tag.handling", .tagHandling, current: o.tagHandling, choice: $edit.tagHandling)
            picker("tag.callback", .tagCallback, current: o.tagCallback, choice: $edit.tagCallback)
            TextField(String(localized: "tag.knowledge"),
                      text: Binding(get: { edit.knowledge ?? o.knowledge }, set: { edit.knowledge = $0 }), axis: .vertical)
            Button("order.save") {
                let update = edit
                change {
                    _ = try await DeviceHolder.shared.call { try $0.updateOrder(number: number, update: update) }
                    edit = OrderUpdate()
                    Task { await SyncRunner.shared.runNow() }
                }
            }
            .disabled(edit == OrderUpdate())
        }
    }

    /// A picker over a core vocabulary; only a change from the stored value goes into the update.
    private func picker(_ title: LocalizedStringKey, _ kind: VocabKind, current: String?, choice: Binding<String?>) -> some View {
        Picker(title, selection: Binding(get: { choice.wrappedValue ?? current ?? "" },
                                         set: { choice.wrappedValue = ($0 == current || $0.isEmpty) ? nil : $0 })) {
            if current == nil { Text("tag.not.set").tag("") }
            ForEach(Labels.terms(kind), id: \.code) { Text(Bilingual(zh: $0.zh, en: $0.en).local).tag($0.code) }
        }
    }

    private func load() async {
        do {
            order = try await DeviceHolder.shared.call { try $0.getOrder(number: number) }
            visits = try await DeviceHolder.shared.call { try $0.listVisits(orderNumber: number) }
            items = try await DeviceHolder.shared.call { try $0.listItems(orderNumber: number, unfiledOnly: false) }
        } catch {
            self.error = userMessage(error)
        }
    }

    /// Runs a core change, then reloads from the store.
    private func change(_ action: @escaping () async throws -> Void) {
        busy = true
        Task {
            defer { busy = false }
            do {
                try await action()
                await load()
            } catch {
                self.error = userMessage(error)
            }
        }
    }

    private func showReceipt(_ item: EvidenceItem) {
        let id = item.itemId
        Task {
            do {
                if let r = try await DeviceHolder.shared.call({ try $0.receipt(itemId: id) }) {
                    receiptText = String(format: String(localized: "receipt.detail %@ %lld %@"),
                                         dateText(r.receivedAtMs), Int64(r.logIndex), r.manifestHash)
                } else {
                    receiptText = String(localized: "receipt.none")
                }
            } catch {
                receiptText = userMessage(error)
            }
        }
    }
}

/// Evidence times as workers write them in reports: local date and time.
func dateText(_ ms: Int64) -> String {
    Date(timeIntervalSince1970: TimeInterval(ms) / 1000).formatted(date: .numeric, time: .shortened)
}
