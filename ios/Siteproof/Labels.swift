// Labels of stored codes (kinds, statuses, the four tags, visit purposes)
// come from the core's vocabulary, so the phone says 重点 / 已解决 exactly as
// the server console does.
import Foundation
import SiteproofFFI

enum Labels {
    private static let tables: [VocabKind: [VocabTerm]] = {
        let kinds: [VocabKind] = [.orderKind, .orderStatus, .tagType, .tagHandling, .tagCallback, .visitPurpose]
        return Dictionary(uniqueKeysWithValues: kinds.map { ($0, vocabulary(kind: $0)) })
    }()

    static func terms(_ kind: VocabKind) -> [VocabTerm] { tables[kind] ?? [] }

    /// The label of a code; an unknown code (from a newer server) shows as itself.
    static func label(_ kind: VocabKind, _ code: String) -> Bilingual {
        guard let t = terms(kind).first(where: { $0.code == code }) else { return Bilingual(zh: code, en: code) }
        return Bilingual(zh: t.zh, en: t.en)
    }

    static func flag(_ flag: String) -> Bilingual {
        let t = describeFlag(flag: flag)
        return Bilingual(zh: t.zh, en: t.en)
    }
}
