//! Stance over time: a collection of dated, scored documents as a series of periods, with
//! bootstrap intervals and detected shifts of level.
//!
//! [`timeline`] takes one [`TimelineDocument`] per article (its date, an optional group such as
//! the source or the actor, and the scores and class indices of its passages) and returns:
//!
//! * one [`TimelineRow`] per group and period that holds at least one document: the
//!   passage-weighted mean score (every scored passage counts once, so a long article weighs
//!   more than a short one), a percentile bootstrap interval that resamples the *documents* of
//!   the period (passages of one article are not independent), the counts and the class shares;
//! * the [`Shift`]s of each group: binary segmentation (Scott & Knott 1974; Vostrikova 1981)
//!   with the least-squares change-in-mean statistic on the passage scores, the documents taken
//!   in date order and a change allowed only where a period begins; every split is kept only if
//!   a permutation test (documents exchanged in time, the period sizes kept) gives a p-value
//!   below [`TimelineOptions::shift_alpha`]. The size `after − before` of each shift carries a
//!   bootstrap interval (documents resampled within each side) and the passages after the shift
//!   that moved farthest from the earlier level, in the shift's direction, as evidence.
//!
//! Everything is seeded ([`TimelineOptions::seed`]), so a call returns the same numbers every
//! time and with any number of threads. The work is linear in the number of documents times
//! `n_boot` (intervals) and `n_permutations` (tests); memory is the input plus `n_boot` numbers.
//! The method, its assumptions and its references are in `docs/timeline.md`.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BinaryHeap};
use std::fmt;
use std::ops::Range;
use std::str::FromStr;

use chrono::{DateTime, Datelike, Days, Months, NaiveDate, NaiveDateTime};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::model::SplitMix64;

/// The length of a period of the series.
///
/// Serialized as its lowercase name; read (serde and [`FromStr`]) from any spelling
/// [`FromStr`] accepts, such as `"M"` or `"month"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase", try_from = "String")]
pub enum Period {
    /// One calendar day.
    Day,
    /// One ISO week, starting on Monday.
    Week,
    /// One calendar month (default).
    #[default]
    Month,
    /// One calendar quarter (January, April, July, October).
    Quarter,
    /// One calendar year.
    Year,
}

impl Period {
    /// The first day of the period that holds `d`: `d` itself for [`Period::Day`], the Monday on
    /// or before `d` for [`Period::Week`], the first of its month, quarter or year otherwise.
    pub fn start_of(&self, d: NaiveDate) -> NaiveDate {
        let first_of = |month: u32| NaiveDate::from_ymd_opt(d.year(), month, 1).unwrap_or(d);
        match self {
            Period::Day => d,
            Period::Week => d
                .checked_sub_days(Days::new(u64::from(d.weekday().num_days_from_monday())))
                .unwrap_or(d),
            Period::Month => first_of(d.month()),
            Period::Quarter => first_of((d.month0() / 3) * 3 + 1),
            Period::Year => first_of(1),
        }
    }

    /// The start of the period after the one that holds `d` (`None` past chrono's last date).
    pub fn next_start(&self, d: NaiveDate) -> Option<NaiveDate> {
        let start = self.start_of(d);
        match self {
            Period::Day => start.checked_add_days(Days::new(1)),
            Period::Week => start.checked_add_days(Days::new(7)),
            Period::Month => start.checked_add_months(Months::new(1)),
            Period::Quarter => start.checked_add_months(Months::new(3)),
            Period::Year => start.checked_add_months(Months::new(12)),
        }
    }

    /// The period's name: `day`, `week`, `month`, `quarter` or `year`.
    pub fn name(&self) -> &'static str {
        match self {
            Period::Day => "day",
            Period::Week => "week",
            Period::Month => "month",
            Period::Quarter => "quarter",
            Period::Year => "year",
        }
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Period {
    type Err = Error;

    /// Reads `day`/`D`, `week`/`W`, `month`/`M`, `quarter`/`Q`, `year`/`Y` (any case; the
    /// pandas spellings `MS`, `QS`, `YS`, `A` and `AS` too).
    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "day" | "d" | "daily" => Ok(Period::Day),
            "week" | "w" | "weekly" => Ok(Period::Week),
            "month" | "m" | "ms" | "me" | "monthly" => Ok(Period::Month),
            "quarter" | "q" | "qs" | "qe" | "quarterly" => Ok(Period::Quarter),
            "year" | "y" | "ys" | "ye" | "a" | "as" | "yearly" | "annual" => Ok(Period::Year),
            _ => Err(Error::param(
                "period",
                s,
                "expected day (D), week (W), month (M), quarter (Q) or year (Y)",
            )),
        }
    }
}

