#if canImport(UIKit)
  import SwiftUI
  import VigilCore
  import VigilKit

  struct CheckinView: View {
    @EnvironmentObject private var app: AppModel
    @ObservedObject var checkin: Observed<CheckinViewModel>
    @ObservedObject var buddies: Observed<BuddiesViewModel>

    var body: some View {
      let model = checkin.model
      NavigationStack {
        Form {
          // Said before every check-in: what an iPhone cannot do.
          Section {
            Text(L10n.text("ios_sms_limit")).font(.callout)
            Text(L10n.text("buddy_held_advice")).font(.callout).bold()
            if let problem = app.wakeProblem {
              Text(problem.text).foregroundStyle(.red)
            }
          }
          if model.state.unreadable > 0 {
            Text(L10n.text("checkin_unreadable")).foregroundStyle(.orange)
          }
          ForEach(model.state.checkins, id: \.id) { row in
            Section {
              TimelineView(.periodic(from: .now, by: 1)) { context in
                let countdown = Countdown(row: row, now: context.date)
                VStack(alignment: .leading) {
                  Text(countdown.stage.title).font(.headline)
                  Text(countdown.text).font(.system(.largeTitle, design: .monospaced))
                }
              }
              HStack {
                TextField(L10n.text("field_minutes"), text: form(\.extendMinutes)).keyboardType(
                  .numberPad)
                Button(L10n.text("checkin_extend")) { model.extend(row.id) }
              }
              Button(L10n.text("cancel"), role: .destructive) { model.cancel(row.id) }
            }
          }
          if !model.state.checkins.isEmpty {
            CheckinCodeView(checkin: checkin)
          }
          Section(header: Text(L10n.text("checkin_start"))) {
            DatePicker(
              L10n.text("field_deadline"),
              selection: Binding(get: { model.form.deadline }, set: { model.form.deadline = $0 }))
            ForEach(buddies.model.state.buddies, id: \.id) { buddy in
              Toggle(
                buddy.name,
                isOn: Binding(
                  get: { model.form.buddyIds.contains(buddy.id) },
                  set: { on in
                    model.form.buddyIds.removeAll { $0 == buddy.id }
                    if on { model.form.buddyIds.append(buddy.id) }
                  }))
            }
            TextField(L10n.text("field_reminder_minutes"), text: form(\.reminderMinutes))
              .keyboardType(
                .numberPad)
            TextField(L10n.text("field_grace_minutes"), text: form(\.graceMinutes)).keyboardType(
              .numberPad)
            TextField(L10n.text("field_repeat_minutes"), text: form(\.repeatMinutes)).keyboardType(
              .numberPad)
            MessageView(message: model.state.message)
            Button(L10n.text("checkin_start")) {
              app.scheduler.requestAuthorization { _ in model.start() }
            }
          }
        }
        .navigationTitle(L10n.text("home_checkin"))
        // The app's own wake-ups tick the core outside this screen: show what they left.
        .onAppear { model.reload() }
        .onChange(of: app.wakeProblem) { _, _ in model.reload() }
      }
    }

    private func form(_ path: WritableKeyPath<CheckinViewModel.Form, String>) -> Binding<String> {
      Binding(
        get: { checkin.model.form[keyPath: path] }, set: { checkin.model.form[keyPath: path] = $0 })
    }
  }

  /// The code field: the check-in code and the duress code look and answer the same.
  struct CheckinCodeView: View {
    @ObservedObject var checkin: Observed<CheckinViewModel>

    var body: some View {
      let model = checkin.model
      Section {
        SecureField(
          L10n.text("field_code"),
          text: Binding(get: { model.form.code }, set: { model.form.code = $0 })
        )
        .keyboardType(.numberPad)
        Button(L10n.text("checkin_ok")) { model.checkIn() }
        if model.state.lastCheckIn != nil { Text(L10n.text("checked_in")) }
        MessageView(message: model.state.message)
      }
    }
  }
#endif
