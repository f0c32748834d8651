//! Recognising markup remnants in pasted web text: tags, character entities and the
//! attribute junk (`srcset="… 300w, … 600w"`) that broken HTML leaves in article bodies.
//!
//! Everything here works on the original text and only *recognises* spans; nothing is copied,
//! so byte offsets of the surrounding words stay those of the original.

/// Longest tag we are willing to skip (a `<` followed by more than this without `>` is text).
const MAX_TAG_BYTES: usize = 4096;
/// Longest quoted attribute value skipped as junk.
const MAX_ATTR_BYTES: usize = 8192;

/// Attribute names whose `name="value"` remnants are skipped as junk.
const JUNK_ATTRIBUTES: &[&str] = &[
    "srcset",
    "sizes",
    "src",
    "href",
    "class",
    "style",
    "width",
    "height",
    "loading",
    "decoding",
    "id",
    "rel",
    "target",
    "alt",
    "title",
    "type",
    "role",
    "lang",
    "align",
    "border",
    "itemprop",
    "content",
    "name",
    "property",
    "onclick",
    "onload",
    "fetchpriority",
];

/// What earlier searches for closers (`-->`, `</script…>`, `</style…>`) found, so that a text
/// full of openers without closers is scanned once, not once per opener (issue 25: 1 MB of
/// `<!--` took about a minute). A search from `from` that found its closer at `at` answers
/// every later search starting in `from..=at`; one that found none answers every later search
/// starting at or after `from`. The scanner's searches start at increasing positions, so each
/// byte of the text is searched at most once per kind of closer.
#[derive(Debug, Default, Clone)]
pub(crate) struct Closers {
    comment: Memo,
    script: Memo,
    style: Memo,
}

/// One kind of closer: the last search's start and its result (the closer's start and the byte
/// just past it).
#[derive(Debug, Default, Clone, Copy)]
struct Memo {
    searched: Option<(usize, Option<(usize, usize)>)>,
}

impl Memo {
    /// The first closer at or after `from`, found by `search` (which returns the closer's start
    /// and the byte past it), reusing the last result where it still answers the question.
    fn find(&mut self, from: usize, search: impl FnOnce(usize) -> Option<(usize, usize)>) -> Option<(usize, usize)> {
        if let Some((start, found)) = self.searched {
            if from >= start {
                match found {
                    None => return None,
                    Some((at, end)) if from <= at => return Some((at, end)),
                    Some(_) => {}
                }
            }
        }
        let found = search(from);
        self.searched = Some((from, found));
        found
    }
}

/// If a tag (or comment) starts at byte `i` (which holds `<`), return the byte just past it.
/// `<script>` and `<style>` elements are skipped with their contents. `closers` remembers
/// earlier searches so that a whole text's scan stays linear in its length; pass the same one
/// for increasing `i` over one text (a fresh one for each text).
pub(crate) fn tag_end(text: &str, i: usize, closers: &mut Closers) -> Option<usize> {
    let rest = &text[i..];
    let bytes = rest.as_bytes();
    if bytes.len() < 3 || bytes[0] != b'<' {
        return None;
    }
    if rest.starts_with("<!--") {
        let finder =
            |from: usize| memchr::memmem::find(text.as_bytes().get(from..)?, b"-->").map(|p| (from + p, from + p + 3));
        // From `i + 2`: `<!-->` closes itself, as a search from `i` would find.
        return closers.comment.find(i + 2, finder).map(|(_, end)| end);
    }
    let second = bytes[1];
    if !(second.is_ascii_alphabetic() || second == b'/' || second == b'!' || second == b'?') {
        return None;
    }
    let window = &rest[..floor_char_boundary(rest, MAX_TAG_BYTES)];
    let close = window[1..].find(['<', '>']).map(|p| p + 1)?;
    if bytes[close] != b'>' {
        return None;
    }
    let end = i + close + 1;
    // Skip the contents of script and style elements.
    let name_len = bytes[1..].iter().take_while(|b| b.is_ascii_alphanumeric()).count();
    let name = &bytes[1..1 + name_len];
    let (memo, closing): (&mut Memo, &[u8]) = if name.eq_ignore_ascii_case(b"script") {
        (&mut closers.script, b"</script")
    } else if name.eq_ignore_ascii_case(b"style") {
        (&mut closers.style, b"</style")
    } else {
        return Some(end);
    };
    let finder = |from: usize| {
        let after = text.as_bytes().get(from..)?;
        let at = from + find_ascii_case_insensitive(after, closing)?;
        let gt = memchr::memchr(b'>', text.as_bytes().get(at..)?)?;
        Some((at, at + gt + 1))
    };
    memo.find(end, finder).map(|(_, past)| past)
}

/// First position of `needle` (which starts with `<`) in `haystack`, ASCII case ignored: one
/// pass over the `<` bytes.
fn find_ascii_case_insensitive(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memchr_iter(b'<', haystack).find(|&s| {
        haystack
            .get(s..s + needle.len())
            .is_some_and(|w| w.eq_ignore_ascii_case(needle))
    })
}

/// Largest char boundary of `s` that is `<= max`.
pub(crate) fn floor_char_boundary(s: &str, max: usize) -> usize {
    if max >= s.len() {
        return s.len();
    }
    let mut m = max;
    while m > 0 && !s.is_char_boundary(m) {
        m -= 1;
    }
    m
}

