//! Feature spaces: a learned vocabulary of n-grams, or feature hashing.
//!
//! In the vocabulary, word n-grams are interned as packed term ids (up to four 32-bit ids in a
//! `u128`), so looking an n-gram up never builds a string; character n-grams are looked up by
//! `&str` slices of a reused buffer.

use std::hash::{Hash, Hasher};

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHasher};
use xxhash_rust::xxh3::xxh3_64_with_seed;

use super::table::OpenTable;
use super::{run_length, CsrMatrix, DocFrequency, FeaturizerConfig, MAX_WORD_NGRAM};
use crate::error::{Error, FormatError, Result};
use crate::text::{short_word_key, Analysis, Analyzer, Keyed};

/// A packed word n-gram: term ids + 1 in 32-bit slots, lowest slot first.
type NgramKey = u128;

fn pack(ids: &[u32]) -> NgramKey {
    ids.iter()
        .enumerate()
        .fold(0u128, |k, (slot, &id)| k | (u128::from(id) + 1) << (32 * slot))
}

fn unpack(key: NgramKey) -> impl Iterator<Item = u32> {
    (0..MAX_WORD_NGRAM)
        .map(move |slot| ((key >> (32 * slot)) & 0xFFFF_FFFF) as u64)
        .take_while(|&v| v != 0)
        .map(|v| (v - 1) as u32)
}

/// Domain separator so that character n-grams and word n-grams hash apart.
const CHAR_SEED_XOR: u64 = 0x9E37_79B9_7F4A_7C15;

/// Mixing step for hashed n-grams (SplitMix64's finalizer).
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A fitted feature space.
#[derive(Debug, Clone)]
pub(crate) enum FittedSpace {
    Vocabulary(Vocabulary),
    Hashing { bits: u32, seed: u64 },
}

/// A learned vocabulary. Word n-gram names are not stored: a column keeps its packed key and
/// the name is rebuilt from the term list when asked for (model files, explanations), which
/// saves a string per column (about 45 bytes each: 65 MB on IMDB's 1.4 million n-grams).
#[derive(Debug, Clone, Default)]
pub(crate) struct Vocabulary {
    terms: FxHashMap<Box<str>, u32>,
    /// Term of each id (ids that no column uses may be empty).
    term_names: Vec<Box<str>>,
    /// Word n-gram columns.
    words: WordIndex,
    chars: FxHashMap<Box<str>, u32>,
    char_names: Vec<String>,
}

/// Word n-gram index: packed key → column, and each column's key. Keys are `u64` when no
/// n-gram has more than two words (the default uni+bigrams), which halves the table (32 MB
/// instead of 64 MB on IMDB's 1.4 million n-grams) and its hashing; `u128` otherwise.
#[derive(Debug, Clone)]
enum WordIndex {
    Short {
        map: KeyTable,
        keys: Vec<u64>,
    },
    Long {
        map: FxHashMap<NgramKey, u32>,
        keys: Vec<NgramKey>,
    },
}

/// The n-gram key → column table of two-word-or-shorter n-grams (see [`OpenTable`]).
type KeyTable = OpenTable<u64, u32>;

impl Default for WordIndex {
    fn default() -> Self {
        WordIndex::Short {
            map: KeyTable::default(),
            keys: Vec::new(),
        }
    }
}

impl WordIndex {
    /// An empty index for n-grams of at most `max_order` words.
    fn for_order(max_order: usize) -> Self {
        if max_order <= 2 {
            WordIndex::default()
        } else {
            WordIndex::Long {
                map: FxHashMap::default(),
                keys: Vec::new(),
            }
        }
    }

    fn len(&self) -> usize {
        match self {
            WordIndex::Short { keys, .. } => keys.len(),
            WordIndex::Long { keys, .. } => keys.len(),
        }
    }

    /// Column of a packed n-gram (of at most the index's order).
    #[inline]
    fn get(&self, key: NgramKey) -> Option<u32> {
        match self {
            // Two packed ids fill the low 64 bits exactly.
            WordIndex::Short { map, .. } => map.get(key as u64),
            WordIndex::Long { map, .. } => map.get(&key).copied(),
        }
    }

    /// Append the columns of those `keys` that are in the index to `cols` (short keys are
    /// looked up as one batch; `short` is scratch).
    fn columns_of(&self, keys: &[NgramKey], short: &mut Vec<u64>, cols: &mut Vec<u32>) {
        match self {
            WordIndex::Short { map, .. } => {
                short.clear();
                // Keys of more than two words (none when the index is short) are never found.
                short.extend(keys.iter().map(|&k| u64::try_from(k).unwrap_or(0)));
                map.values_into(short, cols);
            }
            WordIndex::Long { map, .. } => cols.extend(keys.iter().filter_map(|k| map.get(k).copied())),
        }
    }

    /// Packed key of column `col`.
    fn key(&self, col: usize) -> Option<NgramKey> {
        match self {
            WordIndex::Short { keys, .. } => keys.get(col).map(|&k| NgramKey::from(k)),
            WordIndex::Long { keys, .. } => keys.get(col).copied(),
        }
    }

    fn reserve(&mut self, n: usize) {
        match self {
            WordIndex::Short { map, keys } => {
                map.reserve(n);
                keys.reserve_exact(n);
            }
            WordIndex::Long { map, keys } => {
                map.reserve(n);
                keys.reserve_exact(n);
            }
        }
    }

    /// Add `new` keys as the next columns (short ones through [`OpenTable::insert_batch`]: the
    /// 1.4 million of IMDB took 200 ms one at a time). When one of them is already in the
    /// index, returns its position in `new`, and the index is left partly extended.
    fn extend_new(&mut self, new: &[NgramKey]) -> Option<usize> {
        let first = self.len() as u32;
        match self {
            WordIndex::Short { map, keys } => {
                let items: Vec<(u64, u32)> = new.iter().zip(first..).map(|(&k, c)| (k as u64, c)).collect();
                let duplicate = map.insert_batch(&items);
                keys.extend(items.iter().map(|i| i.0));
                duplicate
            }
            WordIndex::Long { map, keys } => {
                keys.extend_from_slice(new);
                map.reserve(new.len());
                new.iter().zip(first..).position(|(&k, c)| map.insert(k, c).is_some())
            }
        }
    }
}

