// Voice notes (noise at night, a talk with the property company) are
// recorded as AAC in an MPEG-4 container (.m4a), a format the core accepts
// and every coordinator's computer plays. This wraps AVAudioSession and
// AVAudioRecorder so the screen only says start, stop or discard.
import AVFoundation
import Foundation

@MainActor
final class VoiceRecorder {
    private var recorder: AVAudioRecorder?

    var isRecording: Bool { recorder?.isRecording ?? false }
    var elapsed: TimeInterval { recorder?.currentTime ?? 0 }

    static func requestPermission() async -> Bool {
        await withCheckedContinuation { continuation in
            AVAudioSession.sharedInstance().requestRecordPermission { continuation.resume(returning: $0) }
        }
    }

    func start() throws {
        let session = AVAudioSession.sharedInstance()
        try session.setCategory(.record, mode: .default)
        try session.setActive(true)
        let file = try CaptureFiles.newFile(extension: "m4a")
        let settings: [String: Any] = [
            AVFormatIDKey: kAudioFormatMPEG4AAC,
            AVSampleRateKey: 44_100,
            AVNumberOfChannelsKey: 1,
            AVEncoderAudioQualityKey: AVAudioQuality.high.rawValue,
        ]
        let r = try AVAudioRecorder(url: file, settings: settings)
        r.isMeteringEnabled = true
        guard r.record() else {
            try? FileManager.default.removeItem(at: file)
            throw CocoaError(.fileWriteUnknown)
        }
        recorder = r
    }

    /// Stops and returns the finished file (the MPEG-4 index is written on stop).
    func stop() -> URL? {
        guard let r = recorder else { return nil }
        recorder = nil
        r.stop()
        try? AVAudioSession.sharedInstance().setActive(false, options: .notifyOthersOnDeactivation)
        return r.url
    }

    /// Ends a recording without keeping it (screen left mid-recording).
    func discard() {
        guard let r = recorder else { return }
        recorder = nil
        r.stop()
        r.deleteRecording()
        try? AVAudioSession.sharedInstance().setActive(false, options: .notifyOthersOnDeactivation)
    }

    /// Loudness 0...1 for the level meter.
    func level() -> Double {
        guard let r = recorder else { return 0 }
        r.updateMeters()
        return pow(10, Double(r.averagePower(forChannel: 0)) / 20)
    }
}
