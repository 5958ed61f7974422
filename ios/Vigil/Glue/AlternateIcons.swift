#if canImport(UIKit)
  import UIKit
  import VigilKit

  /// Camouflage: the alternate app icons (asset catalogue, `ASSETCATALOG_COMPILER_ALTERNATE
  /// _APPICON_NAMES` in project.yml). iOS shows a system alert after each change; nothing
  /// can suppress it.
  final class AlternateIcons: AppIconSetter {
    var currentIconName: String? { UIApplication.shared.alternateIconName }

    func setIcon(_ name: String?, completion: @escaping (Bool) -> Void) {
      guard UIApplication.shared.supportsAlternateIcons else { return completion(false) }
      UIApplication.shared.setAlternateIconName(name) { error in
        DispatchQueue.main.async { completion(error == nil) }
      }
    }
  }
#endif
