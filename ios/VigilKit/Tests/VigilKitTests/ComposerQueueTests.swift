import Foundation
import XCTest

@testable import VigilKit

/// The composer's bookkeeping across a wipe: a composer on screen or a call she has not
/// answered yet must not outlive the vault, or the next vault's messages never show.
final class ComposerQueueTests: XCTestCase {
  private func request(_ id: String, _ via: OutgoingRequest.Via) -> OutgoingRequest {
    OutgoingRequest(
      actionId: id, via: via, recipients: ["+447400123456"], buddyName: "Ana",
      body: "Mia missed her check-in at 12 Example Street")
  }

  func testOneThingAtATime() {
    let queue = ComposerQueue()
    var answers: [String] = []
    queue.add(request("a", .call)) { answers.append("a \($0)") }
    queue.add(request("b", .sms)) { answers.append("b \($0)") }
    XCTAssertEqual(queue.takeNext()?.actionId, "a")
    XCTAssertTrue(queue.callPending)
    XCTAssertNil(queue.takeNext(), "nothing else while the call is unanswered")
    queue.callAnswered(.sent)
    XCTAssertEqual(queue.takeNext()?.actionId, "b")
    XCTAssertNil(queue.takeNext())
    queue.finished(.cancelled)
    XCTAssertEqual(answers, ["a sent", "b cancelled"])
  }

  /// A call placed during the panic wipe's window and never answered: after the wipe the
  /// next vault's message is shown at once, and the old call's answer goes nowhere.
  func testAWipeForgetsAnUnansweredCall() {
    let queue = ComposerQueue()
    var answers: [String] = []
    queue.add(request("call", .call)) { answers.append("call \($0)") }
    queue.add(request("waiting", .sms)) { answers.append("waiting \($0)") }
    XCTAssertEqual(queue.takeNext()?.actionId, "call")
    let before = queue.generation
    queue.dropAll()
    XCTAssertNotEqual(queue.generation, before, "a hand-back from before is recognised")
    XCTAssertFalse(queue.callPending)
    XCTAssertFalse(queue.canShowNext, "what waited is gone")
    queue.add(request("next vault", .sms)) { answers.append("next \($0)") }
    XCTAssertEqual(queue.takeNext()?.actionId, "next vault")
    queue.callAnswered(.sent)
    queue.finished(.sent)
    XCTAssertEqual(answers, ["next sent"], "nothing from before the wipe is answered")
  }

  /// A composer open during the wipe: forgotten too (the app closes its screen).
  func testAWipeForgetsAnOpenComposer() {
    let queue = ComposerQueue()
    var answers: [String] = []
    queue.add(request("open", .otherApp)) { answers.append("open \($0)") }
    XCTAssertEqual(queue.takeNext()?.actionId, "open")
    queue.dropAll()
    queue.finished(.sent)
    queue.add(request("next vault", .sms)) { answers.append("next \($0)") }
    XCTAssertEqual(queue.takeNext()?.actionId, "next vault")
    XCTAssertEqual(answers, [])
  }
}
