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

/// If a tag (or comment) starts at byte `i` (which holds `<`), return the byte just past it.
/// `<script>` and `<style>` elements are skipped with their contents.
pub(crate) fn tag_end(text: &str, i: usize) -> Option<usize> {
    let rest = &text[i..];
    let bytes = rest.as_bytes();
    if bytes.len() < 3 || bytes[0] != b'<' {
        return None;
    }
    if rest.starts_with("<!--") {
        return rest.find("-->").map(|e| i + e + 3);
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
    let name: String = rest[1..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    if name == "script" || name == "style" {
        let closing = format!("</{name}");
        let after = &text[end..];
        let lower_pos = find_ascii_case_insensitive(after, &closing)?;
        let tail = &after[lower_pos..];
        let gt = tail.find('>')?;
        return Some(end + lower_pos + gt + 1);
    }
    Some(end)
}

fn find_ascii_case_insensitive(haystack: &str, needle: &str) -> Option<usize> {
    let h = haystack.as_bytes();
    let n = needle.as_bytes();
    if n.is_empty() || h.len() < n.len() {
        return None;
    }
    (0..=h.len() - n.len()).find(|&s| h[s..s + n.len()].eq_ignore_ascii_case(n))
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
        assert_eq!(tag_end(t, 2), Some(15));
        assert_eq!(tag_end(t, 16), Some(20));
        assert_eq!(tag_end(t, 21), Some(31));
        assert_eq!(tag_end("a < b and c > d", 2), None);
        assert_eq!(tag_end("x <3 y", 2), None);
    }

    #[test]
    fn script_contents_are_skipped() {
        let t = "<script>var a = '<b>';</script>after";
        assert_eq!(tag_end(t, 0), Some(t.len() - "after".len()));
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
