// AVFoundation's photo pipeline behind an async API: a session with the back
// camera and a photo output, and one call that takes a JPEG (AVVideoCodecType
// .jpeg, the format the core inspects) and writes the camera's encoded bytes
// to a private file, untouched.
import AVFoundation
import Foundation

final class CameraController: NSObject, AVCapturePhotoCaptureDelegate, @unchecked Sendable {
    let session = AVCaptureSession()
    private let output = AVCapturePhotoOutput()
    private let sessionQueue = DispatchQueue(label: "org.siteproof.camera")
    private var pending: CheckedContinuation<Data, Error>?

    enum Failure: Error { case noCamera, noData }

    /// Configures and starts the session (on its own queue: startRunning blocks).
    func start() async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, Error>) in
            sessionQueue.async {
                do {
                    if self.session.inputs.isEmpty {
                        guard let camera = AVCaptureDevice.default(.builtInWideAngleCamera, for: .video, position: .back) else {
                            throw Failure.noCamera
                        }
                        self.session.beginConfiguration()
                        self.session.sessionPreset = .photo
                        let input = try AVCaptureDeviceInput(device: camera)
                        if self.session.canAddInput(input) { self.session.addInput(input) }
                        if self.session.canAddOutput(self.output) { self.session.addOutput(self.output) }
                        self.output.maxPhotoQualityPrioritization = .quality
                        self.session.commitConfiguration()
                    }
                    if !self.session.isRunning { self.session.startRunning() }
                    continuation.resume()
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
    }

    func stop() {
        sessionQueue.async { if self.session.isRunning { self.session.stopRunning() } }
    }

    /// Takes one JPEG and writes it to `file`.
    func takeJpeg(into file: URL) async throws {
        let data = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Data, Error>) in
            sessionQueue.async {
                self.pending = continuation
                let settings = AVCapturePhotoSettings(format: [AVVideoCodecKey: AVVideoCodecType.jpeg])
                settings.photoQualityPrioritization = .quality
                self.output.capturePhoto(with: settings, delegate: self)
            }
        }
        // Atomic: the core must never read half a file.
        try data.write(to: file, options: [.atomic, .completeFileProtectionUntilFirstUserAuthentication])
    }

    func photoOutput(_ output: AVCapturePhotoOutput, didFinishProcessingPhoto photo: AVCapturePhoto, error: Error?) {
        sessionQueue.async {
            let continuation = self.pending
            self.pending = nil
            if let error {
                continuation?.resume(throwing: error)
            } else if let data = photo.fileDataRepresentation() {
                continuation?.resume(returning: data)
            } else {
                continuation?.resume(throwing: Failure.noData)
            }
        }
    }
}
