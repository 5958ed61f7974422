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
              "screen_hint", text: Binding(get: { model.query }, set: { model.query = $0 }))
            Button("screen_button") { model.screen() }
            MessageView(message: model.state.message)
          }
          if let result = model.state.result {
            Section {
              if model.resultIsIncomplete {
                Text("screen_incomplete").foregroundStyle(.orange)
              } else if result.matches.isEmpty {
                Text(
                  String(
                    format: NSLocalizedString("screen_nothing", comment: ""), result.normalized))
              }
              ForEach(Array(result.matches.enumerated()), id: \.offset) { _, match in
                VStack(alignment: .leading) {
                  Text(source(match.source)).font(.headline)
                  Text(match.detail)
                  if match.stale { Text("alert_stale").font(.caption).foregroundStyle(.orange) }
                }
              }
            }
          }
          Section(header: Text("notes_title")) {
            TextField(
              "field_identifiers",
              text: Binding(
                get: { model.noteForm.identifiers }, set: { model.noteForm.identifiers = $0 }),
              axis: .vertical)
            TextField(
              "field_label",
              text: Binding(get: { model.noteForm.label }, set: { model.noteForm.label = $0 }))
            TextField(
              "field_note",
              text: Binding(get: { model.noteForm.text }, set: { model.noteForm.text = $0 }),
              axis: .vertical)
            MessageView(message: model.state.noteMessage)
            Button("save") { model.saveNote() }
          }
        }
        .navigationTitle("home_screening")
      }
    }

    private func source(_ source: MatchSource) -> String {
      switch source {
      case .note(_, let label):
        return String(format: NSLocalizedString("your_note", comment: ""), label)
      case .alert(let publisher, _):
        return String(format: NSLocalizedString("reported_by", comment: ""), publisher)
      }
    }
  }
#endif
