// Every core call blocks (file I/O, fsync, SQLite, the network during sync).
// This actor owns the one SiteproofDevice of the process (the store takes a
// file lock) and runs each call on a background dispatch queue, so neither
// the main actor nor Swift's cooperative thread pool ever waits on the core.
import Foundation
import SiteproofFFI

actor DeviceHolder {
    static let shared = DeviceHolder()

    private var opening: Task<SiteproofDevice, Error>?

    /// Where the store lives: Application Support, excluded from backups (the Keychain secret is not backed up either).
    static var storeDirectory: URL {
        get throws {
            let base = try FileManager.default.url(for: .applicationSupportDirectory, in: .userDomainMask,
                                                   appropriateFor: nil, create: true)
            var dir = base.appendingPathComponent("Siteproof", isDirectory: true)
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            var values = URLResourceValues()
            values.isExcludedFromBackup = true
            try dir.setResourceValues(values)
            return dir.appendingPathComponent("store", isDirectory: true)
        }
    }

    /// The open device; the first caller opens it, later callers wait for the same open.
    func device() async throws -> SiteproofDevice {
        if let opening { return try await opening.value }
        let task = Task<SiteproofDevice, Error> {
            try await Self.runBlocking {
                try SiteproofDevice.open(storeDir: try Self.storeDirectory.path, secret: try SecretStore.loadOrCreate())
            }
        }
        opening = task
        do {
            return try await task.value
        } catch {
            opening = nil // let a later call try again (e.g. the Keychain was locked before first unlock)
            throw error
        }
    }

    /// Runs one blocking core call off the main actor and the cooperative pool.
    nonisolated func call<T: Sendable>(_ body: @escaping @Sendable (SiteproofDevice) throws -> T) async throws -> T {
        let d = try await device()
        return try await Self.runBlocking { try body(d) }
    }

    private static let queue = DispatchQueue(label: "org.siteproof.core", qos: .userInitiated, attributes: .concurrent)

    static func runBlocking<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try work() }) }
        }
    }
}
