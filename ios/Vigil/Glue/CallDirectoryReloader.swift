#if canImport(UIKit)
  import CallKit
  import Foundation
  import VigilCore
  import VigilKit

  /// Feeds the Call Directory extension from the core's call-label list: the entries are
  /// written (complete file protection) to the app group's container, the extension is
  /// reloaded, reads them once and deletes the file. With an empty list (panic wipe, or
  /// labelling off) iOS forgets every label.
  enum CallDirectoryReloader {
    static let appGroup = "group.app.vigil"
    static let fileName = "call-labels.json"
    static let extensionId = "app.vigil.Vigil.CallDirectory"

    /// `attempts`: how many times the reload is tried, 2 s apart, while iOS refuses it
    /// (typically `currentlyLoading`: a reload she started a moment ago).
    static func reload(
      _ labels: [CallLabel], attempts: Int = 1, done: @escaping (Bool) -> Void
    ) {
      guard
        let container = FileManager.default.containerURL(
          forSecurityApplicationGroupIdentifier: appGroup)
      else { return done(false) }
      let file = container.appendingPathComponent(fileName)
      do {
        let data = try CallDirectoryHandOver.encode(CallDirectoryHandOver.entries(labels))
        try data.write(to: file, options: [.atomic, .completeFileProtection])
      } catch {
        return done(false)
      }
      CXCallDirectoryManager.sharedInstance.reloadExtension(withIdentifier: extensionId) {
        error in
        try? FileManager.default.removeItem(at: file)
        guard error != nil, attempts > 1 else { return done(error == nil) }
        DispatchQueue.main.asyncAfter(deadline: .now() + 2) {
          reload(labels, attempts: attempts - 1, done: done)
        }
      }
    }
  }
#endif
