import Foundation
import XCTest

@testable import VigilKit

/// `PendingSet` against a center that lists its pending ids only later, as the real one.
final class NotificationTests: XCTestCase {
  private func wake(_ id: String) -> NotificationRequest {
    NotificationRequest(
      id: "vigil.wake." + id, fireAt: t0, kind: .wake, titleKey: "watch_title",
      body: "watch_wake_body", bodyIsKey: true, timeSensitive: true)
  }

  func testAReplaceKeepsTheNewestSetWhateverOrderTheLateListsComeIn() {
    let center = RecordingScheduler()
    // Left by an earlier run of the app, and one of another kind.
    center.add(wake("old"))
    center.add(
      NotificationRequest(
        id: "vigil.notice.x", fireAt: t0, kind: .notice, titleKey: "notice_title", body: "x",
        bodyIsKey: false, timeSensitive: true))
    let set = PendingSet(center: center)
    set.replace(prefix: "vigil.wake.", with: [wake("a"), wake("b")])
    set.replace(prefix: "vigil.wake.", with: [wake("a"), wake("c")])
    // What this run asked for before and no longer wants goes at once.
    XCTAssertNil(center.pending["vigil.wake.b"])
    XCTAssertNotNil(center.pending["vigil.wake.old"], "not known until the list comes")
    center.answerPendingLists()
    XCTAssertEqual(
      Set(center.pending.keys), ["vigil.wake.a", "vigil.wake.c", "vigil.notice.x"])
    // An empty set empties the prefix.
    set.replace(prefix: "vigil.wake.", with: [])
    center.answerPendingLists()
    XCTAssertEqual(Set(center.pending.keys), ["vigil.notice.x"])
  }
}
