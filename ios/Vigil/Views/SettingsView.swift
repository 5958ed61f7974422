#if canImport(UIKit)
  import SwiftUI
  import VigilCore
  import VigilKit

  struct SettingsView: View {
    @EnvironmentObject private var app: AppModel
    let session: Session

    var body: some View {
      NavigationStack {
        List {
          NavigationLink("settings_buddies") {
            BuddiesView(buddies: Observed(BuddiesViewModel(session: session)))
          }
          NavigationLink("watch_title") {
            WatchSettingsEntry(session: session, driver: app.driver)
          }
          NavigationLink("settings_duress") {
            DuressView(duress: Observed(DuressViewModel(session: session)))
          }
          NavigationLink("settings_unlock_limit_title") {
            UnlockLimitView(limit: Observed(UnlockLimitViewModel(session: session)))
          }
          NavigationLink("settings_export") {
            ExportView(
              export: Observed(ExportViewModel(session: session, destination: app.exportURL())))
          }
          NavigationLink("settings_camouflage") {
            CamouflageView(camouflage: Observed(CamouflageViewModel(setter: app.icons)))
          }
          Button("call_labels_reload") {
            if let labels = try? session.callLabels() {
              CallDirectoryReloader.reload(labels) { _ in }
            }
          }
          NavigationLink("panic_wipe") {
            PanicWipeView(
              wipe: Observed(
                PanicWipeViewModel(
                  vault: app.vault, session: session, secrets: app.secrets, scheduler: app.scheduler
                )))
          }
          .foregroundStyle(.red)
          Button("home_lock") { app.lock() }
        }
        .navigationTitle("home_settings")
      }
    }
  }

  /// Holds the watch screen's view models for as long as the screen is shown (typed codes
  /// and digits survive the app's redraws).
  struct WatchSettingsEntry: View {
    @StateObject private var pairing: Observed<PairingViewModel>
    @StateObject private var inbox: Observed<WatchInboxViewModel>
    @StateObject private var buddies: Observed<BuddiesViewModel>

    init(session: Session, driver: EscalationDriver) {
      _pairing = StateObject(wrappedValue: Observed(PairingViewModel(session: session)))
      _inbox = StateObject(
        wrappedValue: Observed(WatchInboxViewModel(source: session, driver: driver)))
      _buddies = StateObject(wrappedValue: Observed(BuddiesViewModel(session: session)))
    }

    var body: some View {
      WatchView(pairing: pairing, inbox: inbox, buddies: buddies)
    }
  }

  struct BuddiesView: View {
    @ObservedObject var buddies: Observed<BuddiesViewModel>

    var body: some View {
      let model = buddies.model
      Form {
        ForEach(model.state.buddies, id: \.id) { buddy in
          VStack(alignment: .leading) {
            Text(buddy.name)
            Text(buddy.phone).font(.caption)
          }
        }
        .onDelete { rows in rows.forEach { model.remove(model.state.buddies[$0].id) } }
        Section(header: Text("add")) {
          TextField(
            "field_name", text: Binding(get: { model.form.name }, set: { model.form.name = $0 }))
          TextField(
            "field_phone", text: Binding(get: { model.form.phone }, set: { model.form.phone = $0 })
          )
          .keyboardType(.phonePad)
          Picker(
            "field_language",
            selection: Binding(get: { model.form.language }, set: { model.form.language = $0 })
          ) {
            ForEach(model.languages, id: \.tag) { Text($0.name).tag($0.tag) }
          }
          MessageView(message: model.state.message)
          Button("save") { model.save() }
        }
        Section(header: Text("settings_codes")) {
          SecureField(
            "field_code", text: Binding(get: { model.codes.code }, set: { model.codes.code = $0 }))
          SecureField(
            "field_duress_code",
            text: Binding(get: { model.codes.duressCode }, set: { model.codes.duressCode = $0 }))
          MessageView(message: model.state.codesMessage)
          if model.state.codesSaved { Text("saved") }
          Button("save") { model.saveCodes() }
        }
      }
      .navigationTitle("settings_buddies")
    }
  }

  struct DuressView: View {
    @ObservedObject var duress: Observed<DuressViewModel>

    var body: some View {
      let model = duress.model
      Form {
        Text("duress_explained").font(.callout)
        SecureField(
          "field_current_passphrase",
          text: Binding(get: { model.form.current }, set: { model.form.current = $0 }))
        SecureField(
          "field_duress_passphrase",
          text: Binding(get: { model.form.duress }, set: { model.form.duress = $0 }))
        SecureField(
          "field_passphrase_again",
          text: Binding(get: { model.form.confirmation }, set: { model.form.confirmation = $0 }))
        Toggle(
          "duress_alert_buddies",
          isOn: Binding(get: { model.form.alertBuddies }, set: { model.form.alertBuddies = $0 }))
        Text("duress_ios_no_silent_sms").font(.caption)
        Toggle(
          "duress_destroy_real",
          isOn: Binding(get: { model.form.destroyReal }, set: { model.form.destroyReal = $0 }))
        MessageView(message: model.state.message)
        if model.state.saved { Text("saved") }
        Button("save") { model.save() }
        Button("duress_clear", role: .destructive) { model.clear() }
      }
      .navigationTitle("settings_duress")
    }
  }

  struct UnlockLimitView: View {
    @ObservedObject var limit: Observed<UnlockLimitViewModel>

    var body: some View {
      let model = limit.model
      Form {
        TextField(
          "settings_unlock_limit",
          text: Binding(get: { model.attempts }, set: { model.attempts = $0 })
        )
        .keyboardType(.numberPad)
        MessageView(message: model.state.message)
        Button("save") { model.save() }
      }
      .navigationTitle("settings_unlock_limit_title")
    }
  }

  struct ExportView: View {
    @ObservedObject var export: Observed<ExportViewModel>
    @State private var written: URL?

    var body: some View {
      let model = export.model
      Form {
        SecureField(
          "settings_backup_passphrase",
          text: Binding(get: { model.form.passphrase }, set: { model.form.passphrase = $0 }))
        SecureField(
          "field_passphrase_again",
          text: Binding(get: { model.form.confirmation }, set: { model.form.confirmation = $0 }))
        MessageView(message: model.state.message)
        if let summary = model.state.summary {
          Text(String(format: NSLocalizedString("exported", comment: ""), summary.sections.count))
          if model.unreadableCount > 0 {
            Text(
              String(
                format: NSLocalizedString("export_unreadable", comment: ""), model.unreadableCount)
            )
            .foregroundStyle(.orange)
          }
        }
        Button("settings_export") { written = model.export() }
        if let written { ShareLink(item: written) }
      }
      .navigationTitle("settings_export")
    }
  }

  struct CamouflageView: View {
    @ObservedObject var camouflage: Observed<CamouflageViewModel>

    var body: some View {
      let model = camouflage.model
      List {
        ForEach(CamouflageViewModel.icons, id: \.self) { name in
          Button {
            model.choose(name)
          } label: {
            HStack {
              Text(LocalizedStringKey("icon_\(name ?? "Vigil")"))
              if model.state.current == name { Image(systemName: "checkmark") }
            }
          }
        }
        if let message = model.state.message { Text(message.text).foregroundStyle(.red) }
      }
      .navigationTitle("settings_camouflage")
    }
  }

  struct PanicWipeView: View {
    @EnvironmentObject private var app: AppModel
    @ObservedObject var wipe: Observed<PanicWipeViewModel>
    private let timer = Timer.publish(every: 1, on: .main, in: .common).autoconnect()

    var body: some View {
      let model = wipe.model
      VStack(spacing: 24) {
        switch model.state.stage {
        case .idle:
          Text("panic_wipe_explained")
          Button("panic_wipe", role: .destructive) { model.start() }
        case .counting:
          Text(
            String(format: NSLocalizedString("panic_wipe_pending", comment: ""), model.secondsLeft))
          Button("cancel") { model.cancel() }.font(.largeTitle)
        case .cancelled:
          Text("panic_wipe_cancelled")
        case .wiped:
          Text("panic_wipe_done")
        }
        if let message = model.state.message { Text(message.text).foregroundStyle(.red) }
      }
      .padding()
      .onReceive(timer) { _ in model.poll() }
      .onAppear { model.onWiped = { app.wiped() } }
    }
  }
#endif