impl TryFrom<String> for Period {
    type Error = Error;

    fn try_from(s: String) -> Result<Self> {
        s.parse()
    }
}

/// Read a date: `2024-03-05`, or a date and time such as `2024-03-05T10:00:00Z`,
/// `2024-03-05T10:00:00+02:00`, `2024-03-05 10:00:00` or `2024-03-05T10:00:00.123`. A date
/// and time gives the calendar date *as written* (the time and its offset are checked, then
/// dropped: an article dated 23:30 local time belongs to that local day). Surrounding spaces
/// are ignored.
pub fn parse_date(s: &str) -> Result<NaiveDate> {
    let t = s.trim();
    let bad = |reason: &str| Error::InvalidDate {
        input: s.chars().take(80).collect(),
        reason: reason.to_string(),
    };
    if t.is_empty() {
        return Err(bad("empty; expected a date such as 2024-03-05 or 2024-03-05T10:00:00Z"));
    }
    if let Ok(d) = NaiveDate::parse_from_str(t, "%Y-%m-%d") {
        return Ok(d);
    }
    if let Ok(dt) = DateTime::parse_from_rfc3339(t) {
        return Ok(dt.date_naive());
    }
    for format in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(dt) = NaiveDateTime::parse_from_str(t, format) {
            return Ok(dt.date());
        }
    }
    for format in [
        "%Y-%m-%d %H:%M:%S%.f%:z",
        "%Y-%m-%d %H:%M:%S%.f%z",
        "%Y-%m-%dT%H:%M:%S%.f%z",
    ] {
        if let Ok(dt) = DateTime::parse_from_str(t, format) {
            return Ok(dt.date_naive());
        }
    }
    Err(bad(
        "expected an ISO date (2024-03-05) or date and time (2024-03-05T10:00:00Z, 2024-03-05 10:00:00)",
    ))
}

/// The date `days` days after 1970-01-01 (before it when negative), as NumPy's
/// `datetime64[D]` counts; an [`Error::InvalidDate`] outside chrono's range of years.
pub fn date_from_epoch_days(days: i64) -> Result<NaiveDate> {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
    let shifted = if days >= 0 {
        epoch.checked_add_days(Days::new(days.unsigned_abs()))
    } else {
        epoch.checked_sub_days(Days::new(days.unsigned_abs()))
    };
    shifted.ok_or_else(|| Error::InvalidDate {
        input: format!("{days} days after 1970-01-01"),
        reason: "outside the range of dates (years -262143 to 262142)".to_string(),
    })
}

/// One scored document (article) in the collection.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimelineDocument {
    /// Its date.
    pub date: NaiveDate,
    /// Its group, e.g. the value of an actor or source column (`None`: one series for all).
    pub group: Option<String>,
    /// Stance score of each scored (non-abstained) passage, in [-1, 1].
    pub passage_scores: Vec<f64>,
    /// Class index of each scored passage (same length as `passage_scores`).
    pub passage_labels: Vec<usize>,
    /// Passages the model declined to label; counted, not scored.
    pub n_abstained: usize,
}

/// Settings of [`timeline`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TimelineOptions {
    /// Length of a period (default [`Period::Month`]).
    pub period: Period,
    /// Bootstrap resamples of the documents, for the interval of each period and of each shift's
    /// size (default 1000; 0 turns the intervals off: they collapse to the estimate).
    pub n_boot: usize,
    /// Confidence level of the intervals (default 0.95).
    pub confidence: f64,
    /// Seed of every resampling and permutation (default 0).
    pub seed: u64,
    /// Largest permutation p-value at which a shift is reported (default 0.05).
    pub shift_alpha: f64,
    /// Fewest documents on each side of a shift: segments with fewer than twice this many
    /// documents are not split, and no split leaves fewer on either side (default 5).
    pub min_documents: usize,
    /// Most shifts reported per group (default 3; 0 turns shift detection off).
    pub max_shifts: usize,
    /// Random permutations behind each shift's p-value (default 999; the smallest p-value is
    /// `1 / (n_permutations + 1)`, so keep it well above `1 / shift_alpha`).
    pub n_permutations: usize,
    /// Passages given as evidence for each shift (default 5).
    pub n_evidence: usize,
}

