import Foundation

/// The system composer's bookkeeping, apart from UIKit so that it is tested on Linux: the
/// requests waiting, the composer or sheet on screen, the call waiting for her answer ("did
/// the call get through?"). One thing at a time: nothing new is shown while a composer is
/// open or a call is unanswered. A wipe (`dropAll`) must clear all three, or a call left
/// unanswered would keep every later message (the next vault's too) off the screen.
public final class ComposerQueue {
  public typealias Completion = (ComposerResult) -> Void

  private var waiting: [(OutgoingRequest, Completion)] = []
  private var current: Completion?
  private var pendingCall: Completion?
  /// Bumped by `dropAll`: an answer to something from before it (a call sheet's hand-back)
  /// is recognised and ignored.
  public private(set) var generation = 0

  public init() {}

  public func add(_ request: OutgoingRequest, completion: @escaping Completion) {
    waiting.append((request, completion))
  }

  /// A request is waiting and nothing is on screen or unanswered.
  public var canShowNext: Bool { current == nil && pendingCall == nil && !waiting.isEmpty }

  /// Whether a call waits for her answer.
  public var callPending: Bool { pendingCall != nil }

  /// The next request, now counted as on screen: a call until `callAnswered`, anything
  /// else until `finished`. Nil when `canShowNext` is false.
  public func takeNext() -> OutgoingRequest? {
    guard canShowNext else { return nil }
    let (request, completion) = waiting.removeFirst()
    if request.via == .call { pendingCall = completion } else { current = completion }
    return request
  }

  /// The composer or sheet closed (or could not open): its completion, once.
  public func finished(_ result: ComposerResult) {
    let completion = current
    current = nil
    completion?(result)
  }

  /// Her answer after a call (or the call could not be placed): its completion, once.
  public func callAnswered(_ result: ComposerResult) {
    let completion = pendingCall
    pendingCall = nil
    completion?(result)
  }

  /// The vault was wiped: everything waiting, on screen or unanswered is forgotten without
  /// an answer (the driver already forgot it and its vault is gone).
  public func dropAll() {
    waiting = []
    current = nil
    pendingCall = nil
    generation += 1
  }
}
