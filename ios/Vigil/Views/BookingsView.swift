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
              }
            }
          }
          .onDelete { rows in rows.forEach { model.delete(model.state.bookings[$0].id) } }
        }
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
