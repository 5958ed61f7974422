import Foundation

/// The app's own words in the phone's language: every string key (screens, notifications,
/// status names) is looked up here, in VigilKit's `<lang>.lproj/Localizable.strings`. Those
/// files are written by android/tools/strings.py from the one table both shells share, in
/// the languages of the core's message templates (en, es, pl, pt, pt-BR, ro).
public enum L10n {
  /// The languages the table has (the `.lproj` folders).
  public static let languages = ["en", "es", "pl", "pt", "pt-BR", "ro"]

  /// Guards `chosen` and `resolved` (screens and notification callbacks ask from any thread).
  private static let lock = NSLock()
  /// nil: the phone's language (`Locale.preferredLanguages`, see `match`).
  private static var chosen: String?
  private static var resolved: (bundle: Bundle, locale: Locale)?
  /// English: what a key missing in a language falls back to (the tests make sure none is).
  private static let english = bundle(for: "en") ?? Bundle.module
  private static let missing = "\u{0}missing"

  /// Uses one of `languages` instead of the phone's (tests; nil: the phone's again).
  public static func use(language: String?) {
    lock.lock()
    defer { lock.unlock() }
    chosen = language
    resolved = nil
  }

  /// The text of `key`; English if this language lacks it, the key itself if English does.
  public static func text(_ key: String) -> String {
    let found = current().bundle.localizedString(forKey: key, value: missing, table: nil)
    if found != missing { return found }
    let fallback = english.localizedString(forKey: key, value: missing, table: nil)
    return fallback == missing ? key : fallback
  }

  /// The text of `key` with its `%1$@` / `%1$ld` placeholders filled in.
  public static func format(_ key: String, _ arguments: CVarArg...) -> String {
    String(format: text(key), locale: current().locale, arguments: arguments)
  }

  /// Whether `language`'s file has `key` (the tests check every key in every language).
  public static func has(_ key: String, language: String) -> Bool {
    guard let bundle = bundle(for: language) else { return false }
    return bundle.localizedString(forKey: key, value: missing, table: nil) != missing
  }

  /// The locale the texts are in, for dates and numbers shown beside them.
  public static var locale: Locale { current().locale }

  private static func current() -> (bundle: Bundle, locale: Locale) {
    lock.lock()
    defer { lock.unlock() }
    if let resolved { return resolved }
    let (language, localeId) = resolve(
      chosen: chosen, preferred: Locale.preferredLanguages,
      region: Locale.current.region?.identifier)
    let made = (bundle(for: language) ?? english, Locale(identifier: localeId))
    resolved = made
    return made
  }

  /// The first of the phone's languages (most wanted first, as in Settings) that the
  /// table has: exactly ("pt-BR"), else by its language ("es-419" is "es", "pt-PT" is
  /// "pt"); English when none is. Done here rather than by the bundle, whose choice on
  /// Linux, with no preferred language set, is not English.
  static func match(_ preferred: [String]) -> String {
    preferred.lazy.compactMap(matching).first ?? "en"
  }

  /// The table's language for one preferred language tag, if it has one.
  private static func matching(_ wanted: String) -> String? {
    let tag = wanted.replacingOccurrences(of: "_", with: "-")
    if let exact = languages.first(where: { $0.caseInsensitiveCompare(tag) == .orderedSame }) {
      return exact
    }
    let base = String(tag.prefix { $0 != "-" }).lowercased()
    return languages.contains(base) ? base : nil
  }

  /// The table's language and the locale for dates and numbers. The locale keeps the
  /// region of the preferred language that was matched ("en-GB": 24-hour clock, day
  /// first), not the language alone (which is US English's 12-hour clock for "en"); with
  /// no region there, the phone's region (`region`). A language set by `use` is taken as is.
  static func resolve(chosen: String?, preferred: [String], region: String?) -> (
    language: String, locale: String
  ) {
    if let chosen { return (chosen, chosen) }
    let language = match(preferred)
    let tag = preferred.lazy.map { $0.replacingOccurrences(of: "_", with: "-") }
      .first { matching($0) == language }
    if let tag, tag.contains("-") { return (language, tag) }
    if let region, !language.contains("-") { return (language, "\(language)-\(region)") }
    return (language, language)
  }

  private static func bundle(for language: String) -> Bundle? {
    // Folder names are case-sensitive on Linux ("pt-BR"); look both ways.
    for name in [language, language.lowercased()] {
      if let path = Bundle.module.path(forResource: name, ofType: "lproj") {
        return Bundle(path: path)
      }
    }
    return nil
  }
}
