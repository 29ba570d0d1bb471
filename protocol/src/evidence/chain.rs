//! The one rule for whether a device's hash chain is intact. The phone's
//! `verify`, the server at ingest and the dispute-packet verifier all ask
//! this module, so "the chain verifies" means one thing everywhere.
//!
//! The rule is judged between neighbours only, so it gives the same verdict
//! whatever order entries are seen in (phones send small items first and a
//! link can drop mid-sync, so the server sees entries in any order):
//! - [`check_fork`]: two different entries at one sequence number (the one
//!   held first keeps the position; the second's links are judged as well);
//! - [`check_first`] and [`check_link`]: entry `n` must name entry `n - 1` as
//!   its predecessor; when instead entry `n - 1` names entry `n`, the two are
//!   linked in swapped order (reordered), otherwise the link is broken;
//! - [`missing_ranges`]: sequence numbers below the highest seen that nobody holds.
//!
//! [`judge_arrival`] applies the first three to one entry and the neighbours
//! a holder already has (the server reads them from SQL); [`ChainVerifier`]
//! is the same judgement over a stream (the device's store, a packet).

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::text::prefix;

/// The chain-relevant facts of one entry, as read from its signed manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainLink {
    /// The entry's signed sequence number.
    pub seq: u64,
    /// The entry's item id.
    pub item_id: String,
    /// The hash of this entry's manifest.
    pub hash: String,
    /// The previous hash this entry claims.
    pub prev: Option<String>,
}

/// What is wrong at one position of a chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChainFindingKind {
    /// Sequence numbers below a later entry are held by nobody (an entry was deleted or has not arrived).
    Missing,
    /// Two different entries claim one sequence number.
    Fork,
    /// Two neighbours are linked in swapped order: entry `n - 1` names entry `n` as its predecessor.
    Reordered,
    /// An entry does not name the entry before it (or the first entry names a predecessor).
    BrokenLink,
}

impl ChainFindingKind {
    /// The stable snake_case name, as stored and shown in JSON.
    pub fn as_str(&self) -> &'static str {
        match self {
            ChainFindingKind::Missing => "missing",
            ChainFindingKind::Fork => "fork",
            ChainFindingKind::Reordered => "reordered",
            ChainFindingKind::BrokenLink => "broken_link",
        }
    }
}

/// One verdict of the chain rule: what is wrong, and where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainFinding {
    /// What is wrong.
    pub kind: ChainFindingKind,
    /// The position concerned: the first missing number, the forked number, or the later end of a link.
    pub seq: u64,
    /// For [`ChainFindingKind::Missing`], the last missing number of the run; otherwise equal to `seq`.
    pub to_seq: u64,
    /// Item id of the entry the finding names (the later end of a link, the second entry of a fork).
    pub item_id: Option<String>,
    /// Manifest hash of that entry; `None` for a missing run.
    pub hash: Option<String>,
    /// The hash the entry at `seq` names as its predecessor (links) or holds (forks), for display.
    pub found: Option<String>,
    /// The hash the rule expected there, for display.
    pub expected: Option<String>,
}

impl ChainFinding {
    fn at(kind: ChainFindingKind, entry: &ChainLink, found: Option<&str>, expected: Option<&str>) -> Self {
        ChainFinding {
            kind,
            seq: entry.seq,
            to_seq: entry.seq,
            item_id: Some(entry.item_id.clone()),
            hash: Some(entry.hash.clone()),
            found: found.map(String::from),
            expected: expected.map(String::from),
        }
    }

    /// zh-CN and English wording, for people; callers decide by [`ChainFinding::kind`].
    pub fn text(&self) -> (String, String) {
        let (n, found, expected) = (self.seq, short(self.found.as_deref()), short(self.expected.as_deref()));
        match self.kind {
            ChainFindingKind::Missing if self.to_seq == n => (format!("缺少第 {n} 条记录"), format!("entry {n} is missing")),
            ChainFindingKind::Missing => {
                let to = self.to_seq;
                (format!("缺少第 {n} 至 {to} 条记录"), format!("entries {n}..={to} are missing"))
            }
            ChainFindingKind::Fork => (
                format!("第 {n} 条位置上有两条不同的记录（{found} 与 {expected}）"),
                format!("two different entries claim seq {n} ({found} and {expected})"),
            ),
            ChainFindingKind::Reordered => {
                (format!("第 {n} 条与第 {} 条的链接顺序颠倒", n - 1), format!("entries {} and {n} are linked in swapped order", n - 1))
            }
            ChainFindingKind::BrokenLink => (
                format!("第 {n} 条指向的前一条哈希为 {found}，但前一条的哈希为 {expected}"),
                format!("entry {n} points to previous hash {found} but the entry before it hashes to {expected}"),
            ),
        }
    }
}

