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
            Text(L10n.format("unreadable_records", model.state.unreadable))
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
                let awaiting = model.state.awaitingOutcome.contains(booking.id)
                Text(model.statusText(booking)).font(.caption)
                  .foregroundStyle(awaiting ? Color.orange : Color.primary)
                if awaiting {
                  Text(L10n.text("booking_outcome_question")).font(.caption)
                }
                if let checkins = model.checkinsText(for: booking.id) {
                  Text(checkins).font(.caption)
                }
              }
            }
            .contextMenu {
              ForEach(BookingsViewModel.outcomes, id: \.self) { status in
                Button(status.title) {
                  model.setStatus(booking.id, status)
                }
              }
            }
          }
          .onDelete { rows in rows.forEach { model.delete(model.state.bookings[$0].id) } }
          if model.state.historyUnreadable > 0 {
            Text(L10n.text("checkin_unreadable")).foregroundStyle(.orange)
          }
          if !model.state.history.isEmpty {
            Section(header: Text(L10n.text("home_history"))) {
              ForEach(model.state.history, id: \.id) { ended in
                VStack(alignment: .leading) {
                  // The duress code shows as a check-in, like the normal one.
                  ForEach(model.historyText(ended), id: \.self) { Text($0) }
                }
              }
            }
          }
        }
        .onAppear { model.reload() }
        .navigationTitle(L10n.text("home_bookings"))
        .toolbar {
          Button(L10n.text("add")) { editing = true }
        }
        .sheet(isPresented: $editing) {
          BookingFormView(bookings: bookings, done: { editing = false })
        }
      }
    }
  }

  struct BookingFormView: View {
    @ObservedObject var bookings: Observed<BookingsViewModel>
    let done: () -> Void

    var body: some View {
      let model = bookings.model
      NavigationStack {
        Form {
          TextField(L10n.text("field_client"), text: text(\.clientLabel))
          TextField(L10n.text("field_phone"), text: text(\.clientPhone)).keyboardType(.phonePad)
          TextField(L10n.text("field_email"), text: text(\.clientEmail)).keyboardType(.emailAddress)
          TextField(L10n.text("field_handle"), text: text(\.clientHandle))
          DatePicker(
            L10n.text("field_starts_at"),
            selection: Binding(get: { model.form.startsAt }, set: { model.form.startsAt = $0 }))
          TextField(L10n.text("field_address"), text: text(\.address))
          TextField(L10n.text("field_latitude"), text: text(\.latitude)).keyboardType(.decimalPad)
          TextField(L10n.text("field_longitude"), text: text(\.longitude)).keyboardType(.decimalPad)
          TextField(L10n.text("field_terms"), text: text(\.terms))
          TextField(L10n.text("field_notes"), text: text(\.notes), axis: .vertical)
          Picker(
            L10n.text("booking_status"),
            selection: Binding(get: { model.form.status }, set: { model.form.status = $0 })
          ) {
            ForEach(BookingStatus.all, id: \.self) { Text($0.title).tag($0) }
          }
          MessageView(message: model.state.message)
        }
        .toolbar {
          Button(L10n.text("save")) { if model.save() != nil { done() } }
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
