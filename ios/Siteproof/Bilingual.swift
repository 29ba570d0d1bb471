// Texts from the core and from the view logic carry both languages; the
// screen shows the one the app runs in. Parallel to shared-logic's Lang.kt.
import Foundation

enum Lang {
    case zh, en

    /// The language iOS picked from the app's localizations (zh-Hans is the development language).
    static var display: Lang { Bundle.main.preferredLocalizations.first?.hasPrefix("en") == true ? .en : .zh }
}

struct Bilingual: Equatable {
    let zh: String
    let en: String

    func get(_ lang: Lang) -> String { lang == .zh ? zh : en }

    /// In the display language.
    var local: String { get(.display) }
}