impl fmt::Display for ChainFinding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (zh, en) = self.text();
        write!(f, "{zh} / {en}")
    }
}

fn short(h: Option<&str>) -> String {
    match h {
        None => "(none)".into(),
        Some(h) => prefix(h, 12).to_string(),
    }
}

/// The first entry names no predecessor.
pub fn check_first(first: &ChainLink) -> Option<ChainFinding> {
    (first.seq == 1 && first.prev.is_some()).then(|| ChainFinding::at(ChainFindingKind::BrokenLink, first, first.prev.as_deref(), None))
}

/// Judges the link between two neighbours (`after.seq == before.seq + 1`); `None` for any other pair.
pub fn check_link(before: &ChainLink, after: &ChainLink) -> Option<ChainFinding> {
    if before.seq.checked_add(1) != Some(after.seq) || after.prev.as_deref() == Some(before.hash.as_str()) {
        return None;
    }
    let kind = if before.prev.as_deref() == Some(after.hash.as_str()) { ChainFindingKind::Reordered } else { ChainFindingKind::BrokenLink };
    Some(ChainFinding::at(kind, after, after.prev.as_deref(), Some(&before.hash)))
}

/// Judges a second entry at a position already held: the same entry again is a replay, not a finding.
pub fn check_fork(held: &ChainLink, arriving: &ChainLink) -> Option<ChainFinding> {
    (held.seq == arriving.seq && held.hash != arriving.hash)
        .then(|| ChainFinding::at(ChainFindingKind::Fork, arriving, Some(&arriving.hash), Some(&held.hash)))
}

/// The entries a holder already has around an arriving one (the first held at each position).
#[derive(Debug, Clone, Copy, Default)]
pub struct Neighbours<'a> {
    /// The entry already at the arriving entry's position.
    pub same_seq: Option<&'a ChainLink>,
    /// The entry at `seq - 1`.
    pub before: Option<&'a ChainLink>,
    /// The entry at `seq + 1`.
    pub after: Option<&'a ChainLink>,
}

/// Everything wrong that one arriving entry shows against what is already held. A second
/// entry at a held position is a fork, and its links are judged too (a fork rarely links
/// up on both sides); the entry held first keeps the position for later arrivals.
pub fn judge_arrival(link: &ChainLink, held: Neighbours<'_>) -> Vec<ChainFinding> {
    let mut found = Vec::new();
    if let Some(same) = held.same_seq {
        if same.hash == link.hash {
            return found;
        }
        found.extend(check_fork(same, link));
    }
    found.extend(check_first(link));
    found.extend(held.before.and_then(|b| check_link(b, link)));
    found.extend(held.after.and_then(|a| check_link(link, a)));
    found
}

/// Runs of sequence numbers from 1 up to the highest one given that are not among them.
pub fn missing_ranges(seqs: impl IntoIterator<Item = u64>) -> Vec<ChainFinding> {
    let mut seqs: Vec<u64> = seqs.into_iter().collect();
    seqs.sort_unstable();
    seqs.dedup();
    let mut out = Vec::new();
    let mut next = 1u64;
    for s in seqs {
        if s > next {
            out.push(ChainFinding {
                kind: ChainFindingKind::Missing,
                seq: next,
                to_seq: s - 1,
                item_id: None,
                hash: None,
                found: None,
                expected: None,
            });
        }
        next = next.max(s.saturating_add(1));
    }
    out
}

/// The chain rule over a stream of entries, in any order: feed every entry with
/// [`push`](Self::push), then [`finish`](Self::finish) adds the missing runs.
#[derive(Debug, Default)]
pub struct ChainVerifier {
    held: BTreeMap<u64, ChainLink>,
    findings: Vec<ChainFinding>,
}

impl ChainVerifier {
    /// Starts with nothing held.
    pub fn new() -> Self {
        Self::default()
    }

    /// Judges the next entry against the neighbours seen so far; returns what it showed.
    pub fn push(&mut self, link: &ChainLink) -> Vec<ChainFinding> {
        let held = Neighbours {
            same_seq: self.held.get(&link.seq),
            before: link.seq.checked_sub(1).and_then(|s| self.held.get(&s)),
            after: link.seq.checked_add(1).and_then(|s| self.held.get(&s)),
        };
        let found = judge_arrival(link, held);
        self.held.entry(link.seq).or_insert_with(|| link.clone());
        self.findings.extend(found.iter().cloned());
        found
    }

