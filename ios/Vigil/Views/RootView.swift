#if canImport(UIKit)
  import SwiftUI
  import VigilCore
  import VigilKit

  /// Unlock screen until a session is open; then the tabs.
  struct RootView: View {
    @EnvironmentObject private var app: AppModel

    var body: some View {
      if let session = app.session {
        HomeView(session: session)
      } else {
        UnlockView(unlock: app.unlock)
      }
    }
  }

  struct UnlockView: View {
    @EnvironmentObject private var app: AppModel
    @ObservedObject var unlock: Observed<UnlockViewModel>
    @State private var lockScreenCheckin = false

    var body: some View {
      let model = unlock.model
      NavigationStack {
        Form {
          Section(
            header: Text(
              LocalizedStringKey(
                model.state.stage == .create ? "unlock_create_title" : "unlock_title"))
          ) {
            SecureField("field_passphrase", text: binding(\.passphrase))
            if model.state.stage == .create {
              SecureField("field_passphrase_again", text: binding(\.confirmation))
            }
            if let message = model.state.message {
              Text(message.text).foregroundStyle(.red)
            }
            Button(model.state.stage == .create ? "create_button" : "unlock_button") {
              if let session = model.submit() { app.unlocked(session) }
            }
          }
          if model.state.stage == .unlock {
            Section {
              Button("checkin_ok") { lockScreenCheckin = true }
            }
          }
        }
        .navigationTitle(Text(verbatim: ""))
        .sheet(isPresented: $lockScreenCheckin) {
          LockedCheckinView()
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

  struct HomeView: View {
    @EnvironmentObject private var app: AppModel
    let session: Session

    var body: some View {
      TabView {
        BookingsView(bookings: Observed(BookingsViewModel(session: session)))
          .tabItem { Label("home_bookings", systemImage: "calendar") }
        CheckinView(
          checkin: Observed(CheckinViewModel(session: session, driver: app.driver)),
          buddies: Observed(BuddiesViewModel(session: session))
        )
        .tabItem { Label("home_checkin", systemImage: "timer") }
        ScreeningView(screening: Observed(ScreeningViewModel(session: session)))
          .tabItem { Label("home_screening", systemImage: "person.crop.circle.badge.questionmark") }
        ServicesView(services: Observed(ServicesViewModel(session: session)))
          .tabItem { Label("home_services", systemImage: "mappin.and.ellipse") }
        SettingsView(session: session)
          .tabItem { Label("home_settings", systemImage: "gearshape") }
      }
    }
  }
#endif
