import Foundation
import VigilCore

/// The hand-over from the app to its Call Directory extension: the core's call-label list
/// (ascending numbers, as CallKit requires) written to the app group's container just
/// before `CXCallDirectoryManager.reloadExtension`, read once by the extension and deleted.
/// iOS then holds the labels in its own call directory store, outside the vault: the
/// panic wipe reloads the extension with an empty list.
public enum CallDirectoryHandOver {
  public struct Entry: Codable, Equatable, Sendable {
    public let number: Int64
    public let label: String
  }

  /// The entries for CallKit: the label as she wrote it, behind a risk mark, in the core's
  /// order.
  public static func entries(_ labels: [CallLabel]) -> [Entry] {
    labels.map { Entry(number: $0.number, label: "\(mark($0.risk)) \($0.label)") }
  }

  public static func encode(_ entries: [Entry]) throws -> Data {
    try JSONEncoder().encode(entries)
  }

  public static func decode(_ data: Data) throws -> [Entry] {
    try JSONDecoder().decode([Entry].self, from: data)
  }

  private static func mark(_ risk: Risk) -> String {
    switch risk {
    case .danger: return "⛔"
    case .caution: return "⚠"
    case .safe: return "✓"
    case .blocked: return "🚫"
    default: return "•"
    }
  }
}
