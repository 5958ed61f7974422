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
    /// What waits, what is on screen, which call awaits her answer (VigilKit, tested).
    private let queue = ComposerQueue()
    /// The composer or share sheet on screen.
    private weak var presented: UIViewController?
    var onCallReturned: ((OutgoingRequest) -> Void)?

    func present(_ request: OutgoingRequest, completion: @escaping (ComposerResult) -> Void) {
      queue.add(request, completion: completion)
      presentNext()
    }

    /// The vault was wiped: the requests still waiting (a buddy's name, number and the
    /// message) are dropped unanswered, a composer or share sheet still open is closed, and
    /// a call waiting for her answer is forgotten (`ComposerQueue.dropAll`).
    func dropAll() {
      queue.dropAll()
      presented?.dismiss(animated: false)
      presented = nil
    }

    /// Called when the app becomes active.
    func presentNext() {
      guard queue.canShowNext, UIApplication.shared.applicationState == .active,
        let top = Self.topViewController(), let request = queue.takeNext()
      else { return }
      switch request.via {
      case .sms:
        guard MFMessageComposeViewController.canSendText() else { return finish(.failed) }
        let composer = MFMessageComposeViewController()
        composer.recipients = request.recipients
        composer.body = request.body
        composer.messageComposeDelegate = self
        presented = composer
        top.present(composer, animated: true)
      case .call:
        guard let number = request.recipients.first,
          let url = URL(string: "tel://\(number.filter { $0 == "+" || $0.isNumber })")
        else { return callAnswered(.failed) }
        let asked = queue.generation
        UIApplication.shared.open(url) { [weak self] opened in
          // Wiped while the call sheet opened: nothing to ask about.
          guard let self, self.queue.generation == asked else { return }
          if opened { self.onCallReturned?(request) } else { self.callAnswered(.failed) }
        }
      case .otherApp:
        let sheet = UIActivityViewController(
          activityItems: [request.body], applicationActivities: nil)
        sheet.completionWithItemsHandler = { [weak self] _, completed, _, _ in
          self?.finish(completed ? .sent : .cancelled)
        }
        presented = sheet
        top.present(sheet, animated: true)
      }
    }

    /// Her answer after a call: connected or not.
    func callAnswered(_ result: ComposerResult) {
      queue.callAnswered(result)
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
      presented = nil
      queue.finished(result)
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
