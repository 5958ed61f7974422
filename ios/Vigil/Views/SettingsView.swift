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
          NavigationLink(L10n.text("settings_buddies")) {
            BuddiesView(buddies: Observed(BuddiesViewModel(session: session)))
          }
          NavigationLink(L10n.text("watch_title")) {
            WatchSettingsEntry(session: session, driver: app.driver)
          }
          NavigationLink(L10n.text("settings_duress")) {
            DuressView(duress: Observed(DuressViewModel(session: session)))
          }
          NavigationLink(L10n.text("settings_unlock_limit_title")) {
            UnlockLimitView(limit: Observed(UnlockLimitViewModel(session: session)))
          }
          NavigationLink(L10n.text("settings_export")) {
            ExportView(
              export: Observed(ExportViewModel(session: session, destination: app.exportURL())))
          }
          NavigationLink(L10n.text("settings_app_icon")) {
            CamouflageView(camouflage: Observed(CamouflageViewModel(setter: app.icons)))
          }
          Button(L10n.text("call_labels_reload")) {
            if let labels = try? session.callLabels() {
              CallDirectoryReloader.reload(labels) { _ in }
            }
          }
          NavigationLink(L10n.text("panic_wipe")) {
            PanicWipeView(
              wipe: Observed(
                PanicWipeViewModel(
                  vault: app.vault, session: session, secrets: app.secrets,
                  scheduler: app.scheduler, cleanup: app.cleanup
                )))
          }
          .foregroundStyle(.red)
          Button(L10n.text("home_lock")) { app.lock() }
        }
        .navigationTitle(L10n.text("home_settings"))
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
        Section(header: Text(L10n.text("add"))) {
          TextField(
            L10n.text("field_name"),
            text: Binding(get: { model.form.name }, set: { model.form.name = $0 }))
          TextField(
            L10n.text("field_phone"),
            text: Binding(get: { model.form.phone }, set: { model.form.phone = $0 })
          )
          .keyboardType(.phonePad)
          Picker(
            L10n.text("field_language"),
            selection: Binding(get: { model.form.language }, set: { model.form.language = $0 })
          ) {
            ForEach(model.languages, id: \.tag) { Text($0.name).tag($0.tag) }
          }
          MessageView(message: model.state.message)
          Button(L10n.text("save")) { model.save() }
        }
        Section(header: Text(L10n.text("settings_codes"))) {
          SecureField(
            L10n.text("field_code"),
            text: Binding(get: { model.codes.code }, set: { model.codes.code = $0 }))
          SecureField(
            L10n.text("field_duress_code"),
            text: Binding(get: { model.codes.duressCode }, set: { model.codes.duressCode = $0 }))
          MessageView(message: model.state.codesMessage)
          if model.state.codesSaved { Text(L10n.text("saved")) }
          Button(L10n.text("save")) { model.saveCodes() }
        }
      }
      .navigationTitle(L10n.text("settings_buddies"))
    }
  }

  struct DuressView: View {
    @ObservedObject var duress: Observed<DuressViewModel>

    var body: some View {
      let model = duress.model
      Form {
        Text(L10n.text("duress_explained")).font(.callout)
        SecureField(
          L10n.text("field_current_passphrase"),
          text: Binding(get: { model.form.current }, set: { model.form.current = $0 }))
        SecureField(
          L10n.text("field_duress_passphrase"),
          text: Binding(get: { model.form.duress }, set: { model.form.duress = $0 }))
        SecureField(
          L10n.text("field_passphrase_again"),
          text: Binding(get: { model.form.confirmation }, set: { model.form.confirmation = $0 }))
        Toggle(
          L10n.text("duress_alert_buddies"),
          isOn: Binding(get: { model.form.alertBuddies }, set: { model.form.alertBuddies = $0 }))
        Text(L10n.text("duress_ios_no_silent_sms")).font(.caption)
        Toggle(
          L10n.text("duress_destroy_real"),
          isOn: Binding(get: { model.form.destroyReal }, set: { model.form.destroyReal = $0 }))
        MessageView(message: model.state.message)
        if model.state.saved { Text(L10n.text("saved")) }
        Button(L10n.text("save")) { model.save() }
        Button(L10n.text("duress_clear"), role: .destructive) { model.clear() }
      }
      .navigationTitle(L10n.text("settings_duress"))
    }
  }

  struct UnlockLimitView: View {
    @ObservedObject var limit: Observed<UnlockLimitViewModel>

    var body: some View {
      let model = limit.model
      Form {
        TextField(
          L10n.text("settings_unlock_limit"),
          text: Binding(get: { model.attempts }, set: { model.attempts = $0 })
        )
        .keyboardType(.numberPad)
        MessageView(message: model.state.message)
        Button(L10n.text("save")) { model.save() }
      }
      .navigationTitle(L10n.text("settings_unlock_limit_title"))
    }
  }

  struct ExportView: View {
    @ObservedObject var export: Observed<ExportViewModel>
    @State private var written: URL?

    var body: some View {
      let model = export.model
      Form {
        SecureField(
          L10n.text("settings_backup_passphrase"),
          text: Binding(get: { model.form.passphrase }, set: { model.form.passphrase = $0 }))
        SecureField(
          L10n.text("field_passphrase_again"),
          text: Binding(get: { model.form.confirmation }, set: { model.form.confirmation = $0 }))
        MessageView(message: model.state.message)
        if let summary = model.state.summary {
          Text(L10n.format("exported", summary.sections.count))
          if model.unreadableCount > 0 {
            Text(L10n.format("export_unreadable", model.unreadableCount))
              .foregroundStyle(.orange)
          }
        }
        Button(L10n.text("settings_export")) { written = model.export() }
        if let written { ShareLink(item: written) }
      }
      .navigationTitle(L10n.text("settings_export"))
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
              Text(CamouflageViewModel.title(name))
              if model.state.current == name { Image(systemName: "checkmark") }
            }
          }
        }
        if let message = model.state.message { Text(message.text).foregroundStyle(.red) }
      }
      .navigationTitle(L10n.text("settings_app_icon"))
    }
  }

  struct PanicWipeView: View {
    @EnvironmentObject private var app: AppModel
    /// Made once for as long as the screen is shown: the settings list rebuilds this
    /// view whenever the app model publishes (a wake-up, a watch notice), and a new model
    /// then would drop a countdown under way, and with it the wipe.
    @StateObject private var wipe: Observed<PanicWipeViewModel>
    private let timer = Timer.publish(every: 1, on: .main, in: .common).autoconnect()

    init(wipe: @escaping @autoclosure () -> Observed<PanicWipeViewModel>) {
      _wipe = StateObject(wrappedValue: wipe())
    }

    var body: some View {
      let model = wipe.model
      VStack(spacing: 24) {
        switch model.state.stage {
        case .idle:
          Text(L10n.text("panic_wipe_explained"))
          Button(L10n.text("panic_wipe"), role: .destructive) { model.start() }
        case .counting:
          Text(L10n.format("panic_wipe_pending", model.secondsLeft))
          Button(L10n.text("cancel")) { model.cancel() }.font(.largeTitle)
        case .cancelled:
          Text(L10n.text("panic_wipe_cancelled"))
        case .wiped:
          Text(L10n.text("panic_wipe_done"))
        }
        if let message = model.state.message { Text(message.text).foregroundStyle(.red) }
      }
      .padding()
      .onReceive(timer) { _ in model.poll() }
      .onAppear { model.onWiped = { app.wiped() } }
    }
  }
#endif
