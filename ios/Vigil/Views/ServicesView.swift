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
            TextField("field_search", text: field(\.search))
            Button("search") { model.search() }
            TextField("field_latitude", text: field(\.latitude)).keyboardType(.decimalPad)
            TextField("field_longitude", text: field(\.longitude)).keyboardType(.decimalPad)
            TextField("field_radius_km", text: field(\.radiusKm)).keyboardType(.decimalPad)
            Toggle(
              "open_now",
              isOn: Binding(get: { model.form.openNow }, set: { model.form.openNow = $0 }))
            Button("services_nearby") { model.nearby() }
            MessageView(message: model.state.message)
          }
          ForEach(model.state.incompletePublishers, id: \.self) { publisher in
            Text(String(format: NSLocalizedString("incomplete_publisher", comment: ""), publisher))
              .foregroundStyle(.orange)
          }
          ForEach(model.state.services, id: \.id) { hit in ServiceRow(hit: hit, maybe: false) }
          if !model.state.maybeOpen.isEmpty {
            Section(header: Text("maybe_open")) {
              ForEach(model.state.maybeOpen, id: \.id) { hit in ServiceRow(hit: hit, maybe: true) }
            }
          }
        }
        .navigationTitle("home_services")
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
        Text(LocalizedStringKey(maybe ? "maybe_open" : state(hit.openState)))
        if let phone = hit.phone,
          let url = URL(string: "tel://\(phone.filter { $0 == "+" || $0.isNumber })")
        {
          Link(phone, destination: url)
        }
      }
    }

    private func state(_ state: OpenState) -> String {
      switch state {
      case .open: return "open_now"
      case .closed: return "closed_now"
      default: return "maybe_open"
      }
    }
  }
#endif
