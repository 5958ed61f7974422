#if canImport(UIKit)
  import SwiftUI
  import VigilCore
  import VigilKit

  struct BookingsView: View {
    @ObservedObject var bookings: Observed<BookingsViewModel>
    @State private var editing = false

    var body: some View {
      let model = bookings.model
      NavigationStack {
        List {
          if model.state.unreadable > 0 {
            Text(
              String(
                format: NSLocalizedString("unreadable_records", comment: ""), model.state.unreadable
              )
            )
            .foregroundStyle(.orange)
          }
          ForEach(model.state.bookings, id: \.id) { booking in
            Button {
              model.edit(booking)
              editing = true
            } label: {
              VStack(alignment: .leading) {
                Text(booking.details.clientLabel).font(.headline)
                Text(booking.details.startsAt, style: .date)
                if let address = booking.details.address { Text(address).font(.caption) }
                // Over with no status: waiting for her word, never shown as done.
                if model.state.awaitingOutcome.contains(booking.id) {
                  Text("booking_past_no_status").font(.caption).foregroundStyle(.orange)
                } else {
                  Text(LocalizedStringKey(statusKey(booking.details.status))).font(.caption)
                }
                let checkins = model.checkins(for: booking.id)
                if !checkins.isEmpty {
                  Text(
                    String(
                      format: NSLocalizedString("booking_checkins", comment: ""), checkins.count)
                  )
                  .font(.caption)
                }
              }
            }
            .contextMenu {
              ForEach(BookingsViewModel.outcomes, id: \.self) { status in
                Button(LocalizedStringKey(statusKey(status))) {
                  model.setStatus(booking.id, status)
                }
              }
            }
          }
          .onDelete { rows in rows.forEach { model.delete(model.state.bookings[$0].id) } }
          if model.state.historyUnreadable > 0 {
            Text("checkin_unreadable").foregroundStyle(.orange)
          }
          if !model.state.history.isEmpty {
            Section(header: Text("history_title")) {
              ForEach(model.state.history, id: \.id) { ended in
                VStack(alignment: .leading) {
                  Text(ended.endedAt, style: .date)
                  // The duress code shows as a check-in, like the normal one.
                  Text(
                    LocalizedStringKey(ended.checkedIn ? "history_checked_in" : "history_cancelled")
                  )
                  .font(.caption)
                  if ended.escalated { Text("history_escalated").font(.caption) }
                }
              }
            }
          }
        }
        .onAppear { model.reload() }
        .navigationTitle("home_bookings")
        .toolbar {
          Button("add") { editing = true }
        }
        .sheet(isPresented: $editing) {
          BookingFormView(bookings: bookings, done: { editing = false })
        }
      }
    }
  }

  /// The string key of a booking status.
  func statusKey(_ status: BookingStatus) -> String {
    switch status {
    case .planned: return "status_planned"
    case .inProgress: return "status_in_progress"
    case .done: return "status_done"
    case .cancelled: return "status_cancelled"
    case .noShow: return "status_no_show"
    case .incident: return "status_incident"
    }
  }

  struct BookingFormView: View {
    @ObservedObject var bookings: Observed<BookingsViewModel>
    let done: () -> Void

    var body: some View {
      let model = bookings.model
      NavigationStack {
        Form {
          TextField("field_client", text: text(\.clientLabel))
          TextField("field_phone", text: text(\.clientPhone)).keyboardType(.phonePad)
          TextField("field_email", text: text(\.clientEmail)).keyboardType(.emailAddress)
          TextField("field_handle", text: text(\.clientHandle))
          DatePicker(
            "field_time",
            selection: Binding(get: { model.form.startsAt }, set: { model.form.startsAt = $0 }))
          TextField("field_address", text: text(\.address))
          TextField("field_latitude", text: text(\.latitude)).keyboardType(.decimalPad)
          TextField("field_longitude", text: text(\.longitude)).keyboardType(.decimalPad)
          TextField("field_terms", text: text(\.terms))
          TextField("field_notes", text: text(\.notes), axis: .vertical)
          Picker(
            "field_status",
            selection: Binding(get: { model.form.status }, set: { model.form.status = $0 })
          ) {
            ForEach(
              [BookingStatus.planned, .inProgress, .done, .cancelled, .noShow, .incident],
              id: \.self
            ) { Text(LocalizedStringKey(statusKey($0))).tag($0) }
          }
          MessageView(message: model.state.message)
        }
        .toolbar {
          Button("save") { if model.save() != nil { done() } }
        }
      }
    }

    private func text(_ path: WritableKeyPath<BookingsViewModel.Form, String>) -> Binding<String> {
      Binding(
        get: { bookings.model.form[keyPath: path] },
        set: { bookings.model.form[keyPath: path] = $0 })
    }
  }
#endif
