#if canImport(UIKit)
  import CoreImage.CIFilterBuiltins
  import SwiftUI
  import UIKit
  import VigilCore
  import VigilKit

  /// "Watch over me": pairing with a buddy's phone, the worker's sent watches, and the
  /// buddy's side (paste a message, the watches held, the alarm).
  struct WatchView: View {
    @EnvironmentObject private var app: AppModel
    @ObservedObject var pairing: Observed<PairingViewModel>
    @ObservedObject var inbox: Observed<WatchInboxViewModel>
    @ObservedObject var buddies: Observed<BuddiesViewModel>

    var body: some View {
      let model = pairing.model
      Form {
        Section { Text(L10n.text("watch_explained")).font(.callout) }
        WatchInboxSection(inbox: inbox)
        Section(header: Text(L10n.text("watch_own_code"))) {
          TextField(
            L10n.text("field_name"),
            text: Binding(get: { model.form.ownName }, set: { model.form.ownName = $0 }))
          Button(L10n.text("pairing_show")) { model.showOwnCode() }
          if let code = model.state.ownCode {
            // The QR code holds the same text (docs/checkin.md, "Pairing").
            PairingQRCode(text: code)
            Text(code).font(.system(.footnote, design: .monospaced)).textSelection(.enabled)
            ShareLink(item: code) {
              Label(L10n.text("pairing_share"), systemImage: "square.and.arrow.up")
            }
          }
        }
        Section(header: Text(L10n.text("watch_pairing"))) {
          TextField(
            L10n.text("pairing_their_code"),
            text: Binding(get: { model.form.code }, set: { model.form.code = $0 }), axis: .vertical
          )
          .font(.system(.footnote, design: .monospaced))
          .textInputAutocapitalization(.never)
          .autocorrectionDisabled()
          PasteButton(payloadType: String.self) { texts in
            if let text = texts.first { model.form.code = text }
          }
          Button(L10n.text("pairing_preview")) { model.preview() }
          if let preview = model.state.preview {
            Text(preview.name).font(.headline)
            // The digits this screen shows: the other phone must show the same.
            Text(preview.sas).font(.system(.largeTitle, design: .monospaced))
            Text(L10n.text("watch_compare_explained")).font(.callout)
            TextField(
              L10n.text("pairing_sas_field"),
              text: Binding(get: { model.form.sas }, set: { model.form.sas = $0 })
            )
            .keyboardType(.numberPad)
            TextField(
              L10n.text("field_name"),
              text: Binding(get: { model.form.name }, set: { model.form.name = $0 }))
            TextField(
              L10n.text("field_phone"),
              text: Binding(get: { model.form.phone }, set: { model.form.phone = $0 })
            )
            .keyboardType(.phonePad)
            Picker(
              L10n.text("watch_field_buddy"),
              selection: Binding(
                get: { model.form.buddyId },
                set: { id in
                  model.choose(buddy: buddies.model.state.buddies.first { $0.id == id })
                })
            ) {
              Text(L10n.text("watch_no_buddy")).tag(String?.none)
              ForEach(buddies.model.state.buddies, id: \.id) {
                Text($0.name).tag(String?.some($0.id))
              }
            }
            Button(L10n.text("save")) { model.save() }
          }
          MessageView(message: model.state.message)
        }
        Section(header: Text(L10n.text("watch_pairings"))) {
          ForEach(model.state.pairings, id: \.id) { pairing in
            VStack(alignment: .leading) {
              Text(pairing.name)
              if let phone = pairing.phone { Text(phone).font(.caption) }
              HStack {
                TextField(
                  L10n.text("field_phone"),
                  text: Binding(
                    get: { model.phoneField(pairing) },
                    set: { model.form.phones[pairing.id] = $0 })
                )
                .keyboardType(.phonePad)
                Button(L10n.text("pairing_phone_change")) { model.changePhone(pairing.id) }
              }
              Picker(
                L10n.text("watch_field_buddy"),
                selection: Binding(
                  get: { pairing.buddyId }, set: { model.link(pairing.id, buddyId: $0) })
              ) {
                Text(L10n.text("watch_no_buddy")).tag(String?.none)
                ForEach(buddies.model.state.buddies, id: \.id) {
                  Text($0.name).tag(String?.some($0.id))
                }
              }
            }
          }
          .onDelete { rows in rows.forEach { model.remove(model.state.pairings[$0].id) } }
        }
        if !model.state.sent.isEmpty {
          Section(header: Text(L10n.text("watch_sent_title"))) {
            ForEach(model.state.sent, id: \.checkinId) { sent in
              ForEach(sent.buddies, id: \.self) { buddy in
                HStack {
                  Text(buddy.name)
                  Spacer()
                  Text(buddy.stateText)
                }
              }
            }
          }
        }
      }
      .navigationTitle(L10n.text("watch_title"))
      .onAppear {
        model.reload()
        inbox.model.reload()
      }
      .onChange(of: app.watchAlerts) { _, _ in inbox.model.reload() }
    }
  }

  /// The buddy's side, also on the unlock screen (the vault may be locked): paste a Vigil
  /// message, the watches held, the alarm and its acknowledgement.
  struct WatchInboxSection: View {
    @ObservedObject var inbox: Observed<WatchInboxViewModel>

    var body: some View {
      let model = inbox.model
      Section(header: Text(L10n.text("watch_paste"))) {
        Text(L10n.text("watch_paste_explained")).font(.callout)
        TextField(
          L10n.text("watch_field_message"),
          text: Binding(get: { model.form.text }, set: { model.form.text = $0 }), axis: .vertical
        )
        .font(.system(.footnote, design: .monospaced))
        .textInputAutocapitalization(.never)
        .autocorrectionDisabled()
        // Text dragged here from Messages is received at once, like a paste.
        .dropDestination(for: String.self) { texts, _ in
          guard let text = texts.first else { return false }
          return model.receive(pasted: text) != nil
        }
        // The system paste button reads the clipboard without iOS's paste prompt.
        PasteButton(payloadType: String.self) { texts in
          if let text = texts.first { model.receive(pasted: text) }
        }
        Button(L10n.text("watch_receive")) { model.receive() }
        if let received = model.state.received {
          Text(L10n.format("watch_received_from", received.name))
        }
        MessageView(message: model.state.message)
      }
      ForEach(model.state.held, id: \.id) { held in
        Section(header: Text(held.workerName)) {
          WatchAlertsView(alerts: model.state.alerts.filter { $0.watchId == held.id })
          if let terms = held.terms {
            Text(terms.deadline, style: .time)
            if let address = terms.address { Text(address) }
          }
          Text(held.phase.title)
          if (held.phase == .alarm || held.duress) && !held.acknowledged {
            Button(L10n.text("watch_acknowledge")) { model.acknowledge(held.id) }
          }
        }
      }
    }
  }

  /// The core's words for each step of a watch (in the app only, never on the lock screen).
  struct WatchAlertsView: View {
    let alerts: [WatchAlert]

    var body: some View {
      ForEach(alerts, id: \.notificationId) { alert in
        VStack(alignment: .leading) {
          if alert.duress {
            Text(L10n.text("watch_duress")).bold().foregroundStyle(.red)
          }
          Text(alert.text).foregroundStyle(alert.isAlarm ? Color.red : Color.primary)
          if let phone = alert.workerPhone, alert.notice == .callWorker, !alert.duress,
            let url = URL(string: "tel://\(phone.filter { $0 == "+" || $0.isNumber })")
          {
            Link(destination: url) { Label(L10n.text("watch_call_her"), systemImage: "phone") }
          }
        }
      }
    }
  }

  /// The buddy's side on its own: from the unlock screen (the vault may be locked), and as
  /// the alarm screen when a watch's alarm is raised. No pairing without the unlocked vault.
  struct WatchInboxScreen: View {
    @EnvironmentObject private var app: AppModel
    @State private var inbox: Observed<WatchInboxViewModel>?
    @State private var failed: String?

    var body: some View {
      NavigationStack {
        Form {
          if let inbox {
            WatchInboxSection(inbox: inbox)
          } else {
            Text(failed ?? "")
          }
        }
        .navigationTitle(L10n.text("watch_title"))
      }
      .onAppear {
        do {
          guard let source = try app.watchSource() else { return }
          inbox = Observed(WatchInboxViewModel(source: source, driver: app.driver))
        } catch {
          failed = FormMessage.from(error).text
        }
      }
      // The app's own wake-ups raise alerts outside this screen.
      .onChange(of: app.watchAlerts) { _, _ in inbox?.model.reload() }
    }
  }

  /// This phone's pairing code as a QR code, for a buddy's phone that scans it.
  struct PairingQRCode: View {
    let text: String

    var body: some View {
      if let image = Self.image(text) {
        Image(uiImage: image)
          .interpolation(.none)
          .resizable()
          .scaledToFit()
          .frame(maxWidth: 240)
          .accessibilityLabel(Text(L10n.text("watch_qr")))
      }
    }

    static func image(_ text: String) -> UIImage? {
      let filter = CIFilter.qrCodeGenerator()
      filter.message = Data(text.utf8)
      filter.correctionLevel = "M"
      guard let output = filter.outputImage?.transformed(by: CGAffineTransform(scaleX: 8, y: 8)),
        let image = CIContext().createCGImage(output, from: output.extent)
      else { return nil }
      return UIImage(cgImage: image)
    }
  }
#endif