impl Vocabulary {
    /// Set the term list (a term's id is its index; an empty name is an id no column uses) and
    /// index the named terms by name.
    fn set_term_names(&mut self, names: Vec<Box<str>>) {
        self.terms.reserve(names.len());
        for (id, t) in names.iter().enumerate() {
            if !t.is_empty() {
                self.terms.insert(t.clone(), id as u32);
            }
        }
        self.term_names = names;
    }

    pub(crate) fn n_features(&self) -> usize {
        self.words.len() + self.char_names.len()
    }

    /// The name of word column `col`: its terms joined by a space.
    fn word_name(&self, col: usize) -> Option<String> {
        let key = self.words.key(col)?;
        let mut name = String::new();
        for (k, id) in unpack(key).enumerate() {
            if k > 0 {
                name.push(' ');
            }
            name.push_str(self.term_names.get(id as usize).map_or("", |t| &**t));
        }
        Some(name)
    }

    pub(crate) fn word_names(&self) -> Vec<String> {
        (0..self.words.len()).filter_map(|c| self.word_name(c)).collect()
    }

    pub(crate) fn char_names(&self) -> &[String] {
        &self.char_names
    }

    pub(crate) fn display_names(&self) -> Vec<String> {
        (0..self.n_features()).map(|c| self.display_name(c)).collect()
    }

    pub(crate) fn display_name(&self, col: usize) -> String {
        if let Some(w) = self.word_name(col) {
            w
        } else if let Some(c) = self.char_names.get(col - self.words.len().min(col)) {
            format!("[{c}]")
        } else {
            format!("#{col}")
        }
    }

    /// Rebuild from stored names, checking them (model file loading).
    pub(crate) fn from_names(
        word_names: Vec<String>,
        char_names: Vec<String>,
        config: &FeaturizerConfig,
    ) -> Result<Self> {
        let (lo, hi) = config.word_ngrams;
        let mut v = Vocabulary {
            words: WordIndex::for_order(hi),
            ..Vocabulary::default()
        };
        let mut ids = Vec::with_capacity(MAX_WORD_NGRAM);
        let mut keys = Vec::with_capacity(word_names.len());
        // Terms through the fit's interner: most are known, and those of at most 15 bytes are
        // found by their packed bytes, with no string hashed, compared or allocated.
        let mut terms = Interner::default();
        for (col, name) in word_names.iter().enumerate() {
            ids.clear();
            for part in name.split(' ') {
                if part.is_empty() {
                    return Err(bad_name(col, name, "empty term"));
                }
                let id = terms.id(part);
                ids.push(id);
                if ids.len() > hi {
                    break;
                }
            }
            if ids.len() < lo || ids.len() > hi {
                return Err(bad_name(col, name, &format!("n-gram order outside {lo}..={hi}")));
            }
            keys.push(pack(&ids));
        }
        if let Some(col) = v.words.extend_new(&keys) {
            return Err(bad_name(
                col,
                word_names.get(col).map_or("", String::as_str),
                "duplicate feature",
            ));
        }
        v.set_term_names(terms.into_list());
        let offset = word_names.len();
        if !char_names.is_empty() {
            let Some((clo, chi)) = config.char_ngrams else {
                return Err(bad_name(
                    offset,
                    &char_names[0],
                    "character n-grams stored but not configured",
                ));
            };
            for (i, name) in char_names.iter().enumerate() {
                let n = name.chars().count();
                if n < clo || n > chi {
                    return Err(bad_name(
                        offset + i,
                        name,
                        &format!("character n-gram order outside {clo}..={chi}"),
                    ));
                }
                if v.chars.insert(name.as_str().into(), (offset + i) as u32).is_some() {
                    return Err(bad_name(offset + i, name, "duplicate feature"));
                }
            }
        }
        if u32::try_from(word_names.len() + char_names.len()).is_err() {
            return Err(bad_name(0, "", "too many features"));
        }
        v.char_names = char_names;
        Ok(v)
    }
}

fn bad_name(col: usize, name: &str, reason: &str) -> Error {
    let shown: String = name.chars().take(40).collect();
    Error::Format(FormatError::InvalidValue {
        field: format!("vocabulary[{col}] {shown:?}"),
        reason: reason.to_string(),
    })
}

impl FittedSpace {
    pub(crate) fn n_features(&self) -> usize {
        match self {
            FittedSpace::Vocabulary(v) => v.n_features(),
            FittedSpace::Hashing { bits, .. } => 1usize << bits,
        }
    }

    /// Report every feature column found in `analysis` as `(first token, n tokens, column)`.
    pub(crate) fn columns(&self, config: &FeaturizerConfig, analysis: &Analysis, emit: impl FnMut(usize, usize, u32)) {
        let mut ids = Vec::new();
        let mut grams = String::new();
        self.columns_with(config, analysis, &mut ids, &mut grams, emit);
    }

    /// [`FittedSpace::columns`] with caller-provided scratch buffers.
    pub(crate) fn columns_with(
        &self,
        config: &FeaturizerConfig,
        analysis: &Analysis,
        ids: &mut Vec<Option<u32>>,
        grams: &mut String,
        mut emit: impl FnMut(usize, usize, u32),
    ) {
        let (lo, hi) = config.word_ngrams;
        let n_tok = analysis.len();
        match self {
            FittedSpace::Vocabulary(v) => {
                ids.clear();
                ids.extend((0..n_tok).map(|i| v.terms.get(analysis.term(i)).copied()));
                v.emit_ngrams(config, analysis, ids, None, grams, emit);
            }
            FittedSpace::Hashing { bits, seed } => {
                let shift = 64 - bits;
                let hashes: Vec<u64> = (0..n_tok)
                    .map(|i| xxh3_64_with_seed(analysis.term(i).as_bytes(), *seed))
                    .collect();
                for start in 0..n_tok {
                    let mut h = 0u64;
                    for n in 1..=hi.min(n_tok - start) {
                        h = mix(h.rotate_left(17) ^ hashes[start + n - 1]);
                        if n >= lo {
                            let col = (mix(h ^ n as u64) >> shift) as u32;
                            emit(start, n, col);
                        }
                    }
                }
                if let Some((clo, chi)) = config.char_ngrams {
                    let cseed = seed ^ CHAR_SEED_XOR;
                    for i in 0..n_tok {
                        for_each_char_gram(analysis.surface(i), clo, chi, grams, |g| {
                            emit(i, 1, (xxh3_64_with_seed(g.as_bytes(), cseed) >> shift) as u32);
                        });
                    }
                }
            }
        }
    }
}

