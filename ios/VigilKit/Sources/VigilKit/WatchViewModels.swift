import Foundation
import VigilCore

/// "Watch over me" pairing (docs/checkin.md): show this phone's code, read the buddy's,
/// compare the six digits both screens show, save; then the pairings (remove, link to a
/// buddy) and, for the worker, whether each buddy's phone has her check-in. The checks
/// (code, digits, number) are the core's.
public final class PairingViewModel: ViewModel {
  public struct Form: Equatable, Sendable {
    /// The name this phone's code shows to the other side.
    public var ownName = ""
    /// The other phone's code, pasted or typed (`VGP1:...`).
    public var code = ""
    /// The six digits as read on the other phone.
    public var sas = ""
    /// Optional: a name for the pairing (else the one in the code), their number (for the
    /// SMS composer; without it the share sheet), the buddy it belongs to.
    public var name = ""
    public var phone = ""
    public var buddyId: String?
    /// A saved pairing's number as being edited, by pairing id (absent: its saved number).
    public var phones: [String: String] = [:]
    public init() {}
  }

  public struct State: Equatable, Sendable {
    /// This phone's code (text and QR content), once asked for.
    public var ownCode: String?
    /// The other code's name and the digits this screen shows: compare, then type the
    /// digits the other phone shows.
    public var preview: PairingPreview?
    public var pairings: [Pairing] = []
    /// The worker's check-ins that paired buddies watch, with each buddy's confirmation.
    public var sent: [SentWatch] = []
    public var saved: Pairing?
    public var message: FieldMessage?
  }

  public private(set) var state = State() {
    didSet { if state != oldValue { onChange?() } }
  }
  public var form = Form() {
    didSet {
      // Digits shown for another code would be compared against the wrong phone.
      if form.code != oldValue.code { state.preview = nil }
      if form != oldValue { onChange?() }
    }
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
      state.pairings = try session.listPairings()
      state.sent = try session.sentWatches()
    } catch {
      state.message = FieldMessage.from(error)
    }
  }

  /// This phone's code with `form.ownName` (for the share sheet and the QR code).
  public func showOwnCode() {
    do {
      state.ownCode = try session.ownPairingCode(name: form.ownName)
      state.message = nil
    } catch {
      state.ownCode = nil
      state.message = FieldMessage.from(error)
    }
  }

  /// Reads the pasted code: its name and the digits to compare.
  @discardableResult
  public func preview() -> PairingPreview? {
    do {
      let preview = try session.previewPairing(code: form.code)
      state.preview = preview
      state.message = nil
      return preview
    } catch {
      state.preview = nil
      state.message = FieldMessage.from(error)
      return nil
    }
  }

  /// Picks the buddy this pairing belongs to; their number fills an empty number field.
  public func choose(buddy: Buddy?) {
    form.buddyId = buddy?.id
    if let buddy, form.phone.isEmpty { form.phone = buddy.phone }
  }

  /// Saves the pairing; the core refuses it unless the typed digits are the ones both
  /// screens show.
  @discardableResult
  public func save() -> Pairing? {
    let input = PairingInput(
      code: form.code, sas: form.sas, name: Field.optional(form.name),
      phone: Field.optional(form.phone), buddyId: form.buddyId)
    do {
      let pairing = try session.addPairing(input: input, now: now())
      form = Form(ownName: form.ownName)
      state.preview = nil
      state.saved = pairing
      state.message = nil
      reload()
      return pairing
    } catch {
      state.saved = nil
      state.message = FieldMessage.from(error)
      return nil
    }
  }

  public func remove(_ id: String) {
    do {
      try session.removePairing(id: id)
      state.message = nil
    } catch {
      state.message = FieldMessage.from(error)
    }
    reload()
  }

  /// The number field of a saved pairing: what was typed, else its saved number.
  public func phoneField(_ pairing: Pairing) -> String {
    form.phones[pairing.id] ?? pairing.phone ?? ""
  }

  /// Changes a saved pairing's number to what its field holds (blank removes it: messages
  /// are then passed by hand). The core reads it as when pairing; a number it cannot read
  /// shows its error, keeps what was typed and changes nothing. Messages not handed out
  /// yet go to the new number.
  @discardableResult
  public func changePhone(_ id: String) -> Pairing? {
    guard let typed = form.phones[id] ?? state.pairings.first(where: { $0.id == id })?.phone
    else {
      return changePhone(id, to: nil)
    }
    return changePhone(id, to: Field.optional(typed))
  }

  private func changePhone(_ id: String, to phone: String?) -> Pairing? {
    do {
      let pairing = try session.setPairingPhone(id: id, phone: phone)
      form.phones[id] = nil
      state.message = FieldMessage(field: nil, message: .key("pairing_phone_changed"))
      reload()
      return pairing
    } catch {
      state.message = FieldMessage(field: "phone", message: FormMessage.from(error))
      return nil
    }
  }

  /// Links a pairing to a buddy (nil unlinks): check-ins with that buddy are then watched
  /// by their phone.
  public func link(_ id: String, buddyId: String?) {
    do {
      _ = try session.linkPairing(id: id, buddyId: buddyId)
      state.message = nil
    } catch {
      state.message = FieldMessage.from(error)
    }
    reload()
  }
}

