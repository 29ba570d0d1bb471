// Joining the community's server with a coordinator's one-time code. The
// core registers the device key and keeps the server's key to check every
// receipt and time token afterwards.
import SiteproofFFI
import SwiftUI
import UIKit

struct EnrollView: View {
    @State private var serverUrl = ""
    @State private var code = ""
    @State private var deviceName = UIDevice.current.name
    @State private var info: DeviceInfo?
    @State private var busy = false
    @State private var error: String?

    var body: some View {
        Form {
            if let info {
                Section {
                    Text(String(format: String(localized: "enroll.device.id %@"), info.deviceId)).font(.caption)
                    if let url = info.serverUrl {
                        Text(String(format: String(localized: "enroll.enrolled.to %@"), url))
                    } else {
                        Text("enroll.not.yet")
                    }
                }
            }
            Section {
                TextField(String(localized: "enroll.server.url"), text: $serverUrl)
                    .keyboardType(.URL).textInputAutocapitalization(.never).autocorrectionDisabled()
                TextField(String(localized: "enroll.code"), text: $code)
                    .textInputAutocapitalization(.characters).autocorrectionDisabled()
                TextField(String(localized: "enroll.device.name"), text: $deviceName)
            }
            Button("enroll.submit", action: enroll)
                .disabled(busy || serverUrl.isEmpty || code.isEmpty)
        }
        .navigationTitle(Text("enroll.title"))
        .task {
            info = try? await DeviceHolder.shared.call { try $0.info() }
            if serverUrl.isEmpty, let url = info?.serverUrl { serverUrl = url }
        }
        .alert(String(localized: "error.title"), isPresented: Binding(get: { error != nil }, set: { if !$0 { error = nil } })) {
            Button("ok") { error = nil }
        } message: { Text(error ?? "") }
    }

    private func enroll() {
        busy = true
        let url = serverUrl.trimmingCharacters(in: .whitespaces)
        let oneTimeCode = code.trimmingCharacters(in: .whitespaces)
        let name = deviceName
        Task {
            defer { busy = false }
            do {
                info = try await DeviceHolder.shared.call { try $0.enroll(serverUrl: url, code: oneTimeCode, deviceName: name) }
                code = ""
                await SyncRunner.shared.runNow()
            } catch {
                self.error = userMessage(error)
            }
        }
    }
}