impl Default for TimelineOptions {
    fn default() -> Self {
        TimelineOptions {
            period: Period::Month,
            n_boot: 1000,
            confidence: 0.95,
            seed: 0,
            shift_alpha: 0.05,
            min_documents: 5,
            max_shifts: 3,
            n_permutations: 999,
            n_evidence: 5,
        }
    }
}

/// Most resamples or permutations accepted (each costs a pass over the documents concerned).
pub const MAX_RESAMPLES: usize = 1_000_000;

impl TimelineOptions {
    /// Check every field; called by [`timeline`] before any work.
    pub fn validate(&self) -> Result<()> {
        if !(self.confidence.is_finite() && self.confidence > 0.0 && self.confidence < 1.0) {
            return Err(Error::param("confidence", self.confidence, "must be in (0, 1)"));
        }
        if !(self.shift_alpha.is_finite() && self.shift_alpha > 0.0 && self.shift_alpha < 1.0) {
            return Err(Error::param("shift_alpha", self.shift_alpha, "must be in (0, 1)"));
        }
        if self.n_boot > MAX_RESAMPLES {
            return Err(Error::param("n_boot", self.n_boot, "at most 1,000,000 resamples"));
        }
        if self.n_permutations > MAX_RESAMPLES {
            return Err(Error::param(
                "n_permutations",
                self.n_permutations,
                "at most 1,000,000 permutations",
            ));
        }
        if self.max_shifts > 0 && self.n_permutations == 0 {
            return Err(Error::param(
                "n_permutations",
                self.n_permutations,
                "shift detection needs permutations for its test (or set max_shifts = 0)",
            ));
        }
        if self.min_documents == 0 {
            return Err(Error::param("min_documents", self.min_documents, "must be at least 1"));
        }
        Ok(())
    }
}

/// One period (of one group) of the series.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimelineRow {
    /// First day of the period.
    pub period: NaiveDate,
    /// The group (`None` when the documents have none).
    pub group: Option<String>,
    /// Passage-weighted mean stance score: the mean over every scored passage of the period's
    /// documents. NaN when no passage of the period was scored (every one abstained).
    pub score: f64,
    /// Lower end of the bootstrap interval (documents of the period resampled).
    pub lower: f64,
    /// Upper end of the bootstrap interval.
    pub upper: f64,
    /// Documents dated in the period.
    pub n_documents: usize,
    /// Scored passages.
    pub n_passages: usize,
    /// Passages the model abstained on.
    pub n_abstained: usize,
    /// Share of the scored passages in each class, by class index (all 0 when none was scored).
    pub class_shares: Vec<f64>,
}

/// A passage given as evidence for a shift.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    /// Index of its document in the input of [`timeline`].
    pub document: usize,
    /// Index of the passage in that document's `passage_scores`.
    pub passage: usize,
    /// Its score.
    pub score: f64,
}

/// A change of level in a group's series.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Shift {
    /// The group.
    pub group: Option<String>,
    /// Start of the first period of the new level.
    pub date: NaiveDate,
    /// Passage-weighted mean score from the previous shift (or the start) up to this one.
    pub before: f64,
    /// Passage-weighted mean score from this shift up to the next one (or the end).
    pub after: f64,
    /// `after − before`.
    pub size: f64,
    /// Lower end of the bootstrap interval of `size` (documents resampled on each side).
    pub lower: f64,
    /// Upper end of the bootstrap interval of `size`.
    pub upper: f64,
    /// Permutation p-value of the split when it was made.
    pub p_value: f64,
    /// The passages after the shift farthest from `before` in the direction of the shift,
    /// farthest first.
    pub evidence: Vec<Evidence>,
}

/// The result of [`timeline`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Timeline {
    /// One row per group and period holding a document, by group (`None` first, then by name)
    /// and date. Periods without documents have no row.
    pub rows: Vec<TimelineRow>,
    /// The detected shifts, by group and date.
    pub shifts: Vec<Shift>,
}

