#if canImport(UIKit)
  import Foundation
  import Security
  import VigilKit

  /// The device secret in the Keychain: readable after the first unlock since boot (so the
  /// background runner can escalate while the phone is locked), never synced or restored to
  /// another device (`ThisDeviceOnly`). Deleting it is what makes a panic wipe final.
  final class KeychainSecretStore: DeviceSecretStore {
    private let service = "app.vigil.device-secret"
    private let account = "vault"

    private var query: [String: Any] {
      [
        kSecClass as String: kSecClassGenericPassword,
        kSecAttrService as String: service,
        kSecAttrAccount as String: account,
      ]
    }

    func load() throws -> Data? {
      var q = query
      q[kSecReturnData as String] = true
      q[kSecMatchLimit as String] = kSecMatchLimitOne
      var item: CFTypeRef?
      let status = SecItemCopyMatching(q as CFDictionary, &item)
      switch status {
      case errSecSuccess: return item as? Data
      case errSecItemNotFound: return nil
      default: throw KeychainError(status: status)
      }
    }

    func create() throws -> Data {
      var bytes = Data(count: 32)
      let result = bytes.withUnsafeMutableBytes {
        SecRandomCopyBytes(kSecRandomDefault, 32, $0.baseAddress!)
      }
      guard result == errSecSuccess else { throw KeychainError(status: result) }
      SecItemDelete(query as CFDictionary)
      var add = query
      add[kSecValueData as String] = bytes
      add[kSecAttrAccessible as String] = kSecAttrAccessibleAfterFirstUnlockThisDeviceOnly
      let status = SecItemAdd(add as CFDictionary, nil)
      guard status == errSecSuccess else { throw KeychainError(status: status) }
      return bytes
    }

    func delete() throws {
      let status = SecItemDelete(query as CFDictionary)
      guard status == errSecSuccess || status == errSecItemNotFound else {
        throw KeychainError(status: status)
      }
    }
  }

  /// A Keychain failure: only the OSStatus, never the secret.
  struct KeychainError: Error {
    let status: OSStatus
  }
#endif