/// Character n-grams of ` word ` (padded with one space each side, like scikit-learn's
/// `char_wb`), for orders `lo..=hi`.
fn for_each_char_gram(word: &str, lo: usize, hi: usize, buf: &mut String, mut f: impl FnMut(&str)) {
    buf.clear();
    buf.push(' ');
    buf.push_str(word);
    buf.push(' ');
    let bounds: Vec<usize> = buf
        .char_indices()
        .map(|(i, _)| i)
        .chain(std::iter::once(buf.len()))
        .collect();
    let n_chars = bounds.len() - 1;
    for n in lo..=hi {
        if n > n_chars {
            break;
        }
        for s in 0..=n_chars - n {
            f(&buf[bounds[s]..bounds[s + n]]);
        }
    }
}

/// Texts analysed into interned ids, kept in the chunks they were analysed in (no flat copy):
/// ids number the distinct terms (and surfaces) in order of first appearance in the corpus.
struct Interned {
    /// Where each document's ids start, counted over the whole corpus (`n_docs + 1` values).
    offsets: Vec<usize>,
    /// Each chunk's term ids, and surface ids when character n-grams need them.
    term_ids: Vec<Vec<u32>>,
    surface_ids: Vec<Vec<u32>>,
    terms: Vec<Box<str>>,
    surfaces: Vec<Box<str>>,
}

impl Interned {
    /// Document `d`'s ids in `ids` (per-chunk term or surface ids); empty when there are none.
    fn of<'a>(&self, ids: &'a [Vec<u32>], d: usize) -> &'a [u32] {
        let chunk = d / FIT_CHUNK;
        let base = self.offsets[chunk * FIT_CHUNK];
        ids.get(chunk)
            .and_then(|c| c.get(self.offsets[d] - base..self.offsets[d + 1] - base))
            .unwrap_or_default()
    }
}

/// Distinct strings in order of first appearance, with their ids. The strings live in one
/// buffer, and those of at most 15 bytes (nearly all terms) are indexed by their packed bytes,
/// so interning a new string allocates nothing of its own (two allocations per string, for
/// the index's key and the list's, were 6% of a fit's instructions).
#[derive(Default)]
struct Interner {
    short: FxHashMap<u128, u32>,
    long: FxHashMap<Box<str>, u32>,
    text: String,
    /// Where each string ends in `text`.
    ends: Vec<usize>,
}

impl Interner {
    fn id(&mut self, s: &str) -> u32 {
        let next = self.ends.len() as u32;
        let id = match short_word_key(s) {
            Some(key) => *self.short.entry(key).or_insert(next),
            None => match self.long.get(s) {
                Some(&id) => id,
                None => {
                    self.long.insert(s.into(), next);
                    next
                }
            },
        };
        if id == next {
            self.text.push_str(s);
            self.ends.push(self.text.len());
        }
        id
    }

    /// The strings in id order.
    fn strings(&self) -> impl Iterator<Item = &str> + '_ {
        let starts = std::iter::once(0).chain(self.ends.iter().copied());
        starts
            .zip(&self.ends)
            .map(|(start, &end)| self.text.get(start..end).unwrap_or_default())
    }

    /// Free the index, keeping the strings (a chunk's interner once the chunk is analysed).
    fn drop_index(&mut self) {
        self.short = FxHashMap::default();
        self.long = FxHashMap::default();
    }

    /// Intern the strings of a chunk-local interner (in their order) and return, for each
    /// chunk-local id, this interner's id.
    fn merge(&mut self, local: &Interner) -> Vec<u32> {
        local.strings().map(|t| self.id(t)).collect()
    }

    fn into_list(self) -> Vec<Box<str>> {
        self.strings().map(Box::from).collect()
    }
}

/// Turn chunk-local `ids` into global ones through `global` (from [`Interner::merge`]).
fn translate(ids: &mut Vec<u32>, global: &[u32]) {
    for id in ids.iter_mut() {
        *id = global.get(*id as usize).copied().unwrap_or(0);
    }
    ids.shrink_to_fit();
}

/// One chunk of documents with ids local to the chunk.
#[derive(Default)]
struct ChunkIds {
    terms: Interner,
    term_ids: Vec<u32>,
    surfaces: Interner,
    surface_ids: Vec<u32>,
    doc_tokens: Vec<usize>,
}

/// Documents per fit chunk: larger chunks re-stem and re-intern fewer words and leave less
/// to merge (1024 over 256: Model::train on IMDB used 4.5-5.3 CPU s instead of 5.4-6.4 in four
/// alternated pairs, and 8 MB less memory), while 25,000 texts still make 25 parallel chunks.
const FIT_CHUNK: usize = 1024;

