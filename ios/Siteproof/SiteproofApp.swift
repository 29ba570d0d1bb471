// The app's entry: registers the background sync tasks before launch ends
// (BGTaskScheduler requires it), starts opening the evidence store on a
// background queue so the first screen never waits on the main thread, and
// schedules background sync whenever the app goes to the background.
import SiteproofFFI
import SwiftUI

@main
struct SiteproofApp: App {
    @Environment(\.scenePhase) private var scenePhase

    init() {
        SyncTask.register()
        Task.detached(priority: .userInitiated) { _ = try? await DeviceHolder.shared.device() }
    }

    var body: some Scene {
        WindowGroup {
            RootView()
        }
        .onChange(of: scenePhase) { phase in
            if phase == .background { SyncTask.schedule() }
            if phase == .active { Task { await SyncRunner.shared.runNow() } }
        }
    }
}

/// Navigation: the inbox is home; orders, capture tools, queue and enrolment are pushed on it.
enum Route: Hashable {
    case order(String)
    case camera(CaptureTarget)
    case voice(CaptureTarget)
    case note(CaptureTarget)
    case queue
    case enroll
}

struct RootView: View {
    @State private var path = NavigationPath()

    var body: some View {
        NavigationStack(path: $path) {
            InboxView()
                .navigationDestination(for: Route.self) { route in
                    switch route {
                    case .order(let number): OrderView(number: number)
                    case .camera(let target): CameraView(target: target)
                    case .voice(let target): VoiceView(target: target)
                    case .note(let target): NoteView(target: target)
                    case .queue: QueueView()
                    case .enroll: EnrollView()
                    }
                }
        }
    }
}
