import Foundation
import VigilCore

/// Buddies and the check-in codes.
public final class BuddiesViewModel: ViewModel {
  public struct BuddyForm: Equatable, Sendable {
    public var editingId: String?
    public var name = ""
    /// As typed; a number without a country code is read in her region by the core.
    public var phone = ""
    public var channel: Channel = .sms
    public var language = "en"
    public init() {}
  }

  public struct CodesForm: Equatable, Sendable {
    public var code = ""
    public var duressCode = ""
    public init() {}
  }

  public struct State: Equatable, Sendable {
    public var buddies: [Buddy] = []
    public var unreadable = 0
    public var message: FieldMessage?
    public var codesMessage: FieldMessage?
    public var codesSaved = false
  }

  public private(set) var state = State() {
    didSet { if state != oldValue { onChange?() } }
  }
  public var form = BuddyForm() {
    didSet { if form != oldValue { onChange?() } }
  }
  public var codes = CodesForm() {
    didSet { if codes != oldValue { onChange?() } }
  }
  public var onChange: (() -> Void)?

  private let session: Session

  public init(session: Session) {
    self.session = session
    reload()
  }

  /// The languages buddy messages can be written in (the core's list).
  public var languages: [MessageLanguage] { messageLanguages() }

  public func reload() {
    do {
      let listing = try session.listBuddies()
      state.buddies = listing.buddies
      state.unreadable = listing.unreadableIds.count
    } catch {
      state.message = FieldMessage.from(error)
    }
  }

  @discardableResult
  public func save() -> Buddy? {
    let input = BuddyInput(
      name: form.name, phone: form.phone, channel: form.channel, language: form.language,
      plainLetters: nil)
    do {
      let saved: Buddy
      if let id = form.editingId {
        saved = try session.updateBuddy(id: id, input: input)
      } else {
        saved = try session.addBuddy(input: input)
      }
      form = BuddyForm()
      state.message = nil
      reload()
      return saved
    } catch {
      state.message = FieldMessage.from(error)
      return nil
    }
  }

  public func edit(_ buddy: Buddy) {
    var f = BuddyForm()
    f.editingId = buddy.id
    f.name = buddy.name
    f.phone = buddy.phone
    f.channel = buddy.channel
    f.language = buddy.language
    form = f
  }

  public func remove(_ id: String) {
    do {
      try session.removeBuddy(id: id)
      state.message = nil
    } catch {
      state.message = FieldMessage.from(error)
    }
    reload()
  }

  public func saveCodes() {
    do {
      try session.setCheckinCodes(code: codes.code, duressCode: codes.duressCode)
      // The codes are not kept on screen once stored.
      codes = CodesForm()
      state.codesMessage = nil
      state.codesSaved = true
    } catch {
      state.codesMessage = FieldMessage.from(error)
      state.codesSaved = false
    }
  }
}