/// Analyse every text and intern its terms (and surfaces, for character n-grams). Chunks of
/// documents are analysed and interned in parallel with chunk-local ids; the merge then only
/// visits each chunk's distinct strings, in chunk order, so the global ids are the same as a
/// serial pass would give.
fn intern_all<S: AsRef<str> + Sync>(
    analyzer: &Analyzer,
    texts: &[S],
    want_surfaces: bool,
    on_texts: &mut dyn FnMut(usize) -> Result<()>,
) -> Result<Interned> {
    let init = || (Analysis::default(), Keyed::default(), String::new());
    let intern_chunk = |(analysis, keyed, buf): &mut (Analysis, Keyed, String), docs: &[S]| {
        let mut chunk = ChunkIds::default();
        // Surface → chunk-local term id + 1 outside / inside a negation scope (0: not
        // seen yet), so that a repeated word is neither stemmed nor hashed as a string.
        let mut seen: OpenTable<u128, [u32; 2]> = OpenTable::default();
        for d in docs {
            if want_surfaces {
                analyzer.analyze_into(d.as_ref(), analysis);
                for (i, term) in analysis.terms().enumerate() {
                    chunk.term_ids.push(chunk.terms.id(term));
                    chunk.surface_ids.push(chunk.surfaces.id(analysis.surface(i)));
                }
            } else {
                analyzer.analyze_keys_into(d.as_ref(), keyed);
                for (i, &key) in keyed.keys().iter().enumerate() {
                    let negated = keyed.negated(i);
                    let neg = usize::from(negated);
                    let known = if key != 0 {
                        seen.get(key).unwrap_or_default()
                    } else {
                        [0; 2]
                    };
                    let id = match known[neg] {
                        0 => {
                            buf.clear();
                            let mut short = [0u8; 16];
                            analyzer.term_into(keyed.surface(i, &mut short), keyed.kind(i), negated, buf);
                            let id = chunk.terms.id(buf);
                            if key != 0 {
                                let mut ids = known;
                                ids[neg] = id + 1;
                                seen.set(key, ids);
                            }
                            id
                        }
                        plus_one => plus_one - 1,
                    };
                    chunk.term_ids.push(id);
                }
            }
            chunk
                .doc_tokens
                .push(if want_surfaces { analysis.len() } else { keyed.len() });
        }
        chunk.terms.drop_index();
        chunk.surfaces.drop_index();
        chunk
    };
    // Chunks in groups, each group in parallel, with `on_texts` (progress and cancellation)
    // between groups; chunk boundaries, and so the result, do not depend on the grouping.
    let group = FIT_CHUNK * (4 * rayon::current_num_threads()).max(16);
    let mut chunks: Vec<ChunkIds> = Vec::with_capacity(texts.len().div_ceil(FIT_CHUNK));
    let mut done = 0;
    for part in texts.chunks(group) {
        chunks.par_extend(part.par_chunks(FIT_CHUNK).map_init(init, intern_chunk));
        done += part.len();
        on_texts(done)?;
    }
    let mut terms = Interner::default();
    let mut surfaces = Interner::default();
    let mut out = Interned {
        offsets: Vec::with_capacity(texts.len() + 1),
        term_ids: Vec::with_capacity(chunks.len()),
        surface_ids: Vec::with_capacity(chunks.len()),
        terms: Vec::new(),
        surfaces: Vec::new(),
    };
    out.offsets.push(0);
    // Global ids in chunk order (serial: first appearance), then each chunk's ids translated in
    // parallel.
    let mut globals = Vec::with_capacity(chunks.len());
    for chunk in &chunks {
        globals.push((terms.merge(&chunk.terms), surfaces.merge(&chunk.surfaces)));
        for &n in &chunk.doc_tokens {
            let last = out.offsets.last().copied().unwrap_or(0);
            out.offsets.push(last + n);
        }
    }
    chunks.par_iter_mut().zip(&globals).for_each(|(chunk, (t, s))| {
        translate(&mut chunk.term_ids, t);
        translate(&mut chunk.surface_ids, s);
    });
    drop(globals);
    for chunk in chunks {
        out.term_ids.push(chunk.term_ids);
        out.surface_ids.push(chunk.surface_ids);
    }
    out.terms = terms.into_list();
    out.surfaces = surfaces.into_list();
    Ok(out)
}

/// Count document frequency and total frequency of keys, sharded across threads by key hash
/// so that no map is duplicated. The result, in no particular order, does not depend on the
/// number of threads.
fn count_sharded<K, F>(n_docs: usize, keys_of_doc: F) -> Vec<(K, u32, u32)>
where
    K: Copy + Eq + Hash + Send + Sync,
    F: Fn(usize, &mut Vec<K>) + Sync,
{
    let shards = rayon::current_num_threads().max(1);
    let parts: Vec<Vec<(K, u32, u32)>> = (0..shards)
        .into_par_iter()
        .map(|shard| {
            let mut map: FxHashMap<K, (u32, u32, usize)> = FxHashMap::default();
            let mut buf = Vec::new();
            for d in 0..n_docs {
                buf.clear();
                keys_of_doc(d, &mut buf);
                if shards > 1 {
                    // The shard is the hash's high half scaled to 0..shards by a multiply and
                    // a shift (a 64-bit division per key cost a tenth of this loop in perf).
                    let scale = shards as u64;
                    buf.retain(|k| {
                        let mut h = FxHasher::default();
                        k.hash(&mut h);
                        (((h.finish() >> 32) * scale) >> 32) as usize == shard
                    });
                }
                // Each entry remembers the last document that counted it, so a document's
                // repeats add to the corpus frequency only, with no sort to group them first
                // (the per-document sort was 7% of a fit's instructions).
                for &k in &buf {
                    let e = map.entry(k).or_insert((0, 0, usize::MAX));
                    if e.2 != d {
                        e.2 = d;
                        e.0 += 1;
                    }
                    e.1 = e.1.saturating_add(1);
                }
            }
            map.into_iter().map(|(k, (df, tf, _))| (k, df, tf)).collect()
        })
        .collect();
    // Concatenate into the first part's allocation (no second full copy).
    let total: usize = parts.iter().map(Vec::len).sum();
    let mut parts = parts.into_iter();
    let mut all = parts.next().unwrap_or_default();
    all.reserve_exact(total - all.len());
    for part in parts {
        all.extend(part);
    }
    all
}

/// `(id, document frequency, corpus frequency)` of ids below `n_ids`, for those that occur,
/// counted in arrays indexed by id: one array per range of documents and thread (at most
/// [`DENSE_PARTS`]), then added up. The same counts as [`count_sharded`]'s, with no hashing.
fn count_dense<F>(n_ids: usize, n_docs: usize, ids_of_doc: F) -> Vec<(u32, u32, u32)>
where
    F: Fn(usize, &mut Vec<u32>) + Sync,
{
    let parts = rayon::current_num_threads().clamp(1, DENSE_PARTS).min(n_docs.max(1));
    let per_part = n_docs.div_ceil(parts).max(1);
    // (document frequency, corpus frequency, last document counted)
    let count = |part: usize| {
        let mut counts = vec![(0u32, 0u32, usize::MAX); n_ids];
        let mut buf = Vec::new();
        for d in part * per_part..((part + 1) * per_part).min(n_docs) {
            buf.clear();
            ids_of_doc(d, &mut buf);
            for &t in &buf {
                if let Some(e) = counts.get_mut(t as usize) {
                    if e.2 != d {
                        e.2 = d;
                        e.0 += 1;
                    }
                    e.1 = e.1.saturating_add(1);
                }
            }
        }
        counts
    };
    let total = (0..parts).into_par_iter().map(count).reduce_with(|mut a, b| {
        for (x, y) in a.iter_mut().zip(b) {
            x.0 += y.0;
            x.1 = x.1.saturating_add(y.1);
        }
        a
    });
    (0u32..)
        .zip(total.unwrap_or_default())
        .filter(|(_, c)| c.0 > 0)
        .map(|(id, (df, tf, _))| (id, df, tf))
        .collect()
}

