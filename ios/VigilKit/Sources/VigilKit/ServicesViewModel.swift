import Foundation
import VigilCore

/// Services near me (from the phone's location or a typed point) and search by name or
/// postcode, over the directory bundles she imported.
public final class ServicesViewModel: ViewModel {
  public struct Form: Equatable, Sendable {
    public var latitude = ""
    public var longitude = ""
    public var radiusKm = "5"
    public var categories: [String] = []
    public var openNow = false
    public var search = ""
    public init() {}
  }

  public struct State: Equatable, Sendable {
    public var services: [ServiceHit] = []
    /// Open state unknown then: shown apart and labelled, never as open.
    public var maybeOpen: [ServiceHit] = []
    public var unreadable = 0
    /// Publishers whose bundle is incomplete: ask for it again.
    public var incompletePublishers: [String] = []
    public var message: FieldMessage?
  }

  public private(set) var state = State() {
    didSet { if state != oldValue { onChange?() } }
  }
  public var form = Form() {
    didSet { if form != oldValue { onChange?() } }
  }
  public var onChange: (() -> Void)?

  private let session: Session
  private let now: () -> Date
  public static let limit: UInt32 = 50

  public init(session: Session, now: @escaping () -> Date = Date.init) {
    self.session = session
    self.now = now
  }

  /// Fills the point from the phone's location (Core Location in the app).
  public func use(latitude: Double, longitude: Double) {
    form.latitude = String(latitude)
    form.longitude = String(longitude)
  }

  public func nearby() {
    do {
      let at = now()
      guard let latitude = try Field.optionalDouble(form.latitude, field: "latitude") else {
        throw FieldError(field: "latitude")
      }
      guard let longitude = try Field.optionalDouble(form.longitude, field: "longitude") else {
        throw FieldError(field: "longitude")
      }
      guard let radius = try Field.optionalDouble(form.radiusKm, field: "radius") else {
        throw FieldError(field: "radius")
      }
      let query = NearbyInput(
        latitude: latitude, longitude: longitude, radiusKm: radius, limit: Self.limit,
        categories: form.categories, openAt: form.openNow ? at : nil,
        includeMaybeOpen: form.openNow)
      show(try session.nearbyServices(query: query, now: at))
    } catch {
      state.message = FieldMessage.from(error)
    }
  }

  public func search() {
    do {
      show(try session.searchServices(text: form.search, limit: Self.limit, now: now()))
    } catch {
      state.message = FieldMessage.from(error)
    }
  }

  private func show(_ listing: ServiceListing) {
    state = State(
      services: listing.services, maybeOpen: listing.maybeOpen,
      unreadable: listing.unreadableIds.count,
      incompletePublishers: listing.incompletePublishers, message: nil)
  }
}
