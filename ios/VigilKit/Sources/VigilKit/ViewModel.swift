import Foundation

/// Every screen's view model: a value `state` the view draws, an editable `form` where the
/// screen has one, and `onChange` so the SwiftUI layer can redraw (Vigil/App/Observed.swift
/// wraps it in an `ObservableObject`; Combine and Observation do not link on Linux, so
/// VigilKit uses neither).
public protocol ViewModel: AnyObject {
  associatedtype State: Equatable
  var state: State { get }
  var onChange: (() -> Void)? { get set }
}

/// Reads a typed number field: empty is "not given", anything else must be a whole number.
/// Whether the number is acceptable is the core's to say.
enum Field {
  static func optionalInt(_ text: String, field: String) throws -> Int64? {
    if text.isEmpty { return nil }
    guard let value = Int64(text) else { throw FieldError(field: field) }
    return value
  }

  static func optionalDouble(_ text: String, field: String) throws -> Double? {
    if text.isEmpty { return nil }
    guard let value = Double(text) else { throw FieldError(field: field) }
    return value
  }

  static func optionalUInt32(_ text: String, field: String) throws -> UInt32? {
    if text.isEmpty { return nil }
    guard let value = UInt32(text) else { throw FieldError(field: field) }
    return value
  }

  /// An empty text field is a missing value; anything typed goes to the core as typed.
  static func optional(_ text: String) -> String? {
    text.isEmpty ? nil : text
  }
}

/// A field that is not a number at all (before the core sees it).
struct FieldError: Error {
  let field: String
}

/// Where a form's error points, and its message.
public struct FieldMessage: Equatable, Sendable {
  /// The field's key (`latitude`, `reminder`, ...) when the shell knows it, else nil and
  /// the core's detail names it.
  public let field: String?
  public let message: FormMessage

  public init(field: String?, message: FormMessage) {
    self.field = field
    self.message = message
  }

  static func from(_ error: Error) -> FieldMessage {
    if let fieldError = error as? FieldError {
      return FieldMessage(field: fieldError.field, message: .key("bad_number"))
    }
    return FieldMessage(field: nil, message: FormMessage.from(error))
  }
}