/// Arrays [`count_dense`] counts into at most: each holds 16 bytes per id, and counting by id
/// is a small part of a fit (one array update per token), so more threads would cost memory on
/// a many-core machine for little time.
const DENSE_PARTS: usize = 4;

/// Ordering key for word n-grams: (order, term ids in first-appearance order).
fn word_order(key: NgramKey) -> (usize, [u32; MAX_WORD_NGRAM]) {
    let mut ids = [0u32; MAX_WORD_NGRAM];
    let mut n = 0;
    for (slot, id) in unpack(key).enumerate() {
        ids[slot] = id;
        n += 1;
    }
    (n, ids)
}

/// Word n-gram candidates `(key, document frequency, corpus frequency)`. Keys of at most two
/// words fit in 64 bits, which hash and sort faster and take half the memory (IMDB: 1.4 million
/// candidates). Corpus frequencies saturate at `u32::MAX`.
enum WordCandidates {
    Short(Vec<(u64, u32, u32)>),
    Long(Vec<(NgramKey, u32, u32)>),
}

impl WordCandidates {
    fn len(&self) -> usize {
        match self {
            WordCandidates::Short(w) => w.len(),
            WordCandidates::Long(w) => w.len(),
        }
    }
}

/// Keep the word candidates whose document frequency passes `keep`, then at most `cap` word
/// and character candidates together (see [`cap_features`]).
fn limit<K: Copy + Into<NgramKey>>(
    words: &mut Vec<(K, u32, u32)>,
    chars: &mut Vec<(u32, u32, u32)>,
    keep: impl Fn(u32) -> bool,
    cap: Option<usize>,
) {
    words.retain(|w| keep(w.1));
    if let Some(cap) = cap {
        cap_features(words, chars, cap);
    }
}

/// Add the selected word n-grams (distinct) as columns, in order: their keys to `index`, their
/// document frequencies to `df`, mark the terms they use in `used_terms`, and set each unigram's
/// column in `term_col` (indexed by term id; left alone when empty).
fn push_words<K: Copy + Into<NgramKey>>(
    words: &[(K, u32, u32)],
    index: &mut WordIndex,
    df: &mut Vec<u32>,
    used_terms: &mut [bool],
    term_col: &mut [u32],
) {
    let mut keys: Vec<NgramKey> = Vec::with_capacity(256);
    for group in words.chunks(256) {
        keys.clear();
        for &(key, d, _) in group {
            let key = key.into();
            if key >> 32 == 0 {
                if let Some(slot) = (key as usize).checked_sub(1).and_then(|t| term_col.get_mut(t)) {
                    *slot = (index.len() + keys.len()) as u32;
                }
            }
            df.push(d);
            for id in unpack(key) {
                if let Some(u) = used_terms.get_mut(id as usize) {
                    *u = true;
                }
            }
            keys.push(key);
        }
        // None: every key was counted once, so none is in the index yet.
        let _ = index.extend_new(&keys);
    }
}

/// Keep the `cap` candidates of highest corpus frequency (ties: word n-grams in column order,
/// then character n-grams in column order).
fn cap_features<K: Copy + Into<NgramKey>>(
    words: &mut Vec<(K, u32, u32)>,
    chars: &mut Vec<(u32, u32, u32)>,
    cap: usize,
) {
    if words.len() + chars.len() <= cap {
        return;
    }
    // (corpus frequency, 0 = word / 1 = char, index)
    let mut rank: Vec<(u32, u8, usize)> = words
        .iter()
        .enumerate()
        .map(|(i, w)| (w.2, 0, i))
        .chain(chars.iter().enumerate().map(|(i, c)| (c.2, 1, i)))
        .collect();
    rank.sort_unstable_by(|a, b| {
        b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then_with(|| {
            if a.1 == 0 {
                word_order(words[a.2].0.into()).cmp(&word_order(words[b.2].0.into()))
            } else {
                chars[a.2].0.cmp(&chars[b.2].0)
            }
        })
    });
    let mut keep_word = vec![false; words.len()];
    let mut keep_char = vec![false; chars.len()];
    for &(_, kind, i) in rank.iter().take(cap) {
        if kind == 0 {
            keep_word[i] = true;
        } else {
            keep_char[i] = true;
        }
    }
    let mut i = 0;
    words.retain(|_| {
        i += 1;
        keep_word[i - 1]
    });
    let mut i = 0;
    chars.retain(|_| {
        i += 1;
        keep_char[i - 1]
    });
}

/// The packed key of every n-gram of orders `lo..=hi` over a document's term `ids`.
fn ngram_keys(ids: &[u32], lo: usize, hi: usize, mut f: impl FnMut(NgramKey)) {
    for s in 0..ids.len() {
        for n in lo..=hi.min(ids.len() - s) {
            f(pack(&ids[s..s + n]));
        }
    }
}

/// Reused buffers of one thread building training rows.
#[derive(Default)]
struct RowScratch {
    keys: Vec<NgramKey>,
    ckeys: Vec<u32>,
    cols: Vec<u32>,
    short: Vec<u64>,
    sort_buf: Vec<u32>,
}

type Fitted = (FittedSpace, CsrMatrix, Vec<u32>);

