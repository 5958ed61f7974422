import Foundation
import VigilCore

/// Screening a number, e-mail, handle or plate against her notes and the alerts she
/// imported, and the client-notes form.
public final class ScreeningViewModel: ViewModel {
  public struct NoteForm: Equatable, Sendable {
    public var editingId: String?
    /// One identifier per line (or comma-separated), as typed: the core recognises them.
    public var identifiers = ""
    public var label = ""
    public var risk: Risk = .caution
    public var text = ""
    public init() {}
  }

  public struct State: Equatable, Sendable {
    public var result: ScreenResult?
    public var notes: [ClientNote] = []
    public var unreadableNotes = 0
    public var message: FieldMessage?
    public var noteMessage: FieldMessage?
  }

  public private(set) var state = State() {
    didSet { if state != oldValue { onChange?() } }
  }
  /// The screening field, as typed.
  public var query = "" {
    didSet { if query != oldValue { onChange?() } }
  }
  public var noteForm = NoteForm() {
    didSet { if noteForm != oldValue { onChange?() } }
  }
  public var onChange: (() -> Void)?

  private let session: Session
  private let now: () -> Date

  public init(session: Session, now: @escaping () -> Date = Date.init) {
    self.session = session
    self.now = now
    reload()
  }

  public func reload() {
    do {
      let listing = try session.listNotes()
      state.notes = listing.notes
      state.unreadableNotes = listing.unreadableIds.count
    } catch {
      state.noteMessage = FieldMessage.from(error)
    }
  }

  public func screen() {
    do {
      state.result = try session.screen(input: query, now: now())
      state.message = nil
    } catch {
      state.result = nil
      state.message = FieldMessage.from(error)
    }
  }

  /// Whether the result may be incomplete (damaged notes or alerts): the screen must say
  /// "some notes could not be read", never "nothing found".
  public var resultIsIncomplete: Bool {
    guard let result = state.result else { return false }
    return result.unreadableNotes > 0 || result.unreadableAlerts > 0
  }

  @discardableResult
  public func saveNote() -> ClientNote? {
    let identifiers = noteForm.identifiers
      .split(whereSeparator: { $0 == "\n" || $0 == "," })
      .map(String.init)
      .filter { !$0.allSatisfy(\.isWhitespace) }
    let input = NoteInput(
      identifiers: identifiers, label: Field.optional(noteForm.label), risk: noteForm.risk,
      text: noteForm.text)
    do {
      let saved: ClientNote
      if let id = noteForm.editingId {
        saved = try session.updateNote(id: id, input: input, now: now())
      } else {
        saved = try session.addNote(input: input, now: now())
      }
      noteForm = NoteForm()
      state.noteMessage = nil
      reload()
      return saved
    } catch {
      state.noteMessage = FieldMessage.from(error)
      return nil
    }
  }

  public func deleteNote(_ id: String) {
    do {
      try session.deleteNote(id: id)
      state.noteMessage = nil
    } catch {
      state.noteMessage = FieldMessage.from(error)
    }
    reload()
  }
}
