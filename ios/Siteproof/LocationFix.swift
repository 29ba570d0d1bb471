// A capture carries the phone's location fix as Core Location reports it:
// accuracy, altitude, time and whether the fix was simulated by software
// (iOS 15+ reports that). Whether the fix is good enough is the core's
// decision, recorded as flags; this only gets one fix, or nil.
import CoreLocation
import Foundation
import SiteproofFFI

@MainActor
final class FixProvider: NSObject, CLLocationManagerDelegate {
    private let manager = CLLocationManager()
    private var waiting: [CheckedContinuation<CLLocation?, Never>] = []

    override init() {
        super.init()
        manager.delegate = self
        manager.desiredAccuracy = kCLLocationAccuracyBest
    }

    /// Asks for permission once (when-in-use) if the worker has not answered yet.
    func requestPermission() {
        if manager.authorizationStatus == .notDetermined { manager.requestWhenInUseAuthorization() }
    }

    /// One fix now, within `timeout`; falls back to the last known location (the core flags its age).
    func currentFix(timeout: Duration = .seconds(15)) async -> LocationFix? {
        switch manager.authorizationStatus {
        case .authorizedWhenInUse, .authorizedAlways: break
        default: return nil
        }
        let location: CLLocation? = await withCheckedContinuation { continuation in
            waiting.append(continuation)
            if waiting.count == 1 { manager.requestLocation() }
            Task { @MainActor [weak self] in
                try? await Task.sleep(for: timeout)
                self?.finish(self?.manager.location)
            }
        }
        return location.flatMap(Self.fix(from:))
    }

    private func finish(_ location: CLLocation?) {
        let all = waiting
        waiting.removeAll()
        all.forEach { $0.resume(returning: location) }
    }

    private static func fix(from l: CLLocation) -> LocationFix? {
        guard l.horizontalAccuracy >= 0 else { return nil } // negative: Core Location says the position is invalid
        return LocationFix(
            lat: l.coordinate.latitude,
            lon: l.coordinate.longitude,
            accuracyM: l.horizontalAccuracy,
            altitudeM: l.verticalAccuracy > 0 ? l.altitude : nil,
            provider: "corelocation",
            isMock: l.sourceInformation?.isSimulatedBySoftware ?? false,
            fixTimeMs: Int64(l.timestamp.timeIntervalSince1970 * 1000)
        )
    }

    nonisolated func locationManager(_ manager: CLLocationManager, didUpdateLocations locations: [CLLocation]) {
        let last = locations.last
        Task { @MainActor in self.finish(last) }
    }

    nonisolated func locationManager(_ manager: CLLocationManager, didFailWithError error: Error) {
        let known = manager.location
        Task { @MainActor in self.finish(known) }
    }
}