/// Learn a vocabulary and return it with the training documents' matrix of counts and the
/// document frequency of each vocabulary column. `extra_rows` (one per document, or none)
/// holds `extra_cols` more columns of counts, which go after the vocabulary's.
pub(crate) fn fit_vocabulary<S: AsRef<str> + Sync>(
    analyzer: &Analyzer,
    config: &FeaturizerConfig,
    texts: &[S],
    limits: (DocFrequency, DocFrequency, Option<usize>),
    extra_rows: &[Vec<(u32, u32)>],
    extra_cols: usize,
    on_texts: &mut dyn FnMut(usize) -> Result<()>,
) -> Result<Fitted> {
    let (min_df, max_df, max_features) = limits;
    let n_docs = texts.len();
    let (lo, hi) = config.word_ngrams;
    let chars = config.char_ngrams;
    let interned = intern_all(analyzer, texts, chars.is_some(), on_texts)?;
    let doc_ids = |d: usize| interned.of(&interned.term_ids, d);
    // Unigrams are counted, and later looked up, in arrays indexed by term id; the hash maps
    // take the longer n-grams only (half of a fit's keys, with unigrams and bigrams).
    let with_unigrams = lo == 1;
    let lo_hashed = lo.max(2);
    let word_keys = |d: usize, buf: &mut Vec<NgramKey>| ngram_keys(doc_ids(d), lo_hashed, hi, |k| buf.push(k));
    let unigrams: Vec<(u64, u32, u32)> = if with_unigrams {
        let counts = count_dense(interned.terms.len(), n_docs, |d, buf| buf.extend_from_slice(doc_ids(d)));
        counts
            .into_iter()
            .map(|(t, df, tf)| (u64::from(t) + 1, df, tf))
            .collect()
    } else {
        Vec::new()
    };
    // With at most two words an n-gram key fits in 64 bits, which hash and sort faster.
    let mut words = if hi <= 2 {
        let short_keys = |d: usize, buf: &mut Vec<u64>| ngram_keys(doc_ids(d), lo_hashed, hi, |k| buf.push(k as u64));
        let mut w = if lo_hashed <= hi {
            count_sharded(n_docs, short_keys)
        } else {
            Vec::new()
        };
        w.extend(unigrams);
        WordCandidates::Short(w)
    } else {
        let mut w = count_sharded(n_docs, word_keys);
        w.extend(unigrams.into_iter().map(|(k, df, tf)| (NgramKey::from(k), df, tf)));
        WordCandidates::Long(w)
    };

    // Character n-grams: intern the grams of each distinct surface once.
    let mut gram_list: Vec<Box<str>> = Vec::new();
    let mut surface_grams: Vec<Vec<u32>> = Vec::new();
    if let Some((clo, chi)) = chars {
        let mut gram_map: FxHashMap<Box<str>, u32> = FxHashMap::default();
        let mut buf = String::new();
        for s in &interned.surfaces {
            let mut ids = Vec::new();
            for_each_char_gram(s, clo, chi, &mut buf, |g| {
                let id = match gram_map.get(g) {
                    Some(&id) => id,
                    None => {
                        let id = gram_list.len() as u32;
                        gram_map.insert(g.into(), id);
                        gram_list.push(g.into());
                        id
                    }
                };
                ids.push(id);
            });
            surface_grams.push(ids);
        }
    }
    let char_keys = |d: usize, buf: &mut Vec<u32>| {
        for &sid in interned.of(&interned.surface_ids, d) {
            if let Some(g) = surface_grams.get(sid as usize) {
                buf.extend_from_slice(g);
            }
        }
    };
    let char_counts = if chars.is_some() {
        count_dense(gram_list.len(), n_docs, char_keys)
    } else {
        Vec::new()
    };

    let min_count = min_df.resolve(n_docs);
    let max_count = max_df.resolve(n_docs);
    let n_candidates = words.len() + char_counts.len();
    let keep = |df: u32| f64::from(df) >= min_count && f64::from(df) <= max_count;
    let mut char_sel = char_counts;
    char_sel.retain(|c| keep(c.1));
    char_sel.sort_unstable_by_key(|c| c.0);
    // Columns: word n-grams by order, then by term ids (first appearance); then character
    // n-grams by first appearance.
    match &mut words {
        WordCandidates::Short(w) => {
            limit(w, &mut char_sel, keep, max_features);
            // (order, first id, second id) packed into one integer, straight from the key's
            // two slots of id + 1 (the key function runs at every comparison: going through
            // `word_order` made this sort 11% of a fit's instructions).
            w.par_sort_unstable_by_key(|w| u128::from(w.0 >> 32 != 0) << 64 | u128::from(w.0.rotate_left(32)));
        }
        WordCandidates::Long(w) => {
            limit(w, &mut char_sel, keep, max_features);
            w.par_sort_unstable_by(|a, b| word_order(a.0).cmp(&word_order(b.0)));
        }
    }
    let n_selected = words.len() + char_sel.len();
    if n_selected == 0 {
        return Err(Error::EmptyVocabulary {
            documents: n_docs,
            candidates: n_candidates,
        });
    }
    if u32::try_from(n_selected).is_err() {
        return Err(Error::param("max_features", n_selected, "more than 2^32 features"));
    }

    let mut vocab = Vocabulary::default();
    let mut df = Vec::with_capacity(n_selected);
    let mut used_terms = vec![false; interned.terms.len()];
    vocab.words = WordIndex::for_order(hi);
    vocab.words.reserve(words.len());
    // Column of each term's unigram (u32::MAX: none), for the training rows.
    let mut term_col = vec![u32::MAX; if with_unigrams { interned.terms.len() } else { 0 }];
    match &words {
        WordCandidates::Short(w) => push_words(w, &mut vocab.words, &mut df, &mut used_terms, &mut term_col),
        WordCandidates::Long(w) => push_words(w, &mut vocab.words, &mut df, &mut used_terms, &mut term_col),
    }
    drop(words);
    let mut gram_col: Vec<u32> = vec![u32::MAX; gram_list.len()];
    for (i, &(g, d, _)) in char_sel.iter().enumerate() {
        df.push(d);
        let col = (vocab.words.len() + i) as u32;
        let name = gram_list.get(g as usize).map_or("", |s| &**s);
        if let Some(slot) = gram_col.get_mut(g as usize) {
            *slot = col;
        }
        vocab.chars.insert(name.into(), col);
        vocab.char_names.push(name.to_string());
    }
    // Every term keeps its id (the keys use them); only terms some column uses get a name.
    vocab.set_term_names(
        interned
            .terms
            .iter()
            .zip(&used_terms)
            .map(|(t, &used)| if used { t.clone() } else { Box::default() })
            .collect(),
    );

    // Each training document's (column, count) pairs, straight from the interned ids. At
    // most one per n-gram position (word and character) and extra count.
    let base = n_selected as u32;
    let nnz_bound = (0..n_docs)
        .map(|d| {
            let len = doc_ids(d).len();
            let words: usize = (lo..=hi).map(|n| (len + 1).saturating_sub(n)).sum();
            let grams: usize = interned
                .of(&interned.surface_ids, d)
                .iter()
                .map(|&sid| surface_grams.get(sid as usize).map_or(0, Vec::len))
                .sum();
            words + grams + extra_rows.get(d).map_or(0, Vec::len)
        })
        .sum();
    let counts = CsrMatrix::from_row_blocks(
        n_docs,
        n_selected + extra_cols,
        Some(nnz_bound),
        |n| n as f32,
        |block| {
            block
                .into_par_iter()
                .map_init(
                    RowScratch::default,
                    |RowScratch {
                         keys,
                         ckeys,
                         cols,
                         short,
                         sort_buf,
                     },
                     d| {
                        keys.clear();
                        ckeys.clear();
                        cols.clear();
                        word_keys(d, keys);
                        vocab.words.columns_of(keys, short, cols);
                        if with_unigrams {
                            let known = doc_ids(d).iter().map(|&t| term_col.get(t as usize).copied());
                            cols.extend(known.flatten().filter(|&c| c != u32::MAX));
                        }
                        if chars.is_some() {
                            char_keys(d, ckeys);
                            cols.extend(
                                ckeys
                                    .iter()
                                    .filter_map(|&g| gram_col.get(g as usize).copied().filter(|&c| c != u32::MAX)),
                            );
                        }
                        let mut row = run_length(cols, sort_buf);
                        if let Some(extra) = extra_rows.get(d) {
                            row.extend(extra.iter().map(|&(c, n)| (base + c, n)));
                        }
                        row
                    },
                )
                .collect()
        },
    );
    Ok((FittedSpace::Vocabulary(vocab), counts, df))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pack_roundtrip() {
        let k = pack(&[0, 7, u32::MAX - 1]);
        assert_eq!(unpack(k).collect::<Vec<_>>(), [0, 7, u32::MAX - 1]);
        assert_ne!(pack(&[0]), pack(&[0, 0]));
    }

    #[test]
    fn char_grams_are_padded() {
        let mut got = Vec::new();
        let mut buf = String::new();
        for_each_char_gram("ab", 2, 3, &mut buf, |g| got.push(g.to_string()));
        assert_eq!(got, [" a", "ab", "b ", " ab", "ab "]);
    }

    #[test]
    fn counting_takes_a_document_once_and_every_repeat_in_the_corpus_count() {
        // Document d holds keys 1..=d+1, with key 2 repeated d times more.
        let docs: Vec<Vec<u64>> = (0..6u64)
            .map(|d| (1..=d + 1).chain((0..d).map(|_| 2)).collect())
            .collect();
        let want: Vec<(u64, u32, u32)> = (1..=6u64)
            .map(|k| {
                let df = 7 - k as u32;
                let repeats: u32 = if k == 2 { (1..6).sum() } else { 0 };
                (k, df, df + repeats)
            })
            .collect();
        // Many documents over many keys (the tables grow), against a plain count.
        let mut rng = crate::model::SplitMix64::new(11);
        let big: Vec<Vec<u64>> = (0..3_000)
            .map(|_| {
                let len = rng.below(60);
                (0..len)
                    .map(|_| {
                        // Skewed towards small keys, so that documents repeat them.
                        let range = 1 + rng.below(20_000);
                        1 + rng.below(range) as u64
                    })
                    .collect()
            })
            .collect();
        let mut plain: std::collections::BTreeMap<u64, (u32, u32)> = Default::default();
        for doc in &big {
            let distinct: std::collections::BTreeSet<u64> = doc.iter().copied().collect();
            for k in doc {
                plain.entry(*k).or_default().1 += 1;
            }
            for k in distinct {
                plain.entry(k).or_default().0 += 1;
            }
        }
        let big_want: Vec<(u64, u32, u32)> = plain.into_iter().map(|(k, (df, tf))| (k, df, tf)).collect();
        for threads in [1, 3] {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            for (docs, want) in [(&docs, &want), (&big, &big_want)] {
                let mut got = pool.install(|| count_sharded(docs.len(), |d, buf| buf.extend_from_slice(&docs[d])));
                got.sort_unstable();
                assert_eq!(&got, want, "{threads} threads");
                let dense = pool.install(|| {
                    count_dense(20_001, docs.len(), |d, buf| {
                        buf.extend(docs[d].iter().map(|&k| k as u32))
                    })
                });
                let dense: Vec<(u64, u32, u32)> = dense.into_iter().map(|(k, df, tf)| (u64::from(k), df, tf)).collect();
                assert_eq!(&dense, want, "{threads} threads, dense");
            }
        }
    }
}

