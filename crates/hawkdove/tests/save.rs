#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]
//! Saving is atomic (issue 25): a save that fails leaves the previous model file whole and
//! loadable, and saving to a symlink replaces the link, not the file it points to.

use std::path::{Path, PathBuf};
use std::process::Command;

use hawkdove::{Error, Model};

fn small_model() -> Model {
    let texts = [
        "froze assets",
        "imposed sanctions",
        "resumed talks",
        "welcomed dialogue",
    ];
    let labels = ["hard-line", "hard-line", "conciliatory", "conciliatory"];
    Model::train(&texts, &labels, &Default::default()).expect("train")
}

fn fresh_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("hawkdove-save-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    dir
}

fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("ls")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

const CHILD_ENV: &str = "HAWKDOVE_SAVE_UNDER_LIMIT";

/// Run in a child process under a file-size limit by the test below: save the bundled stance
/// model (about 1.1 MB) over the path given, and report the error.
#[test]
fn child_saves_under_a_file_size_limit() {
    let Ok(path) = std::env::var(CHILD_ENV) else {
        return;
    };
    let big = Model::bundled_stance().expect("bundled");
    match big.save(&path) {
        Err(Error::Io { .. }) => println!("CHILD: save failed with Error::Io"),
        other => println!("CHILD: unexpected {:?}", other.map(|_| "saved")),
    }
}

#[test]
#[cfg(unix)]
fn a_save_that_hits_a_file_size_limit_leaves_the_old_model_intact() {
    let dir = fresh_dir("limit");
    let path = dir.join("model.json");
    let old = small_model();
    old.save(&path).expect("save");
    let before = std::fs::read(&path).expect("read");
    assert!(before.len() < 100 * 512, "the old model fits under the limit");
    // SIGXFSZ ignored, so the write fails with EFBIG instead of killing the process; the limit
    // (in blocks of 512 or 1024 bytes, depending on the shell) is far below the new file's size.
    let out = Command::new("sh")
        .arg("-c")
        .arg("trap '' XFSZ; ulimit -f 200 && exec \"$0\" \"$@\"")
        .arg(std::env::current_exe().expect("exe"))
        .args([
            "--exact",
            "child_saves_under_a_file_size_limit",
            "--nocapture",
            "--test-threads",
            "1",
        ])
        .env(CHILD_ENV, &path)
        .output()
        .expect("run child");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("CHILD: save failed with Error::Io"),
        "child: {stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(std::fs::read(&path).expect("read"), before, "the old file is unchanged");
    let back = Model::load(&path).expect("the old file still loads");
    assert_eq!(back.predict("froze assets"), old.predict("froze assets"));
    assert_eq!(entries(&dir), ["model.json"], "no temporary file is left");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
#[cfg(unix)]
fn saving_to_a_symlink_replaces_the_link_not_its_target() {
    let dir = fresh_dir("symlink");
    let target = dir.join("real.json");
    let link = dir.join("link.json");
    let old = small_model();
    old.save(&target).expect("save");
    let before = std::fs::read(&target).expect("read");
    std::os::unix::fs::symlink(&target, &link).expect("symlink");
    let new = Model::bundled_sentiment().expect("bundled");
    new.save(&link).expect("save through the link's path");
    assert_eq!(
        std::fs::read(&target).expect("read"),
        before,
        "the link's target is untouched"
    );
    let meta = std::fs::symlink_metadata(&link).expect("meta");
    assert!(meta.file_type().is_file(), "the link became a regular file");
    assert_eq!(Model::load(&link).expect("load").classes(), new.classes());
    // A dangling link is replaced the same way.
    std::fs::remove_file(&target).expect("rm");
    new.save(&link).expect("save over a dangling link");
    assert!(std::fs::symlink_metadata(&link).expect("meta").file_type().is_file());
    assert_eq!(entries(&dir), ["link.json"]);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
#[cfg(unix)]
fn a_replaced_file_keeps_its_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let dir = fresh_dir("perm");
    let path = dir.join("m.json");
    small_model().save(&path).expect("save");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    small_model().save(&path).expect("save again");
    let mode = std::fs::metadata(&path).expect("meta").permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let _ = std::fs::remove_dir_all(&dir);
}
