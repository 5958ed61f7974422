#if canImport(UIKit)
  import SwiftUI
  import VigilCore
  import VigilKit

  struct ScreeningView: View {
    @ObservedObject var screening: Observed<ScreeningViewModel>

    var body: some View {
      let model = screening.model
      NavigationStack {
        Form {
          Section {
            TextField(
              L10n.text("screen_hint"),
              text: Binding(get: { model.query }, set: { model.query = $0 }))
            Button(L10n.text("screen_button")) { model.screen() }
            MessageView(message: model.state.message)
          }
          if let result = model.state.result {
            Section {
              if model.resultIsIncomplete {
                Text(L10n.text("screen_incomplete")).foregroundStyle(.orange)
              } else if result.matches.isEmpty {
                Text(L10n.format("screen_nothing", result.normalized))
              }
              ForEach(Array(result.matches.enumerated()), id: \.offset) { _, match in
                VStack(alignment: .leading) {
                  Text(match.source.title).font(.headline)
                  Text(match.detail)
                  if match.stale {
                    Text(L10n.text("alert_stale")).font(.caption).foregroundStyle(.orange)
                  }
                }
              }
            }
          }
          Section(header: Text(L10n.text("notes_title"))) {
            TextField(
              L10n.text("field_identifiers"),
              text: Binding(
                get: { model.noteForm.identifiers }, set: { model.noteForm.identifiers = $0 }),
              axis: .vertical)
            TextField(
              L10n.text("field_label"),
              text: Binding(get: { model.noteForm.label }, set: { model.noteForm.label = $0 }))
            TextField(
              L10n.text("field_note"),
              text: Binding(get: { model.noteForm.text }, set: { model.noteForm.text = $0 }),
              axis: .vertical)
            MessageView(message: model.state.noteMessage)
            Button(L10n.text("save")) { model.saveNote() }
          }
        }
        .navigationTitle(L10n.text("home_screening"))
      }
    }
  }
#endif
