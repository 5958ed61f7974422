import Foundation
import VigilCore

/// Bookings: the list (with what could not be read, and which are over with no status
/// yet), the add / edit form, the quick status (done, cancelled, no-show) and the check-in
/// history.
public final class BookingsViewModel: ViewModel {
  public struct Form: Equatable, Sendable {
    /// nil: a new booking.
    public var editingId: String?
    public var clientLabel = ""
    public var clientPhone = ""
    public var clientEmail = ""
    public var clientHandle = ""
    public var startsAt: Date
    public var endsAt: Date?
    public var kind: BookingKind = .outcall
    public var address = ""
    /// As typed (a map pin fills them in).
    public var latitude = ""
    public var longitude = ""
    public var terms = ""
    public var notes = ""
    public var status: BookingStatus = .planned
    public init(startsAt: Date) { self.startsAt = startsAt }
  }

  public struct State: Equatable, Sendable {
    public var bookings: [Booking] = []
    public var unreadable = 0
    /// "Past, no status": the bookings over and still planned or in progress (the core's
    /// rule), shown as waiting for her word, never as done.
    public var awaitingOutcome: Set<String> = []
    /// Ended check-ins, latest first (empty in a decoy), and those that could not be read.
    public var history: [EndedCheckin] = []
    public var historyUnreadable = 0
    public var message: FieldMessage?
  }

  /// The statuses a past booking can be given from the list in one tap.
  public static let outcomes: [BookingStatus] = [.done, .cancelled, .noShow]

  public private(set) var state = State() {
    didSet { if state != oldValue { onChange?() } }
  }
  public var form: Form {
    didSet { if form != oldValue { onChange?() } }
  }
  public var onChange: (() -> Void)?

  private let session: Session
  private let now: () -> Date

  public init(session: Session, now: @escaping () -> Date = Date.init) {
    self.session = session
    self.now = now
    form = Form(startsAt: now())
    reload()
  }

  public func reload() {
    do {
      let listing = try session.listBookings(from: nil, to: nil)
      state.bookings = listing.bookings
      state.unreadable = listing.unreadableIds.count
      state.awaitingOutcome = Set(try session.bookingsAwaitingOutcome(now: now()))
      let history = try session.checkinHistory()
      state.history = history.entries
      state.historyUnreadable = history.unreadableIds.count
    } catch {
      state.message = FieldMessage.from(error)
    }
  }

  /// Adds or updates; on failure the form keeps everything typed.
  @discardableResult
  public func save() -> Booking? {
    do {
      let input = BookingInput(
        clientLabel: form.clientLabel, clientPhone: Field.optional(form.clientPhone),
        clientEmail: Field.optional(form.clientEmail),
        clientHandle: Field.optional(form.clientHandle), startsAt: form.startsAt,
        endsAt: form.endsAt, kind: form.kind, address: Field.optional(form.address),
        latitude: try Field.optionalDouble(form.latitude, field: "latitude"),
        longitude: try Field.optionalDouble(form.longitude, field: "longitude"),
        terms: Field.optional(form.terms), notes: Field.optional(form.notes),
        status: form.status)
      let saved: Booking
      if let id = form.editingId {
        saved = try session.updateBooking(id: id, input: input, now: now())
      } else {
        saved = try session.addBooking(input: input, now: now())
      }
      form = Form(startsAt: now())
      state.message = nil
      reload()
      return saved
    } catch {
      state.message = FieldMessage.from(error)
      return nil
    }
  }

  /// Fills the form with a stored booking.
  public func edit(_ booking: Booking) {
    let d = booking.details
    var f = Form(startsAt: d.startsAt)
    f.editingId = booking.id
    f.clientLabel = d.clientLabel
    f.clientPhone = d.clientPhone ?? ""
    f.clientEmail = d.clientEmail ?? ""
    f.clientHandle = d.clientHandle ?? ""
    f.endsAt = d.endsAt
    f.kind = d.kind
    f.address = d.address ?? ""
    f.latitude = d.latitude.map { String($0) } ?? ""
    f.longitude = d.longitude.map { String($0) } ?? ""
    f.terms = d.terms ?? ""
    f.notes = d.notes ?? ""
    f.status = d.status
    form = f
  }

  /// Sets a booking's status (done, cancelled, no-show, ...) and keeps everything else.
  public func setStatus(_ id: String, _ status: BookingStatus) {
    guard let booking = state.bookings.first(where: { $0.id == id }) else { return }
    var details = booking.details
    details.status = status
    do {
      _ = try session.updateBooking(id: id, input: details, now: now())
      state.message = nil
    } catch {
      state.message = FieldMessage.from(error)
    }
    reload()
  }

  /// The check-ins armed for a booking, latest first.
  public func checkins(for bookingId: String) -> [EndedCheckin] {
    state.history.filter { $0.bookingId == bookingId }
  }

  public func delete(_ id: String) {
    do {
      try session.deleteBooking(id: id)
      state.message = nil
    } catch {
      state.message = FieldMessage.from(error)
    }
    reload()
  }
}
