#if canImport(UIKit)
  import Combine
  import SwiftUI
  import VigilKit

  /// Makes a VigilKit view model observable by SwiftUI (VigilKit itself stays
  /// Foundation-only so it builds and runs its tests on Linux).
  final class Observed<Model: ViewModel>: ObservableObject {
    let model: Model

    init(_ model: Model) {
      self.model = model
      model.onChange = { [weak self] in self?.objectWillChange.send() }
    }
  }

  /// A form's error under its fields, red, read out by VoiceOver.
  struct MessageView: View {
    let message: FieldMessage?

    var body: some View {
      if let message {
        Text(message.message.text)
          .foregroundStyle(.red)
          .font(.callout)
          .accessibilityAddTraits(.isStaticText)
      }
    }
  }
#endif