    /// Every finding, missing runs included, in chain order.
    pub fn finish(self) -> Vec<ChainFinding> {
        let mut all = self.findings;
        all.extend(missing_ranges(self.held.keys().copied()));
        all.sort_by_key(|f| (f.seq, f.kind));
        all
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(seq: u64, hash: &str, prev: Option<&str>) -> ChainLink {
        ChainLink { seq, item_id: format!("i{seq}"), hash: hash.into(), prev: prev.map(Into::into) }
    }

    fn verdicts(links: &[ChainLink]) -> Vec<(ChainFindingKind, u64)> {
        let mut v = ChainVerifier::new();
        for l in links {
            v.push(l);
        }
        v.finish().into_iter().map(|f| (f.kind, f.seq)).collect()
    }

    #[test]
    fn clean_chain_has_no_findings_in_any_order() {
        let chain = [link(1, "a", None), link(2, "b", Some("a")), link(3, "c", Some("b"))];
        assert!(verdicts(&chain).is_empty());
        assert!(verdicts(&[chain[2].clone(), chain[0].clone(), chain[1].clone()]).is_empty());
        assert!(verdicts(&[chain[0].clone(), chain[0].clone()]).is_empty(), "a replay is not a finding");
    }

    #[test]
    fn names_missing_fork_reordered_and_broken() {
        use ChainFindingKind::*;
        let gap = [link(1, "a", None), link(2, "b", Some("a")), link(5, "e", Some("d"))];
        assert_eq!(verdicts(&gap), vec![(Missing, 3)]);
        let fork = [link(1, "a", None), link(2, "b", Some("a")), link(2, "x", Some("a")), link(3, "c", Some("b"))];
        assert_eq!(verdicts(&fork), vec![(Fork, 2)], "the fork links to 1; 3 arrives after it and links to the 2 held first");
        let late_fork = [link(1, "a", None), link(2, "b", Some("a")), link(3, "c", Some("b")), link(2, "x", Some("a"))];
        assert_eq!(verdicts(&late_fork), vec![(Fork, 2), (BrokenLink, 3)]);
        // 3 and 4 linked the wrong way round: 2 <- "d"(4) <- "c"(3) <- 5.
        let swapped =
            [link(1, "a", None), link(2, "b", Some("a")), link(3, "c", Some("d")), link(4, "d", Some("b")), link(5, "e", Some("c"))];
        assert_eq!(verdicts(&swapped), vec![(BrokenLink, 3), (Reordered, 4), (BrokenLink, 5)]);
        let broken = [link(1, "a", Some("z")), link(2, "b", Some("y"))];
        assert_eq!(verdicts(&broken), vec![(BrokenLink, 1), (BrokenLink, 2)]);
    }

    #[test]
    fn a_link_is_judged_by_its_two_ends_alone() {
        use ChainFindingKind::*;
        let verdict = |f: Option<ChainFinding>| f.map(|f| (f.kind, f.seq));
        let (one, two) = (link(1, "a", None), link(2, "b", Some("a")));
        assert_eq!(verdict(check_link(&one, &two)), None);
        assert_eq!(verdict(check_link(&link(1, "z", None), &two)), Some((BrokenLink, 2)));
        assert_eq!(verdict(check_link(&link(1, "a", Some("b")), &link(2, "b", Some("x")))), Some((Reordered, 2)));
        assert_eq!(verdict(check_link(&one, &link(3, "c", Some("b")))), None, "only neighbours are judged");
        assert_eq!(verdict(check_first(&link(1, "a", Some("z")))), Some((BrokenLink, 1)));

        // As the server asks: the neighbours it holds, read from its store.
        let three = link(3, "c", Some("b"));
        let fork = link(2, "x", Some("a"));
        let held = Neighbours { same_seq: Some(&two), before: Some(&one), after: Some(&three) };
        let found: Vec<_> = judge_arrival(&fork, held).into_iter().map(|f| (f.kind, f.seq)).collect();
        assert_eq!(found, vec![(Fork, 2), (BrokenLink, 3)]);
        assert!(judge_arrival(&two, held).is_empty(), "a replay of the held entry is not a finding");
    }

    #[test]
    fn missing_runs_are_ranges() {
        let m = missing_ranges([7, 2, 3]);
        assert_eq!(m.iter().map(|f| (f.seq, f.to_seq)).collect::<Vec<_>>(), vec![(1, 1), (4, 6)]);
        assert_eq!(m[1].to_string(), "缺少第 4 至 6 条记录 / entries 4..=6 are missing");
    }
}