/// A seed for one use, mixed from the caller's seed and up to two indices.
fn sub_seed(seed: u64, a: u64, b: u64) -> u64 {
    let mut rng = SplitMix64::new(seed ^ a.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ b.wrapping_mul(0xD1B5_4A32_D192_ED69));
    rng.next_u64()
}

/// Linear-interpolated quantile of sorted values (NaN when empty).
fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let pos = q * (sorted.len() - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = (pos.ceil() as usize).min(sorted.len() - 1);
    let frac = pos - lo as f64;
    sorted[lo] * (1.0 - frac) + sorted[hi] * frac
}

fn ratio(sum: f64, weight: f64) -> f64 {
    if weight > 0.0 {
        sum / weight
    } else {
        f64::NAN
    }
}

/// Percentile interval of the ratio `Σ sums / Σ weights` over `n_boot` resamples of the items
/// (drawn with replacement). Resamples whose weights sum to zero are skipped.
fn ratio_interval(sums: &[f64], weights: &[f64], n_boot: usize, confidence: f64, seed: u64) -> (f64, f64) {
    let n = sums.len();
    let estimate = ratio(sums.iter().sum(), weights.iter().sum());
    if n_boot == 0 || n <= 1 || !estimate.is_finite() {
        return (estimate, estimate);
    }
    let mut rng = SplitMix64::new(seed);
    let mut means = Vec::with_capacity(n_boot);
    for _ in 0..n_boot {
        let (mut s, mut w) = (0.0, 0.0);
        for _ in 0..n {
            let i = rng.below(n);
            s += sums[i];
            w += weights[i];
        }
        if w > 0.0 {
            means.push(s / w);
        }
    }
    interval_of(means, confidence, estimate)
}

fn interval_of(mut values: Vec<f64>, confidence: f64, estimate: f64) -> (f64, f64) {
    if values.is_empty() {
        return (estimate, estimate);
    }
    values.sort_by(f64::total_cmp);
    let alpha = (1.0 - confidence) / 2.0;
    (quantile(&values, alpha), quantile(&values, 1.0 - alpha))
}

/// Check the documents: scores finite and in [-1, 1], labels below `n_classes`, as many labels
/// as scores.
fn validate_documents(docs: &[TimelineDocument], n_classes: usize) -> Result<()> {
    for (d, doc) in docs.iter().enumerate() {
        if doc.passage_scores.len() != doc.passage_labels.len() {
            return Err(Error::LengthMismatch {
                left_name: "passage_scores",
                left: doc.passage_scores.len(),
                right_name: "passage_labels",
                right: doc.passage_labels.len(),
            });
        }
        for (p, (&score, &label)) in doc.passage_scores.iter().zip(&doc.passage_labels).enumerate() {
            if !(score.is_finite() && (-1.0..=1.0).contains(&score)) {
                return Err(Error::InvalidPassage {
                    document: d,
                    passage: p,
                    reason: format!("score {score} is not a number in [-1, 1]"),
                });
            }
            if label >= n_classes {
                return Err(Error::InvalidPassage {
                    document: d,
                    passage: p,
                    reason: format!("class index {label} is out of range for {n_classes} classes"),
                });
            }
        }
    }
    Ok(())
}

/// The documents of one group with scored passages, in date order, as the change-point search
/// sees them.
struct Series<'a> {
    docs: &'a [TimelineDocument],
    /// Input index of each document.
    index: Vec<usize>,
    /// Sum of its passage scores.
    sums: Vec<f64>,
    /// Number of its scored passages.
    weights: Vec<f64>,
    /// Start of its period.
    starts: Vec<NaiveDate>,
    /// Positions `k` where a new period begins (a change may fall between `k - 1` and `k`).
    boundaries: Vec<usize>,
}

/// The best split of a segment and its test.
#[derive(Debug, Clone, Copy)]
struct Split {
    at: usize,
    statistic: f64,
    p_value: f64,
}

