//! The `hawkdove` binary: everything is in the library ([`hawkdove_cli::run`]).

fn main() {
    let code = hawkdove_cli::run(std::env::args_os());
    std::process::exit(code);
}
