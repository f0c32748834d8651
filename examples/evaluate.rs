//! `cargo run --release --example evaluate -- ARGS` is `hawkdove evaluate ARGS` (crates/hawkdove-cli),
//! kept so that the commands written before the `hawkdove` program still work.

fn main() {
    let args = ["hawkdove", "evaluate"]
        .into_iter()
        .map(std::ffi::OsString::from)
        .chain(std::env::args_os().skip(1));
    std::process::exit(hawkdove_cli::run(args));
}
