// The visible stamp drawn over the capture preview (time, place, order).
// This is a line-by-line port of android/shared-logic Watermark.kt, kept
// obviously parallel so both phones stamp the same lines; change them
// together. It is drawn on screen only: the file handed to the core is the
// camera's own, so the signed hash is of untouched pixels.
import Foundation

struct WatermarkInput {
    var timeMs: Int64
    var utcOffsetMin: Int
    /// True when the time is anchored to the server (shown as 已校时 / server time).
    var anchored: Bool
    var lat: Double?
    var lon: Double?
    var accuracyM: Double?
    var isMock: Bool
    var address: String?
    var orderNumber: String?
}

/// The stamp's lines, top to bottom, in one language.
func watermarkLines(_ w: WatermarkInput, lang: Lang) -> [String] {
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.calendar = Calendar(identifier: .gregorian)
    formatter.timeZone = TimeZone(secondsFromGMT: w.utcOffsetMin * 60)
    formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
    let date = Date(timeIntervalSince1970: TimeInterval(w.timeMs) / 1000)
    let time = formatter.string(from: date) + " " + utcLabel(w.utcOffsetMin)
    var lines: [String] = []
    lines.append(time + (w.anchored ? Bilingual(zh: " 已校时", en: " server time").get(lang) : ""))
    if let lat = w.lat, let lon = w.lon {
        let acc = w.accuracyM.map { " ±\(Int($0.rounded()))m" } ?? ""
        let mock = w.isMock ? Bilingual(zh: " 模拟定位", en: " MOCK LOCATION").get(lang) : ""
        lines.append(String(format: "%.5f, %.5f", locale: Locale(identifier: "en_US_POSIX"), lat, lon) + acc + mock)
    } else {
        lines.append(Bilingual(zh: "无定位", en: "no location").get(lang))
    }
    if let address = w.address?.trimmingCharacters(in: .whitespacesAndNewlines), !address.isEmpty {
        lines.append(address)
    }
    if let order = w.orderNumber {
        lines.append(Bilingual(zh: "工单 \(order)", en: "Order \(order)").get(lang))
    }
    return lines
}

/// "UTC+08:00", "UTC-03:30".
func utcLabel(_ offsetMin: Int) -> String {
    let sign = offsetMin < 0 ? "-" : "+"
    let a = abs(offsetMin)
    return String(format: "UTC%@%02d:%02d", sign, a / 60, a % 60)
}