/// The least-squares change-in-mean statistic at every candidate split of a sequence: the drop
/// in the passage-level residual sum of squares when the segment gets two means instead of
/// one, `S_L²/W_L + S_R²/W_R − S²/W`. `order` lists the positions (into `sums`/`weights`) in
/// sequence order; `cuts` are split offsets into `order`, increasing. Returns the largest value
/// and its cut.
fn best_cut(order: &[usize], sums: &[f64], weights: &[f64], cuts: &[usize]) -> (usize, f64) {
    let (total_s, total_w) = order
        .iter()
        .fold((0.0, 0.0), |(s, w), &i| (s + sums[i], w + weights[i]));
    let base = total_s * total_s / total_w;
    let (mut s, mut w, mut pos) = (0.0, 0.0, 0);
    let (mut best, mut best_at) = (f64::NEG_INFINITY, 0);
    for &cut in cuts {
        while pos < cut {
            s += sums[order[pos]];
            w += weights[order[pos]];
            pos += 1;
        }
        let (rs, rw) = (total_s - s, total_w - w);
        if w <= 0.0 || rw <= 0.0 {
            continue;
        }
        let stat = s * s / w + rs * rs / rw - base;
        if stat > best {
            best = stat;
            best_at = cut;
        }
    }
    (best_at, best)
}

/// Permutations handled by one task; each block has its own seeded generator, so the p-value
/// does not depend on the number of threads.
const PERMUTATION_BLOCK: usize = 64;

