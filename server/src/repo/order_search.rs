//! The order list's text search: which SQL conditions a search box's text
//! becomes. Kept apart from the list query so the rule for turning words into
//! index lookups (and the short-word fallback) exists once.

use rusqlite::types::Value;

/// Characters the trigram index needs before it can look a word up.
const TRIGRAM: usize = 3;

/// The conditions (each with one `?` placeholder, possibly used more than once, and its value) that keep
/// only orders whose number, address, content or notes contain every whitespace-separated word of `text`.
pub fn conditions(text: &str) -> Vec<(String, Value)> {
    let (long, short): (Vec<&str>, Vec<&str>) = text.split_whitespace().partition(|w| w.chars().count() >= TRIGRAM);
    let mut out = Vec::new();
    if !long.is_empty() {
        // Each word a quoted phrase (quotes doubled), so FTS5 operators in the text are plain characters;
        // phrases side by side must all match.
        let phrases: Vec<String> = long.iter().map(|w| format!("\"{}\"", w.replace('"', "\"\""))).collect();
        out.push((
            " AND o.id IN (SELECT rowid FROM orders_search WHERE orders_search MATCH ?)".to_string(),
            Value::Text(phrases.join(" ")),
        ));
    }
    // The trigram tokenizer cannot look up a word of one or two characters (「噪音」), so those are matched
    // with LIKE on the same columns: a scan, but only of the communities' orders the other conditions leave.
    for w in short {
        let escaped = w.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
        let cond = " AND (o.number LIKE ? ESCAPE '\\' OR o.address LIKE ? ESCAPE '\\' OR o.content LIKE ? ESCAPE '\\' \
                    OR o.notes LIKE ? ESCAPE '\\')";
        out.push((cond.to_string(), Value::Text(format!("%{escaped}%"))));
    }
    out
}
