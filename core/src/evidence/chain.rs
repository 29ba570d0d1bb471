//! Checks that a device's entries form one unbroken, ordered hash chain.
//! The same checker runs on the phone (`verify`), on the server at ingest
//! and over a dispute packet, so "the chain verifies" means one thing.

use serde::{Deserialize, Serialize};

/// The chain-relevant facts of one entry, as read from its manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainLink {
    /// The entry's sequence number.
    pub seq: u64,
    /// The entry's item id.
    pub item_id: String,
    /// The hash of this entry's manifest.
    pub hash: String,
    /// The previous hash this entry claims.
    pub prev: Option<String>,
}

/// What is wrong at one position of a chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChainProblemKind {
    /// One or more sequence numbers are absent (an entry was deleted).
    Missing,
    /// Entries appear out of order, or a number repeats.
    Reordered,
    /// The entry's prev hash does not match the entry before it (fork or altered predecessor).
    BrokenLink,
}

/// A chain problem at a position.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainProblem {
    /// Sequence number where the problem shows.
    pub seq: u64,
    /// Item id of the entry at that position, when there is one.
    pub item_id: Option<String>,
    /// What kind of problem.
    pub kind: ChainProblemKind,
    /// Human-readable detail.
    pub detail: String,
}

/// Feeds entries in stored order and collects every problem, not just the first.
#[derive(Debug, Default)]
pub struct ChainVerifier {
    last: Option<(u64, String)>,
    problems: Vec<ChainProblem>,
}

impl ChainVerifier {
    /// Starts a verifier for a chain that begins at seq 1.
    pub fn new() -> Self {
        Self::default()
    }

    /// Starts a verifier that continues after a known entry (the server's last accepted one).
    pub fn resume(seq: u64, hash: String) -> Self {
        Self { last: Some((seq, hash)), problems: Vec::new() }
    }

    /// Checks the next entry against the one before.
    pub fn push(&mut self, link: &ChainLink) -> Vec<ChainProblem> {
        let mut found = Vec::new();
        let (expected_seq, expected_prev) = match &self.last {
            None => (1, None),
            Some((s, h)) => (s + 1, Some(h.clone())),
        };
        let item_id = Some(link.item_id.clone());
        if link.seq > expected_seq {
            found.push(ChainProblem {
                seq: expected_seq,
                item_id: None,
                kind: ChainProblemKind::Missing,
                detail: if link.seq - expected_seq == 1 {
                    format!("entry {expected_seq} is missing")
                } else {
                    format!("entries {expected_seq}..={} are missing", link.seq - 1)
                },
            });
        } else if link.seq < expected_seq {
            found.push(ChainProblem {
                seq: link.seq,
                item_id: item_id.clone(),
                kind: ChainProblemKind::Reordered,
                detail: format!("entry {} appears after entry {}", link.seq, expected_seq - 1),
            });
        }
        // A link only makes sense against its direct predecessor; across a gap we cannot judge it.
        if link.seq == expected_seq && link.prev != expected_prev {
            found.push(ChainProblem {
                seq: link.seq,
                item_id,
                kind: ChainProblemKind::BrokenLink,
                detail: format!(
                    "entry {} points to previous hash {} but the entry before it hashes to {}",
                    link.seq,
                    short(link.prev.as_deref()),
                    short(expected_prev.as_deref())
                ),
            });
        }
        if self.last.as_ref().is_none_or(|(s, _)| link.seq > *s) {
            self.last = Some((link.seq, link.hash.clone()));
        }
        self.problems.extend(found.iter().cloned());
        found
    }

    /// Every problem found so far.
    pub fn problems(&self) -> &[ChainProblem] {
        &self.problems
    }

    /// The last accepted position and hash.
    pub fn head(&self) -> Option<(u64, String)> {
        self.last.clone()
    }
}

fn short(h: Option<&str>) -> String {
    match h {
        None => "(none)".into(),
        Some(h) => crate::text::prefix(h, 12).to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(seq: u64, hash: &str, prev: Option<&str>) -> ChainLink {
        ChainLink { seq, item_id: format!("i{seq}"), hash: hash.into(), prev: prev.map(Into::into) }
    }

    #[test]
    fn clean_chain_has_no_problems() {
        let mut v = ChainVerifier::new();
        v.push(&link(1, "a", None));
        v.push(&link(2, "b", Some("a")));
        v.push(&link(3, "c", Some("b")));
        assert!(v.problems().is_empty());
    }

    #[test]
    fn names_missing_reordered_and_broken() {
        let mut v = ChainVerifier::new();
        v.push(&link(1, "a", None));
        v.push(&link(3, "c", Some("b")));
        assert_eq!(v.problems()[0].kind, ChainProblemKind::Missing);
        assert_eq!(v.problems()[0].seq, 2);
        v.push(&link(2, "b", Some("a")));
        assert_eq!(v.problems()[1].kind, ChainProblemKind::Reordered);
        v.push(&link(4, "d", Some("x")));
        assert_eq!(v.problems()[2].kind, ChainProblemKind::BrokenLink);
    }
}