/// If a character entity starts at byte `i` (which holds `&`), return the character it stands
/// for and the byte just past it.
pub(crate) fn entity(text: &str, i: usize) -> Option<(char, usize)> {
    let rest = &text[i..];
    let window = &rest[..floor_char_boundary(rest, 12)];
    let semi = window.find(';')?;
    let body = &window[1..semi];
    let c = if let Some(num) = body.strip_prefix('#') {
        let code = if let Some(hex) = num.strip_prefix(['x', 'X']) {
            u32::from_str_radix(hex, 16).ok()?
        } else {
            num.parse::<u32>().ok()?
        };
        char::from_u32(code)?
    } else {
        named_entity(body)?
    };
    Some((c, i + semi + 1))
}

fn named_entity(name: &str) -> Option<char> {
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" | "rsquo" | "lsquo" | "prime" => '\'',
        "nbsp" | "ensp" | "emsp" | "thinsp" => ' ',
        "rdquo" | "ldquo" | "bdquo" | "laquo" | "raquo" => '"',
        "ndash" => '–',
        "mdash" => '—',
        "hellip" => '…',
        "shy" => '\u{ad}',
        "eacute" => 'é',
        "egrave" => 'è',
        "aacute" => 'á',
        "agrave" => 'à',
        "iacute" => 'í',
        "oacute" => 'ó',
        "uacute" => 'ú',
        "ntilde" => 'ñ',
        "ccedil" => 'ç',
        "ouml" => 'ö',
        "uuml" => 'ü',
        "auml" => 'ä',
        "szlig" => 'ß',
        "euro" => '€',
        "pound" => '£',
        "copy" => '©',
        "deg" => '°',
        _ => return None,
    })
}

/// If an HTML attribute remnant such as `srcset="a.jpg 300w, b.jpg 600w"` starts at `i`,
/// return the byte just past its closing quote.
pub(crate) fn junk_attribute_end(text: &str, i: usize) -> Option<usize> {
    let rest = &text[i..];
    let name_len = rest
        .bytes()
        .take(32)
        .take_while(|b| b.is_ascii_alphanumeric() || *b == b'-' || *b == b'_')
        .count();
    if name_len == 0 {
        return None;
    }
    let name = &rest[..name_len];
    let after = &rest.as_bytes()[name_len..];
    if after.len() < 2 || after[0] != b'=' || !(after[1] == b'"' || after[1] == b'\'') {
        return None;
    }
    let lower = name.to_ascii_lowercase();
    if !(JUNK_ATTRIBUTES.contains(&lower.as_str()) || lower.starts_with("data-") || lower.starts_with("aria-")) {
        return None;
    }
    let quote = after[1] as char;
    let value_start = name_len + 2;
    let window = &rest[value_start..floor_char_boundary(rest, value_start + MAX_ATTR_BYTES)];
    let close = window.find(quote)?;
    Some(i + value_start + close + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_and_comments() {
        let t = "a <p class=\"x\">b</p> <!-- c --> d";
        let c = &mut Closers::default();
        assert_eq!(tag_end(t, 2, c), Some(15));
        assert_eq!(tag_end(t, 16, c), Some(20));
        assert_eq!(tag_end(t, 21, c), Some(31));
        assert_eq!(tag_end("a < b and c > d", 2, c), None);
        assert_eq!(tag_end("x <3 y", 2, &mut Closers::default()), None);
    }

    #[test]
    fn script_contents_are_skipped() {
        let t = "<script>var a = '<b>';</script>after";
        assert_eq!(tag_end(t, 0, &mut Closers::default()), Some(t.len() - "after".len()));
        let t = "<STYLE>p{}</Style >x";
        assert_eq!(tag_end(t, 0, &mut Closers::default()), Some(t.len() - 1));
    }

    #[test]
    fn remembered_closers_give_the_same_answers_as_fresh_searches() {
        assert_eq!(tag_end("<!-->x", 0, &mut Closers::default()), Some(5));
        let t = "<!-- a <!-- b --> c <!-- d <script>x</script> <script>y <style>z</style> <!--";
        let mut memo = Closers::default();
        for i in t.match_indices('<').map(|(i, _)| i) {
            assert_eq!(
                tag_end(t, i, &mut memo),
                tag_end(t, i, &mut Closers::default()),
                "at {i}"
            );
        }
    }

    #[test]
    fn entities() {
        assert_eq!(entity("&amp; x", 0), Some(('&', 5)));
        assert_eq!(entity("&#8217;s", 0), Some(('\u{2019}', 7)));
        assert_eq!(entity("&#x2019;", 0), Some(('\u{2019}', 8)));
        assert_eq!(entity("&bogus;", 0), None);
        assert_eq!(entity("& co", 0), None);
        assert_eq!(entity("&#1114112;", 0), None);
    }

    #[test]
    fn attribute_junk() {
        let t = "srcset=\"a.jpg 300w, b.jpg 600w\" Talks";
        assert_eq!(junk_attribute_end(t, 0), Some(t.len() - " Talks".len()));
        assert_eq!(junk_attribute_end("ratio=\"x\"", 0), None);
        assert_eq!(junk_attribute_end("data-src='y' z", 0), Some(12));
    }
}