impl Series<'_> {
    fn len(&self) -> usize {
        self.sums.len()
    }

    /// Find the best split of `range` and its permutation p-value, if a split is allowed.
    fn test(&self, range: Range<usize>, opts: &TimelineOptions, seed: u64) -> Option<Split> {
        let (a, b) = (range.start, range.end);
        let m = opts.min_documents;
        if b - a < 2 * m {
            return None;
        }
        let cuts: Vec<usize> = self
            .boundaries
            .iter()
            .filter(|&&k| k > a && k < b && k - a >= m && b - k >= m)
            .map(|&k| k - a)
            .collect();
        if cuts.is_empty() {
            return None;
        }
        let identity: Vec<usize> = (a..b).collect();
        let (cut, statistic) = best_cut(&identity, &self.sums, &self.weights, &cuts);
        if !statistic.is_finite() {
            return None;
        }
        // A permuted statistic counts as reaching the observed one within rounding.
        let threshold = statistic - 1e-9 * statistic.abs().max(1e-12);
        let blocks = opts.n_permutations.div_ceil(PERMUTATION_BLOCK);
        let exceed: usize = (0..blocks)
            .into_par_iter()
            .map(|block| {
                let mut rng = SplitMix64::new(sub_seed(seed, block as u64, 0x7065_726d));
                let mut order = identity.clone();
                let count = PERMUTATION_BLOCK.min(opts.n_permutations - block * PERMUTATION_BLOCK);
                (0..count)
                    .filter(|_| {
                        rng.shuffle(&mut order);
                        best_cut(&order, &self.sums, &self.weights, &cuts).1 >= threshold
                    })
                    .count()
            })
            .sum();
        let p_value = (1 + exceed) as f64 / (1 + opts.n_permutations) as f64;
        Some(Split {
            at: a + cut,
            statistic,
            p_value,
        })
    }

    /// Binary segmentation: split the segment whose best split is most significant, while one
    /// is below `shift_alpha` and fewer than `max_shifts` were made. Returns the change
    /// positions, increasing, with their p-values.
    fn segment(&self, opts: &TimelineOptions, seed: u64) -> Vec<(usize, f64)> {
        let mut changes: Vec<(usize, f64)> = Vec::new();
        if opts.max_shifts == 0 {
            return changes;
        }
        let test = |r: Range<usize>| self.test(r.clone(), opts, sub_seed(seed, r.start as u64, r.end as u64));
        let mut open: Vec<(Range<usize>, Option<Split>)> = vec![(0..self.len(), test(0..self.len()))];
        while changes.len() < opts.max_shifts {
            let best = open
                .iter()
                .enumerate()
                .filter_map(|(i, (_, s))| s.map(|s| (i, s)))
                .filter(|(_, s)| s.p_value <= opts.shift_alpha)
                .min_by(|(_, x), (_, y)| {
                    x.p_value
                        .total_cmp(&y.p_value)
                        .then(y.statistic.total_cmp(&x.statistic))
                });
            let Some((i, split)) = best else { break };
            let (range, _) = open.swap_remove(i);
            changes.push((split.at, split.p_value));
            let (left, right) = (range.start..split.at, split.at..range.end);
            open.push((left.clone(), test(left)));
            open.push((right.clone(), test(right)));
        }
        changes.sort_by_key(|&(at, _)| at);
        changes
    }

    /// Passages of the documents in `range` farthest from `level` in the direction `sign`,
    /// at most `n`, farthest first.
    fn evidence(&self, range: Range<usize>, level: f64, sign: f64, n: usize) -> Vec<Evidence> {
        #[derive(PartialEq)]
        struct Item(f64, usize, usize, f64);
        impl Eq for Item {}
        impl PartialOrd for Item {
            fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
                Some(self.cmp(other))
            }
        }
        // "Greater" is a weaker candidate, so the heap's top is the one to drop.
        impl Ord for Item {
            fn cmp(&self, other: &Self) -> Ordering {
                other
                    .0
                    .total_cmp(&self.0)
                    .then(self.1.cmp(&other.1))
                    .then(self.2.cmp(&other.2))
            }
        }
        if n == 0 || sign == 0.0 {
            return Vec::new();
        }
        let mut heap: BinaryHeap<Item> = BinaryHeap::with_capacity(n + 1);
        for pos in range {
            let d = self.index[pos];
            for (p, &score) in self.docs[d].passage_scores.iter().enumerate() {
                let moved = (score - level) * sign;
                if moved > 0.0 {
                    heap.push(Item(moved, d, p, score));
                    if heap.len() > n {
                        heap.pop();
                    }
                }
            }
        }
        heap.into_sorted_vec()
            .into_iter()
            .map(|Item(_, document, passage, score)| Evidence {
                document,
                passage,
                score,
            })
            .collect()
    }

    /// The shifts at `changes`, with levels, intervals and evidence.
    fn shifts(
        &self,
        group: &Option<String>,
        changes: &[(usize, f64)],
        opts: &TimelineOptions,
        seed: u64,
    ) -> Vec<Shift> {
        let mut edges = vec![0];
        edges.extend(changes.iter().map(|&(at, _)| at));
        edges.push(self.len());
        let level = |r: Range<usize>| ratio(self.sums[r.clone()].iter().sum(), self.weights[r].iter().sum());
        changes
            .iter()
            .enumerate()
            .map(|(j, &(at, p_value))| {
                let (left, right) = (edges[j]..at, at..edges[j + 2]);
                let (before, after) = (level(left.clone()), level(right.clone()));
                let size = after - before;
                let (lower, upper) = self.size_interval(left, right.clone(), size, opts, sub_seed(seed, at as u64, 1));
                Shift {
                    group: group.clone(),
                    date: self.starts[at],
                    before,
                    after,
                    size,
                    lower,
                    upper,
                    p_value,
                    evidence: self.evidence(right, before, size.signum(), opts.n_evidence),
                }
            })
            .collect()
    }

    /// Percentile interval of `after − before`, resampling the documents of each side.
    fn size_interval(
        &self,
        left: Range<usize>,
        right: Range<usize>,
        size: f64,
        opts: &TimelineOptions,
        seed: u64,
    ) -> (f64, f64) {
        if opts.n_boot == 0 {
            return (size, size);
        }
        let mut rng = SplitMix64::new(seed);
        let mut draw = |r: &Range<usize>| {
            let (mut s, mut w) = (0.0, 0.0);
            for _ in 0..r.len() {
                let i = r.start + rng.below(r.len());
                s += self.sums[i];
                w += self.weights[i];
            }
            ratio(s, w)
        };
        let diffs: Vec<f64> = (0..opts.n_boot)
            .map(|_| {
                let b = draw(&left);
                draw(&right) - b
            })
            .filter(|d| d.is_finite())
            .collect();
        interval_of(diffs, opts.confidence, size)
    }
}

