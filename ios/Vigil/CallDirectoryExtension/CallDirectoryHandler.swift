#if canImport(UIKit)
  import CallKit
  import Foundation

  /// The Call Directory extension: adds the labels the app handed over (ascending numbers,
  /// as CallKit requires; the core sorts them) and deletes the hand-over file. Without a
  /// file it adds nothing, so a reload after a panic wipe clears every label. It does not
  /// link the core: the file's format is VigilKit's `CallDirectoryHandOver.Entry`.
  final class CallDirectoryHandler: CXCallDirectoryProvider {
    private struct Entry: Decodable {
      let number: Int64
      let label: String
    }

    override func beginRequest(with context: CXCallDirectoryExtensionContext) {
      let file = FileManager.default
        .containerURL(forSecurityApplicationGroupIdentifier: "group.app.vigil")?
        .appendingPathComponent("call-labels.json")
      var entries: [Entry] = []
      if let file, let data = try? Data(contentsOf: file) {
        entries = (try? JSONDecoder().decode([Entry].self, from: data)) ?? []
        try? FileManager.default.removeItem(at: file)
      }
      for entry in entries {
        context.addIdentificationEntry(
          withNextSequentialPhoneNumber: CXCallDirectoryPhoneNumber(entry.number),
          label: entry.label)
      }
      context.completeRequest()
    }
  }
#endif
