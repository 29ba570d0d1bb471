// The store's sealing secret: 32 random bytes the core uses to seal the
// device's signing key and server token. They live only in the Keychain,
// readable after the first unlock (so a background sync can open the store)
// and never migrated to another device or a backup, where they would make a
// copied store openable.
import Foundation
import Security

enum SecretStore {
    private static let service = "org.siteproof.store"
    private static let account = "sealing-secret"
    private static let length = 32

    enum Failure: Error {
        case keychain(OSStatus)
        case random(OSStatus)
    }

    /// The secret, made and saved on first start.
    static func loadOrCreate() throws -> Data {
        if let existing = try load() { return existing }
        var bytes = Data(count: length)
        let status = bytes.withUnsafeMutableBytes { SecRandomCopyBytes(kSecRandomDefault, length, $0.baseAddress!) }
        guard status == errSecSuccess else { throw Failure.random(status) }
        let add: [String: Any] = [
            kSecClass as String: kSecClassGenericPassword,
            kSecAttrService as String: service,
            kSecAttrAccount as String: account,
            kSecAttrAccessible as String: kSecAttrAccessibleAfterFirstUnlockThisDeviceOnly,
            kSecValueData as String: bytes,
        ]
        let added = SecItemAdd(add as CFDictionary, nil)
        guard added == errSecSuccess else { throw Failure.keychain(added) }
        return bytes
    }

    private static func load() throws -> Data? {
        let query: [String: Any] = [
            kSecClass as String: kSecClassGenericPassword,
            kSecAttrService as String: service,
            kSecAttrAccount as String: account,
            kSecReturnData as String: true,
            kSecMatchLimit as String: kSecMatchLimitOne,
        ]
        var item: CFTypeRef?
        let status = SecItemCopyMatching(query as CFDictionary, &item)
        switch status {
        case errSecSuccess:
            return item as? Data
        case errSecItemNotFound:
            return nil
        default:
            throw Failure.keychain(status)
        }
    }
}