extension PairingViewModel.Form {
  init(ownName: String) {
    self.init()
    self.ownName = ownName
  }
}

/// The buddy's side of "watch over me": iOS apps cannot read SMS, so a message from a
/// paired phone is pasted here (or shared into the app); the watches held for others, with
/// the alarm of each, and the acknowledgement. Works on the unlocked session or the locked
/// runner (the vault may be locked when a message arrives).
public final class WatchInboxViewModel: ViewModel {
  public struct Form: Equatable, Sendable {
    /// The pasted text (`VGL1:...`).
    public var text = ""
    public init() {}
  }

  public struct State: Equatable, Sendable {
    public var held: [HeldWatch] = []
    /// The alerts the driver raised (the alarm screen), latest notice per watch.
    public var alerts: [WatchAlert] = []
    /// The last message accepted: from whom and what it was.
    public var received: ReceivedMessage?
    public var message: FieldMessage?
  }

  public private(set) var state = State() {
    didSet { if state != oldValue { onChange?() } }
  }
  public var form = Form() {
    didSet { if form != oldValue { onChange?() } }
  }
  public var onChange: (() -> Void)?

  private let opened: EscalationSource
  private let driver: EscalationDriver
  private let now: () -> Date

  public init(
    source: EscalationSource, driver: EscalationDriver, now: @escaping () -> Date = Date.init
  ) {
    self.opened = source
    self.driver = driver
    self.now = now
    reload()
  }

  /// The source each call goes to: the one the screen opened with, or, once that session
  /// has locked (the core's idle lock, with the alarm screen still up), the driver's
  /// fallback (the locked runner): an alarm must stay acknowledgeable, and a pasted message
  /// receivable, whatever locked meanwhile.
  private var source: EscalationSource {
    if let session = opened as? Session, session.isLocked(),
      let fallback = try? driver.fallbackSource?()
    {
      return fallback
    }
    return opened
  }

  public func reload() {
    do {
      state.held = try source.heldWatches()
    } catch {
      state.message = FieldMessage.from(error)
    }
    state.alerts = driver.watchAlerts
  }

  /// Hands the pasted text to the core. Accepted: the field empties and the message is
  /// shown. Refused: the reason in the phone's language (`FormMessage.refusal`), the text
  /// stays and nothing was stored. Failed (the core threw): its error, the text stays. In
  /// every case the core's loop runs at once and the wake-ups follow it: an accepted
  /// message may alarm now (a DURESS-SAFE, a late WATCH) and queues its ACK; a refused
  /// replay of an accepted WATCH queues that ACK again (the worker's phone resends while it
  /// has none), which must not wait for the next wake-up.
  @discardableResult
  public func receive() -> ReceivedMessage? {
    let source = self.source
    var received: ReceivedMessage?
    var threw = false
    // The core's loop runs whatever became of the text (as Android's `finally`): a failed
    // receive must not leave the wake-ups and the messages due waiting for the next wake.
    do {
      switch try source.receiveWatch(text: form.text, now: now()) {
      case .accepted(let message):
        form.text = ""
        state.received = message
        state.message = nil
        received = message
      case .refused(let reason, _):
        state.received = nil
        state.message = FieldMessage(field: nil, message: .refusal(reason))
      }
    } catch {
      threw = true
      state.received = nil
      state.message = FieldMessage.from(error)
    }
    // The receive's own error stays on screen; the loop's shows otherwise.
    do {
      try driver.wake(source)
      if let error = driver.lastError, !threw {
        state.message = FieldMessage(field: nil, message: error)
      }
    } catch {
      if !threw { state.message = FieldMessage.from(error) }
    }
    reload()
    return received
  }

  /// Text shared into the app or pasted with the system paste button: received at once.
  @discardableResult
  public func receive(pasted text: String) -> ReceivedMessage? {
    form.text = text
    return receive()
  }

  /// She has seen the alarm and is acting: its remaining steps stop.
  public func acknowledge(_ watchId: String) {
    let source = self.source
    do {
      try source.acknowledgeWatch(watchId: watchId, now: now())
      driver.dismissWatchAlert(watchId)
      try driver.reschedule(source)
      state.message = nil
    } catch {
      state.message = FieldMessage.from(error)
    }
    reload()
  }
}