/// The series of a collection of dated, scored documents: one row per group and period, and the
/// detected shifts (see the module documentation). `n_classes` is the number of classes of the
/// model that labelled the passages (the length of every row's `class_shares`).
///
/// An empty `docs` gives an empty [`Timeline`] (no rows, no shifts). A score that is not finite
/// or outside [-1, 1], or a class index `>= n_classes`, is an [`Error::InvalidPassage`]; labels
/// and scores of different lengths an [`Error::LengthMismatch`]; bad options an
/// [`Error::InvalidParameter`].
///
/// ```
/// use hawkdove::timeline::{timeline, TimelineDocument, TimelineOptions};
/// use chrono::NaiveDate;
///
/// let doc = |m: u32, s: f64| TimelineDocument {
///     date: NaiveDate::from_ymd_opt(2024, m, 10).unwrap(),
///     group: None,
///     passage_scores: vec![s, s],
///     passage_labels: vec![if s < 0.0 { 0 } else { 2 }; 2],
///     n_abstained: 0,
/// };
/// let docs: Vec<_> = (1..=12).flat_map(|m| (0..4).map(move |_| doc(m, if m < 7 { -0.5 } else { 0.5 }))).collect();
/// let t = timeline(&docs, 3, &TimelineOptions::default()).unwrap();
/// assert_eq!(t.rows.len(), 12);
/// assert_eq!(t.shifts[0].date, NaiveDate::from_ymd_opt(2024, 7, 1).unwrap());
/// ```
pub fn timeline(docs: &[TimelineDocument], n_classes: usize, opts: &TimelineOptions) -> Result<Timeline> {
    opts.validate()?;
    if n_classes == 0 {
        return Err(Error::param("n_classes", n_classes, "must be at least 1"));
    }
    validate_documents(docs, n_classes)?;
    let mut groups: BTreeMap<Option<&str>, Vec<usize>> = BTreeMap::new();
    for (i, doc) in docs.iter().enumerate() {
        groups.entry(doc.group.as_deref()).or_default().push(i);
    }
    let mut out = Timeline {
        rows: Vec::new(),
        shifts: Vec::new(),
    };
    for (g, (group, mut members)) in groups.into_iter().enumerate() {
        let group: Option<String> = group.map(str::to_string);
        let group_seed = sub_seed(opts.seed, g as u64, 0x6772_6f75);
        members.sort_by_key(|&i| (docs[i].date, i));
        // Rows: runs of documents in the same period.
        let mut start = 0;
        while start < members.len() {
            let period = opts.period.start_of(docs[members[start]].date);
            let mut end = start;
            while end < members.len() && opts.period.start_of(docs[members[end]].date) == period {
                end += 1;
            }
            let run = &members[start..end];
            let sums: Vec<f64> = run.iter().map(|&i| docs[i].passage_scores.iter().sum()).collect();
            let weights: Vec<f64> = run.iter().map(|&i| docs[i].passage_scores.len() as f64).collect();
            let n_passages: usize = run.iter().map(|&i| docs[i].passage_scores.len()).sum();
            let mut counts = vec![0usize; n_classes];
            for &i in run {
                for &label in &docs[i].passage_labels {
                    counts[label] += 1;
                }
            }
            let score = ratio(sums.iter().sum(), n_passages as f64);
            let (lower, upper) = ratio_interval(
                &sums,
                &weights,
                opts.n_boot,
                opts.confidence,
                sub_seed(group_seed, out.rows.len() as u64, 0x726f_7773),
            );
            out.rows.push(TimelineRow {
                period,
                group: group.clone(),
                score,
                lower,
                upper,
                n_documents: run.len(),
                n_passages,
                n_abstained: run.iter().map(|&i| docs[i].n_abstained).sum(),
                class_shares: counts
                    .iter()
                    .map(|&c| {
                        if n_passages > 0 {
                            c as f64 / n_passages as f64
                        } else {
                            0.0
                        }
                    })
                    .collect(),
            });
            start = end;
        }
        // Shifts: on the documents with scored passages, in date order.
        let scored: Vec<usize> = members
            .into_iter()
            .filter(|&i| !docs[i].passage_scores.is_empty())
            .collect();
        let starts: Vec<NaiveDate> = scored.iter().map(|&i| opts.period.start_of(docs[i].date)).collect();
        let boundaries: Vec<usize> = (1..starts.len()).filter(|&k| starts[k] != starts[k - 1]).collect();
        let series = Series {
            docs,
            sums: scored.iter().map(|&i| docs[i].passage_scores.iter().sum()).collect(),
            weights: scored.iter().map(|&i| docs[i].passage_scores.len() as f64).collect(),
            index: scored,
            starts,
            boundaries,
        };
        let changes = series.segment(opts, group_seed);
        out.shifts.extend(series.shifts(&group, &changes, opts, group_seed));
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
