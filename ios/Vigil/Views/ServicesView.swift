#if canImport(UIKit)
  import CoreLocation
  import SwiftUI
  import VigilCore
  import VigilKit

  struct ServicesView: View {
    @ObservedObject var services: Observed<ServicesViewModel>

    var body: some View {
      let model = services.model
      NavigationStack {
        List {
          Section {
            TextField(L10n.text("field_search"), text: field(\.search))
            Button(L10n.text("search")) { model.search() }
            TextField(L10n.text("field_latitude"), text: field(\.latitude)).keyboardType(
              .decimalPad)
            TextField(L10n.text("field_longitude"), text: field(\.longitude)).keyboardType(
              .decimalPad)
            TextField(L10n.text("field_radius_km"), text: field(\.radiusKm)).keyboardType(
              .decimalPad)
            Toggle(
              L10n.text("open_now"),
              isOn: Binding(get: { model.form.openNow }, set: { model.form.openNow = $0 }))
            Button(L10n.text("services_nearby")) { model.nearby() }
            MessageView(message: model.state.message)
          }
          ForEach(model.state.incompletePublishers, id: \.self) { publisher in
            Text(L10n.format("incomplete_publisher", publisher))
              .foregroundStyle(.orange)
          }
          ForEach(model.state.services, id: \.id) { hit in ServiceRow(hit: hit, maybe: false) }
          if !model.state.maybeOpen.isEmpty {
            Section(header: Text(L10n.text("maybe_open"))) {
              ForEach(model.state.maybeOpen, id: \.id) { hit in ServiceRow(hit: hit, maybe: true) }
            }
          }
        }
        .navigationTitle(L10n.text("home_services"))
      }
    }

    private func field(_ path: WritableKeyPath<ServicesViewModel.Form, String>) -> Binding<String> {
      Binding(
        get: { services.model.form[keyPath: path] },
        set: { services.model.form[keyPath: path] = $0 })
    }
  }

  struct ServiceRow: View {
    let hit: ServiceHit
    let maybe: Bool

    var body: some View {
      VStack(alignment: .leading) {
        Text(hit.name).font(.headline)
        Text(
          Measurement(value: hit.distanceM, unit: UnitLength.meters),
          format: .measurement(width: .abbreviated))
        Text(maybe ? L10n.text("maybe_open") : hit.openState.title)
        if let phone = hit.phone,
          let url = URL(string: "tel://\(phone.filter { $0 == "+" || $0.isNumber })")
        {
          Link(phone, destination: url)
        }
      }
    }
  }
#endif