/// Cached ids of one surface word: its term id and unigram column, outside and inside a
/// negation scope (`u32::MAX`: not in the vocabulary).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct WordIds {
    term: [u32; 2],
    unigram: [u32; 2],
}

const NONE: u32 = u32::MAX;
/// Most words a thread caches per featurizer before the cache is cleared.
const WORD_CACHE_CAPACITY: usize = 200_000;
/// Featurizers whose caches a thread keeps at once.
const WORD_CACHE_OWNERS: usize = 4;

/// A thread's cache of word ids for one featurizer. Words of at most 15 bytes (nearly all) are
/// keyed by their bytes and length packed into a `u128` (two integer compares instead of a
/// `memcmp` through a pointer: 7% of featurize+predict time in perf), in an [`OpenTable`] so
/// that a document's words are looked up as one batch.
#[derive(Default)]
struct WordCache {
    short: OpenTable<u128, WordIds>,
    long: FxHashMap<Box<str>, WordIds>,
}

impl WordCache {
    #[inline]
    fn get(&self, word: &str) -> Option<WordIds> {
        match short_word_key(word) {
            Some(k) => self.short.get(k),
            None => self.long.get(word).copied(),
        }
    }

    fn insert(&mut self, word: &str, ids: WordIds) {
        if self.short.len() + self.long.len() >= WORD_CACHE_CAPACITY {
            self.short.clear();
            self.long.clear();
        }
        match short_word_key(word) {
            Some(k) => {
                self.short.insert(k, ids);
            }
            None => {
                self.long.insert(word.into(), ids);
            }
        }
    }
}

