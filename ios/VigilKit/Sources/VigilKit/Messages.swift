import Foundation
import VigilCore

/// What a screen shows beside a field or at the top: either the core's own words (its
/// `detail` and `hint`, which never hold personal data) or one of the app's string keys
/// (`Localizable.strings`, keys shared with the Android shell) for the few things only
/// the shell knows (a field that is not a number, two passphrases that differ).
public enum FormMessage: Equatable, Sendable {
  case core(kind: String, detail: String, hint: String?)
  case key(String)
  /// A watch message the core refused, by its reason: said in the phone's language.
  case refusal(WatchRefusal)

  /// The message for any error a core call threw.
  public static func from(_ error: Error) -> FormMessage {
    guard let vigil = error as? VigilError else {
      return .key("error_unexpected")
    }
    return .core(kind: vigil.kind, detail: vigil.detail, hint: vigil.hint)
  }

  /// The text to show: the core's detail and hint (in the vault's language), or the app's
  /// string for a key in the phone's language.
  public var text: String {
    switch self {
    case .core(_, let detail, let hint):
      return hint.map { "\(detail)\n\($0)" } ?? detail
    case .key(let key):
      return L10n.text(key)
    case .refusal(let reason):
      return L10n.format("watch_refused", reason.reasonText)
    }
  }

  /// The core's detail, for tests and accessibility labels.
  public var detail: String? {
    if case .core(_, let detail, _) = self { return detail }
    return nil
  }
}

extension VigilError {
  /// The variant's name (`WrongPassphrase`, ...): the stable kind a shell branches on.
  public var kind: String {
    Mirror(reflecting: self).children.first?.label ?? String(describing: self)
  }

  /// Every variant carries `detail` and `hint`; read them without listing the variants, so a
  /// new kind in the core needs no change here.
  private var fields: (detail: String, hint: String?) {
    guard let payload = Mirror(reflecting: self).children.first?.value else {
      return ("", nil)
    }
    var detail = ""
    var hint: String?
    for child in Mirror(reflecting: payload).children {
      switch child.label {
      case "detail": detail = child.value as? String ?? ""
      case "hint": hint = child.value as? String
      default: break
      }
    }
    return (detail, hint)
  }

  public var detail: String { fields.detail }
  public var hint: String? { fields.hint }
}
