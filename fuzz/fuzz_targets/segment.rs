//! The document segmenter on arbitrary text, in every mode: passages must be non-empty,
//! in order, non-overlapping, on character boundaries, trimmed and at most
//! `MAX_PASSAGE_BYTES` long.
#![no_main]

use hawkdove::document::{segment_with, Segmentation, MAX_PASSAGE_BYTES};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for how in [Segmentation::Sentences, Segmentation::Paragraphs, Segmentation::Lines] {
        let mut last_end = 0;
        for s in segment_with(&text, how) {
            let span = s.span.clone();
            assert!(last_end <= span.start && span.start < span.end && span.end <= text.len());
            assert!(text.is_char_boundary(span.start) && text.is_char_boundary(span.end));
            assert!(span.len() <= MAX_PASSAGE_BYTES);
            let passage = &text[span.clone()];
            assert_eq!(passage.trim(), passage);
            last_end = span.end;
        }
    }
});
