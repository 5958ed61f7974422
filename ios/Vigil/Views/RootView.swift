#if canImport(UIKit)
  import SwiftUI
  import VigilCore
  import VigilKit

  /// Unlock screen until a session is open; then the tabs.
  struct RootView: View {
    @EnvironmentObject private var app: AppModel

    var body: some View {
      Group {
        if let session = app.session {
          HomeView(session: session)
        } else {
          UnlockView(unlock: app.unlock)
        }
      }
      // A watch this phone holds raised its alarm: the alarm screen, locked or not, until
      // she acknowledges it (or closes it; the next step brings it back).
      .sheet(
        isPresented: Binding(
          get: {
            app.showWatches
              || (app.watchAlerts.contains(where: \.isAlarm) && !app.alarmScreenDismissed)
          },
          set: {
            if !$0 {
              app.showWatches = false
              app.alarmScreenDismissed = true
            }
          })
      ) {
        WatchInboxScreen()
      }
      .onChange(of: app.watchAlerts) { _, _ in app.alarmScreenDismissed = false }
      // After a call: only she knows whether it got through.
      .alert(
        L10n.text("call_got_through"),
        isPresented: Binding(
          get: { app.callToConfirm != nil }, set: { if !$0 { app.callToConfirm = nil } })
      ) {
        Button(L10n.text("yes")) { app.callAnswered(.sent) }
        Button(L10n.text("no"), role: .cancel) { app.callAnswered(.failed) }
      }
    }
  }

  struct UnlockView: View {
    @EnvironmentObject private var app: AppModel
    @ObservedObject var unlock: Observed<UnlockViewModel>
    @State private var lockScreenCheckin = false
    @State private var lockedWatch = false

    var body: some View {
      let model = unlock.model
      NavigationStack {
        Form {
          Section(
            header: Text(
              L10n.text(model.state.stage == .create ? "unlock_create_title" : "unlock_title"))
          ) {
            SecureField(L10n.text("field_passphrase"), text: binding(\.passphrase))
            if model.state.stage == .create {
              SecureField(L10n.text("field_passphrase_again"), text: binding(\.confirmation))
            }
            if let message = model.state.message {
              Text(message.text).foregroundStyle(.red)
            }
            Button(
              L10n.text(model.state.stage == .create ? "create_button" : "unlock_button")
            ) {
              if let session = model.submit() { app.unlocked(session) }
            }
          }
          if model.state.stage == .unlock {
            Section {
              Button(L10n.text("checkin_ok")) { lockScreenCheckin = true }
              // A buddy's phone may get a watch message while the vault is locked.
              Button(L10n.text("watch_paste")) { lockedWatch = true }
            }
          }
        }
        .navigationTitle(Text(verbatim: ""))
        .sheet(isPresented: $lockScreenCheckin) {
          LockedCheckinView()
        }
        .sheet(isPresented: $lockedWatch) {
          WatchInboxScreen()
        }
      }
    }

    private func binding(_ path: WritableKeyPath<UnlockViewModel.Form, String>) -> Binding<String> {
      Binding(
        get: { unlock.model.form[keyPath: path] }, set: { unlock.model.form[keyPath: path] = $0 })
    }
  }

  /// Check in without unlocking the vault: the code goes to the locked runner.
  struct LockedCheckinView: View {
    @EnvironmentObject private var app: AppModel
    @State private var model: Observed<CheckinViewModel>?
    @State private var failed: String?

    var body: some View {
      Group {
        if let model {
          CheckinCodeView(checkin: model)
        } else {
          Text(failed ?? "")
        }
      }
      .onAppear {
        do {
          guard let secret = try app.secrets.load() else { return }
          let runner = try app.vault.backgroundRunner(deviceSecret: secret)
          model = Observed(CheckinViewModel(runner: runner, driver: app.driver))
        } catch {
          failed = FormMessage.from(error).text
        }
      }
    }
  }

  /// The tabs. Each screen's view model lives as long as the session's tabs do.
  struct HomeView: View {
    @EnvironmentObject private var app: AppModel
    let session: Session
    @StateObject private var bookings: Observed<BookingsViewModel>
    @StateObject private var screening: Observed<ScreeningViewModel>
    @StateObject private var services: Observed<ServicesViewModel>
    @StateObject private var buddies: Observed<BuddiesViewModel>

    init(session: Session) {
      self.session = session
      _bookings = StateObject(wrappedValue: Observed(BookingsViewModel(session: session)))
      _screening = StateObject(wrappedValue: Observed(ScreeningViewModel(session: session)))
      _services = StateObject(wrappedValue: Observed(ServicesViewModel(session: session)))
      _buddies = StateObject(wrappedValue: Observed(BuddiesViewModel(session: session)))
    }

    var body: some View {
      TabView {
        BookingsView(bookings: bookings)
          .tabItem { Label(L10n.text("home_bookings"), systemImage: "calendar") }
        CheckinTab(session: session, driver: app.driver, buddies: buddies)
          .tabItem { Label(L10n.text("home_checkin"), systemImage: "timer") }
        ScreeningView(screening: screening)
          .tabItem {
            Label(L10n.text("home_screening"), systemImage: "person.crop.circle.badge.questionmark")
          }
        ServicesView(services: services)
          .tabItem { Label(L10n.text("home_services"), systemImage: "mappin.and.ellipse") }
        SettingsView(session: session)
          .tabItem { Label(L10n.text("home_settings"), systemImage: "gearshape") }
      }
    }
  }

  /// The check-in tab's view model needs the app's driver, hence its own holder.
  struct CheckinTab: View {
    @StateObject private var checkin: Observed<CheckinViewModel>
    @ObservedObject var buddies: Observed<BuddiesViewModel>

    init(session: Session, driver: EscalationDriver, buddies: Observed<BuddiesViewModel>) {
      _checkin = StateObject(
        wrappedValue: Observed(CheckinViewModel(session: session, driver: driver)))
      self.buddies = buddies
    }

    var body: some View {
      CheckinView(checkin: checkin, buddies: buddies)
    }
  }
#endif