thread_local! {
    static WORD_CACHES: std::cell::RefCell<Vec<(u64, WordCache)>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Reused buffers of [`Vocabulary::columns_cached`].
#[derive(Debug, Default)]
pub(crate) struct LookupScratch {
    words: Vec<Option<WordIds>>,
    ids: Vec<Option<u32>>,
    unigrams: Vec<u32>,
    gram_keys: Vec<u64>,
    grams: String,
}

/// The surfaces of a text's tokens, from a full [`Analysis`] or a [`Keyed`] one.
trait Surfaces {
    fn n_tokens(&self) -> usize;
    /// Token `i`'s surface (a short one unpacked into `short`).
    fn surface_of<'a>(&'a self, i: usize, short: &'a mut [u8; 16]) -> &'a str;
}

impl Surfaces for Analysis {
    fn n_tokens(&self) -> usize {
        self.len()
    }

    fn surface_of<'a>(&'a self, i: usize, _: &'a mut [u8; 16]) -> &'a str {
        self.surface(i)
    }
}

impl Surfaces for Keyed {
    fn n_tokens(&self) -> usize {
        self.len()
    }

    fn surface_of<'a>(&'a self, i: usize, short: &'a mut [u8; 16]) -> &'a str {
        self.surface(i, short)
    }
}

impl Vocabulary {
    /// Report the word n-grams over `ids` (term ids per token, `None` outside the vocabulary)
    /// and the character n-grams of the tokens, as `(first token, n tokens, column)`. Unigram
    /// columns come from `unigrams` when the caller already knows them (`u32::MAX`: none).
    fn emit_ngrams(
        &self,
        config: &FeaturizerConfig,
        analysis: &impl Surfaces,
        ids: &[Option<u32>],
        unigrams: Option<&[u32]>,
        grams: &mut String,
        mut emit: impl FnMut(usize, usize, u32),
    ) {
        let (lo, hi) = config.word_ngrams;
        let n_tok = ids.len();
        let mut window = [0u32; MAX_WORD_NGRAM];
        for start in 0..n_tok {
            for n in lo..=hi.min(n_tok - start) {
                if n == 1 {
                    if let Some(u) = unigrams {
                        if u[start] != NONE {
                            emit(start, 1, u[start]);
                        }
                        continue;
                    }
                }
                let mut complete = true;
                for k in 0..n {
                    match ids[start + k] {
                        Some(id) => window[k] = id,
                        None => {
                            complete = false;
                            break;
                        }
                    }
                }
                if !complete {
                    break;
                }
                if let Some(col) = self.words.get(pack(&window[..n])) {
                    emit(start, n, col);
                }
            }
        }
        self.emit_char_ngrams(config, analysis, grams, emit);
    }

    /// The character n-gram part of [`Vocabulary::emit_ngrams`].
    fn emit_char_ngrams(
        &self,
        config: &FeaturizerConfig,
        analysis: &impl Surfaces,
        grams: &mut String,
        mut emit: impl FnMut(usize, usize, u32),
    ) {
        if let Some((clo, chi)) = config.char_ngrams {
            for i in 0..analysis.n_tokens() {
                let mut short = [0u8; 16];
                for_each_char_gram(analysis.surface_of(i, &mut short), clo, chi, grams, |g| {
                    if let Some(&col) = self.chars.get(g) {
                        emit(i, 1, col);
                    }
                });
            }
        }
    }

    fn word_ids(&self, analyzer: &Analyzer, surface: &str, kind: crate::text::TokenKind, buf: &mut String) -> WordIds {
        let mut ids = WordIds {
            term: [NONE; 2],
            unigram: [NONE; 2],
        };
        for negated in [false, true] {
            buf.clear();
            analyzer.term_into(surface, kind, negated, buf);
            if let Some(&id) = self.terms.get(buf.as_str()) {
                ids.term[usize::from(negated)] = id;
                if let Some(col) = self.words.get(pack(&[id])) {
                    ids.unigram[usize::from(negated)] = col;
                }
            }
        }
        ids
    }

    /// Columns of a text analysed with [`Analyzer::analyze_surfaces_into`], appended to `cols`
    /// (in no particular order): the same columns as [`FittedSpace::columns_with`] on the full
    /// analysis, found through a per-thread cache of word ids so that known words are neither
    /// stemmed nor looked up twice. Words and bigrams are looked up a document at a time
    /// ([`OpenTable::get_batch`]).
    pub(crate) fn columns_cached(
        &self,
        owner: u64,
        analyzer: &Analyzer,
        config: &FeaturizerConfig,
        keyed: &Keyed,
        s: &mut LookupScratch,
        cols: &mut Vec<u32>,
    ) {
        s.words.clear();
        s.ids.clear();
        s.unigrams.clear();
        s.gram_keys.clear();
        let (lo, hi) = config.word_ngrams;
        // Unigrams and bigrams only, the commonest case: columns and bigram keys straight from
        // each word's ids, without the per-token lists the general path takes.
        let direct = matches!(&self.words, WordIndex::Short { .. }) && hi <= 2;
        WORD_CACHES.with(|caches| {
            let mut caches = caches.borrow_mut();
            let slot = match caches.iter().position(|(o, _)| *o == owner) {
                Some(i) => i,
                None => {
                    if caches.len() >= WORD_CACHE_OWNERS {
                        caches.remove(0);
                    }
                    caches.push((owner, WordCache::default()));
                    caches.len() - 1
                }
            };
            let cache = &mut caches[slot].1;
            cache.short.get_batch(keyed.keys(), &mut s.words);
            let mut buf = String::new();
            let mut previous = NONE;
            for (i, found) in s.words.iter().enumerate() {
                let w = match found {
                    Some(w) => *w,
                    None => {
                        let mut short = [0u8; 16];
                        let surface = keyed.surface(i, &mut short);
                        match cache.get(surface) {
                            Some(w) => w,
                            None => {
                                let w = self.word_ids(analyzer, surface, keyed.kind(i), &mut buf);
                                cache.insert(surface, w);
                                w
                            }
                        }
                    }
                };
                let k = usize::from(keyed.negated(i));
                let (term, unigram) = (w.term[k], w.unigram[k]);
                if !direct {
                    s.ids.push((term != NONE).then_some(term));
                    s.unigrams.push(unigram);
                    continue;
                }
                if lo == 1 && unigram != NONE {
                    cols.push(unigram);
                }
                if hi == 2 && previous != NONE && term != NONE {
                    s.gram_keys.push(pack(&[previous, term]) as u64);
                }
                previous = term;
            }
        });
        match &self.words {
            WordIndex::Short { map, .. } if direct => {
                map.values_into(&s.gram_keys, cols);
                self.emit_char_ngrams(config, keyed, &mut s.grams, |_, _, col| cols.push(col));
            }
            _ => self.emit_ngrams(config, keyed, &s.ids, Some(&s.unigrams), &mut s.grams, |_, _, col| {
                cols.push(col)
            }),
        }
    }
}
