#if canImport(UIKit)
  import MessageUI
  import UIKit
  import VigilKit

  /// Presents what iOS allows for a buddy message. iOS cannot send an SMS or place a call
  /// without the person confirming it: the SMS opens `MFMessageComposeViewController`
  /// prefilled (she taps Send), a call opens the call sheet, another app the share sheet.
  /// Requests that arrive while the app is in the background wait for it to come forward
  /// (the escalation notification brings her back).
  final class SystemComposer: NSObject, MessageComposer, MFMessageComposeViewControllerDelegate {
    private var queue: [(OutgoingRequest, (ComposerResult) -> Void)] = []
    private var current: ((ComposerResult) -> Void)?
    /// The composer or share sheet on screen for `current`.
    private weak var presented: UIViewController?
    /// Bumped by `dropAll`: a call sheet's hand-back from before a wipe is ignored.
    private var generation = 0
    /// Set by the call sheet: the answer comes from her ("Did the call get through?").
    var pendingCall: ((ComposerResult) -> Void)?
    var onCallReturned: ((OutgoingRequest) -> Void)?

    func present(_ request: OutgoingRequest, completion: @escaping (ComposerResult) -> Void) {
      queue.append((request, completion))
      presentNext()
    }

    /// The vault was wiped: the requests still waiting (a buddy's name, number and the
    /// message) are dropped unanswered, a composer or share sheet still open is closed, and
    /// a call waiting for her answer is forgotten. Unanswered: the driver already forgot
    /// them (`EscalationDriver.forget`) and the vault they would report to is gone. Left
    /// set, `current` or `pendingCall` would keep `presentNext` from ever showing the next
    /// vault's messages.
    func dropAll() {
      queue = []
      current = nil
      pendingCall = nil
      generation += 1
      presented?.dismiss(animated: false)
      presented = nil
    }

    /// Called when the app becomes active.
    func presentNext() {
      guard current == nil, pendingCall == nil, !queue.isEmpty,
        UIApplication.shared.applicationState == .active,
        let top = Self.topViewController()
      else { return }
      let (request, completion) = queue.removeFirst()
      switch request.via {
      case .sms:
        guard MFMessageComposeViewController.canSendText() else {
          completion(.failed)
          return presentNext()
        }
        let composer = MFMessageComposeViewController()
        composer.recipients = request.recipients
        composer.body = request.body
        composer.messageComposeDelegate = self
        current = completion
        presented = composer
        top.present(composer, animated: true)
      case .call:
        guard let number = request.recipients.first,
          let url = URL(string: "tel://\(number.filter { $0 == "+" || $0.isNumber })")
        else {
          completion(.failed)
          return presentNext()
        }
        pendingCall = completion
        let asked = generation
        UIApplication.shared.open(url) { [weak self] opened in
          // Wiped while the call sheet opened: nothing to ask about.
          guard let self, self.generation == asked else { return }
          if !opened {
            self.pendingCall = nil
            completion(.failed)
          } else {
            self.onCallReturned?(request)
          }
        }
      case .otherApp:
        let sheet = UIActivityViewController(
          activityItems: [request.body], applicationActivities: nil)
        current = completion
        presented = sheet
        sheet.completionWithItemsHandler = { [weak self] _, completed, _, _ in
          self?.finish(completed ? .sent : .cancelled)
        }
        top.present(sheet, animated: true)
      }
    }

    /// Her answer after a call: connected or not.
    func callAnswered(_ result: ComposerResult) {
      let completion = pendingCall
      pendingCall = nil
      completion?(result)
      presentNext()
    }

    func messageComposeViewController(
      _ controller: MFMessageComposeViewController, didFinishWith result: MessageComposeResult
    ) {
      controller.dismiss(animated: true)
      switch result {
      case .sent: finish(.sent)
      case .cancelled: finish(.cancelled)
      default: finish(.failed)
      }
    }

    private func finish(_ result: ComposerResult) {
      let completion = current
      current = nil
      presented = nil
      completion?(result)
      presentNext()
    }

    private static func topViewController() -> UIViewController? {
      let scene = UIApplication.shared.connectedScenes.first {
        $0.activationState == .foregroundActive
      }
      var top = (scene as? UIWindowScene)?.keyWindow?.rootViewController
      while let presented = top?.presentedViewController { top = presented }
      return top
    }
  }
#endif
