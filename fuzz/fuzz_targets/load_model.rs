//! The model loader on arbitrary bytes: `Model::from_bytes` must return a model or an error,
//! never panic, and a model it accepts must score a passage without panicking.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(model) = hawkdove::Model::from_bytes(data) {
        let _ = model.predict("The minister did not rule out sanctions, but talks will resume.");
        let _ = model.explain("Talks will resume.");
    }
});
