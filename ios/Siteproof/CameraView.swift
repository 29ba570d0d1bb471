// The evidence camera. The shutter moment fixes the capture context (the
// core's clock readings, the fix, order, visit); the camera's JPEG goes to
// the core unaltered. The watermark is an overlay on the preview only; the
// worker then sees the saved stamp and the core's flags, to retake on the spot.
import AVFoundation
import SiteproofFFI
import SwiftUI

struct CameraView: View {
    let target: CaptureTarget

    @State private var camera = CameraController()
    @State private var fixProvider: FixProvider?
    @State private var fix: LocationFix?
    @State private var address: String?
    @State private var busy = false
    @State private var saved: (item: EvidenceItem, fix: LocationFix?)?
    @State private var error: String?
    @State private var cameraDenied = false

    var body: some View {
        ZStack(alignment: .bottom) {
            if cameraDenied {
                PermissionNeededView(message: String(localized: "camera.permission"))
            } else {
                CameraPreview(session: camera.session).ignoresSafeArea()
                VStack(spacing: 12) {
                    TimelineView(.periodic(from: .now, by: 1)) { context in
                        WatermarkOverlay(lines: liveLines(now: context.date))
                    }
                    if let saved {
                        SavedItemCard(item: saved.item, stamp: savedLines(saved.item, fix: saved.fix))
                    }
                    Button(action: shoot) {
                        Image(systemName: busy ? "hourglass" : "camera.circle.fill")
                            .resizable().frame(width: 72, height: 72)
                    }
                    .disabled(busy)
                    .accessibilityLabel(Text("camera.shutter"))
                }
                .padding()
            }
        }
        .navigationTitle(Text("camera.title"))
        .alert(String(localized: "error.title"), isPresented: Binding(get: { error != nil }, set: { if !$0 { error = nil } })) {
            Button("ok") { error = nil }
        } message: { Text(error ?? "") }
        .task { await startCamera() }
        .task { await keepFixFresh() }
        .task { await loadAddress() }
        .onDisappear { camera.stop() }
    }

    private func startCamera() async {
        guard await AVCaptureDevice.requestAccess(for: .video) else { cameraDenied = true; return }
        do { try await camera.start() } catch { self.error = userMessage(error) }
    }

    /// A recent fix is kept ready so the shutter never waits for GPS.
    private func keepFixFresh() async {
        let provider = FixProvider()
        fixProvider = provider
        provider.requestPermission()
        while !Task.isCancelled {
            if let f = await provider.currentFix() { fix = f }
            try? await Task.sleep(for: .seconds(15))
        }
    }

    private func loadAddress() async {
        guard let number = target.orderNumber else { return }
        address = try? await DeviceHolder.shared.call { try $0.getOrder(number: number) }.address
    }

    private func shoot() {
        busy = true
        let shotFix = fix
        Task {
            defer { busy = false }
            do {
                let context = try captureContextNow(fix: shotFix, orderNumber: target.orderNumber, visitId: target.visitId)
                let file = try CaptureFiles.newFile(extension: "jpg")
                defer { try? FileManager.default.removeItem(at: file) } // the core keeps its own copy
                try await camera.takeJpeg(into: file)
                let path = file.path
                let item = try await DeviceHolder.shared.call { try $0.capturePhoto(path: path, context: context) }
                saved = (item, shotFix)
                AfterCapture.run()
            } catch {
                self.error = userMessage(error)
            }
        }
    }

    private func liveLines(now: Date) -> [String] {
        let ms = Int64(now.timeIntervalSince1970 * 1000)
        return watermarkLines(WatermarkInput(
            timeMs: ms, utcOffsetMin: TimeZone.current.secondsFromGMT(for: now) / 60, anchored: false,
            lat: fix?.lat, lon: fix?.lon, accuracyM: fix?.accuracyM, isMock: fix?.isMock ?? false,
            address: address, orderNumber: target.orderNumber), lang: .display)
    }

    private func savedLines(_ item: EvidenceItem, fix: LocationFix?) -> [String] {
        let ms = item.anchoredUtcMs ?? item.deviceTimeMs
        let date = Date(timeIntervalSince1970: TimeInterval(ms) / 1000)
        return watermarkLines(WatermarkInput(
            timeMs: ms, utcOffsetMin: TimeZone.current.secondsFromGMT(for: date) / 60, anchored: item.anchoredUtcMs != nil,
            lat: fix?.lat, lon: fix?.lon, accuracyM: fix?.accuracyM, isMock: fix?.isMock ?? false,
            address: address, orderNumber: item.orderNumber), lang: .display)
    }
}

/// The camera's live preview layer.
struct CameraPreview: UIViewRepresentable {
    let session: AVCaptureSession

    final class PreviewView: UIView {
        override class var layerClass: AnyClass { AVCaptureVideoPreviewLayer.self }
        var previewLayer: AVCaptureVideoPreviewLayer { layer as! AVCaptureVideoPreviewLayer }
    }

    func makeUIView(context: Context) -> PreviewView {
        let view = PreviewView()
        view.previewLayer.session = session
        view.previewLayer.videoGravity = .resizeAspectFill
        return view
    }

    func updateUIView(_ uiView: PreviewView, context: Context) {}
}

/// The stamp over the preview, as watermark cameras draw it.
struct WatermarkOverlay: View {
    let lines: [String]

    var body: some View {
        VStack(alignment: .leading, spacing: 2) {
            ForEach(lines, id: \.self) { Text($0).font(.caption).foregroundStyle(.white) }
        }
        .padding(8)
        .background(.black.opacity(0.45), in: RoundedRectangle(cornerRadius: 6))
        .frame(maxWidth: .infinity, alignment: .leading)
    }
}
