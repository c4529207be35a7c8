//! Installs what the build and the tests need, skipping what is already there at the right
//! version: the wasm32 target, Trunk, wasm-bindgen-cli (the version in Cargo.lock), wasm-opt
//! (binaryen 132, from the npm registry), and for the tests Chromium and ChromeDriver from
//! Debian's packages.
//!
//! On a fresh machine the installs are started together ([`start`]): the two `cargo install`s
//! compile side by side, and Debian's packages and npm's download meanwhile, while the caller
//! goes on with what needs none of them (formatting, clippy) before it [`Installs::wait`]s.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{root, run, Result};

/// The Trunk release Isobar builds with (0.22 needs a newer rustc).
pub const TRUNK_VERSION: &str = "0.21.14";
/// The binaryen release of wasm-opt (npm's `binaryen` package in `xtask/build-tools`); Trunk.toml
/// pins the same.
pub const WASM_OPT_VERSION: u32 = 132;

/// Where npm installs the build tools (wasm-opt, esbuild): `xtask/build-tools/node_modules/.bin`.
pub fn wasm_opt_bin() -> PathBuf {
    root().join("xtask/build-tools/node_modules/.bin")
}

/// esbuild, which minifies wasm-bindgen's JavaScript after Trunk (see `bundle`).
pub fn esbuild() -> PathBuf {
    wasm_opt_bin().join("esbuild")
}

/// The folder `cargo install` puts binaries in.
pub fn cargo_bin() -> PathBuf {
    std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .unwrap_or_else(|| PathBuf::from(".cargo"))
        .join("bin")
}

/// PATH with the wasm-opt installed here first, then cargo's bin folder, so that they win
/// over an old system wasm-opt (Debian's binaryen 108 builds a bundle that dies at start-up).
pub fn path_env() -> std::ffi::OsString {
    let first = [wasm_opt_bin(), cargo_bin()];
    let mut paths = first.to_vec();
    if let Some(p) = std::env::var_os("PATH") {
        paths.extend(std::env::split_paths(&p).filter(|p| !first.contains(p)));
    }
    std::env::join_paths(paths).expect("PATH entries are valid")
}

/// The output of `program args`, if it runs at all.
fn output_of(program: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(program)
        .args(args)
        .env("PATH", path_env())
        .output()
        .ok()?;
    out.status.success().then(|| {
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr)
    })
}

/// The version of `name` that Cargo.lock resolved.
pub fn locked_version(name: &str) -> Result<String> {
    let lock = std::fs::read_to_string(root().join("Cargo.lock"))?;
    let needle = format!("name = \"{name}\"\nversion = \"");
    let start = lock
        .find(&needle)
        .ok_or_else(|| format!("{name} is not in Cargo.lock"))?
        + needle.len();
    let end = lock[start..].find('"').ok_or("malformed Cargo.lock")? + start;
    Ok(lock[start..end].to_owned())
}

fn step(what: &str) {
    eprintln!("xtask: {what}");
}

fn cargo_install(args: &[&str]) -> Result<()> {
    let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cmd.arg("install").args(args).env("PATH", path_env());
    run(&mut cmd)
}

/// One install's thread; its error as text (the boxed error is not `Send`).
type Job = std::thread::JoinHandle<std::result::Result<(), String>>;

/// Installs started by [`start`], running in threads.
pub struct Installs(Vec<(&'static str, Job)>);

impl Installs {
    /// Waits for every install; the first failure, named.
    pub fn wait(self) -> Result<()> {
        let mut first_error = None;
        for (what, handle) in self.0 {
            let outcome = handle.join().unwrap_or_else(|_| Err("it panicked".into()));
            if let Err(e) = outcome {
                eprintln!("xtask: installing {what} failed: {e}");
                first_error.get_or_insert(format!("installing {what} failed: {e}"));
            }
        }
        first_error.map_or(Ok(()), |e| Err(e.into()))
    }
}

/// Starts installing what is missing: the wasm32 target at once (clippy needs it), then in
/// parallel Trunk, wasm-bindgen-cli, and, in one thread because both use Debian's package
/// manager, Node.js (if missing) and wasm-opt, then with `browser` Chromium and ChromeDriver.
pub fn start(browser: bool) -> Result<Installs> {
    let targets = output_of("rustup", &["target", "list", "--installed"]).unwrap_or_default();
    if !targets
        .lines()
        .any(|l| l.trim() == "wasm32-unknown-unknown")
    {
        step("installing the wasm32-unknown-unknown target");
        run(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))?;
    }
    let mut jobs: Vec<(&'static str, Job)> = Vec::new();
    let mut spawn = |what: &'static str, job: fn() -> Result<()>| {
        jobs.push((
            what,
            std::thread::spawn(move || job().map_err(|e| e.to_string())),
        ));
    };
    spawn("Trunk", ensure_trunk);
    spawn("wasm-bindgen-cli", ensure_wasm_bindgen);
    if browser {
        spawn("Debian's packages and wasm-opt", || {
            packages_and_wasm_opt(true)
        });
    } else {
        spawn("wasm-opt", || packages_and_wasm_opt(false));
    }
    Ok(Installs(jobs))
}

/// Everything, installed in parallel: [`start`] and wait.
pub fn ensure_all() -> Result<()> {
    start(true)?.wait()
}

/// Debian's packages that are missing (Node.js and npm for wasm-opt; with `browser`, the test
/// tools: Chromium, ChromeDriver, Mosquitto and Redis), in one `apt-get`, then wasm-opt from npm.
fn packages_and_wasm_opt(browser: bool) -> Result<()> {
    let mut packages = Vec::new();
    if wasm_opt_version() != Some(WASM_OPT_VERSION) && !have_node() {
        packages.extend(["nodejs", "npm"]);
    }
    if browser && !have_browser() {
        packages.extend(["chromium", "chromium-driver"]);
    }
    // The broker the relay's MQTT ingest test runs against (started on a free port by it).
    if browser && !Path::new(isobar_testkit::MOSQUITTO).is_file() {
        packages.push("mosquitto");
    }
    // The store the relay's cluster tests share between relays (started on a free port).
    if browser && !Path::new(isobar_testkit::REDIS).is_file() {
        packages.push("redis-server");
    }
    if !packages.is_empty() {
        step(&format!(
            "installing {} from Debian's packages",
            packages.join(", ")
        ));
        apt_install(&packages)?;
    }
    ensure_wasm_opt()
}

/// The wasm32 target, Trunk, wasm-bindgen-cli and wasm-opt, installed in parallel.
pub fn ensure_build_tools() -> Result<()> {
    start(false)?.wait()
}

fn ensure_trunk() -> Result<()> {
    let trunk = output_of("trunk", &["--version"]).unwrap_or_default();
    if !trunk.contains(TRUNK_VERSION) {
        step(&format!(
            "installing Trunk {TRUNK_VERSION} (a few minutes, once)"
        ));
        cargo_install(&["trunk", "--locked", "--version", TRUNK_VERSION])?;
    }
    Ok(())
}

fn ensure_wasm_bindgen() -> Result<()> {
    let wbg = locked_version("wasm-bindgen")?;
    let have = output_of("wasm-bindgen", &["--version"]).unwrap_or_default();
    let runner = output_of("wasm-bindgen-test-runner", &["--version"]).unwrap_or_default();
    if !have.contains(&wbg) || !runner.contains(&wbg) {
        step(&format!(
            "installing wasm-bindgen-cli {wbg} (matches Cargo.lock)"
        ));
        // Not --locked: the CLI's own lock file names a crate version the registry lacks.
        cargo_install(&["wasm-bindgen-cli", "--version", &wbg])?;
    }
    Ok(())
}

/// axe-core's script, which the browser tests run in the page.
pub fn axe_core() -> PathBuf {
    root().join("xtask/build-tools/node_modules/axe-core/axe.min.js")
}

/// The build tools from the npm registry (`npm ci` in `xtask/build-tools`), with Node.js and
/// npm from Debian's packages when missing: wasm-opt of binaryen 132 (compiled to WebAssembly;
/// it runs on Node.js, Debian's 18 included, a few seconds a build), esbuild, and axe-core for
/// the browser tests.
fn ensure_wasm_opt() -> Result<()> {
    if wasm_opt_version() == Some(WASM_OPT_VERSION) && esbuild().is_file() && axe_core().is_file() {
        return Ok(());
    }
    ensure_node()?;
    step(&format!(
        "installing wasm-opt (binaryen {WASM_OPT_VERSION}), esbuild and axe-core (npm ci in xtask/build-tools)"
    ));
    run(Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
        .current_dir(root().join("xtask/build-tools")))?;
    match wasm_opt_version() {
        Some(WASM_OPT_VERSION) => Ok(()),
        other => Err(format!(
            "wasm-opt first on PATH is binaryen {other:?}, not {WASM_OPT_VERSION}, after installing it in {}",
            wasm_opt_bin().display()
        )
        .into()),
    }
}

fn have_node() -> bool {
    output_of("node", &["--version"]).is_some() && output_of("npm", &["--version"]).is_some()
}

/// Node.js and npm, from Debian's packages when missing.
fn ensure_node() -> Result<()> {
    if !have_node() {
        step("installing Node.js and npm from Debian's packages");
        apt_install(&["nodejs", "npm"])?;
    }
    Ok(())
}

/// The binaryen version of the `wasm-opt` first on [`path_env`].
fn wasm_opt_version() -> Option<u32> {
    // "wasm-opt version 132 (version_132)"
    let out = output_of("wasm-opt", &["--version"])?;
    out.split_whitespace()
        .skip_while(|w| *w != "version")
        .nth(1)
        .and_then(|v| v.parse().ok())
}

pub use isobar_testkit::{chromium, CHROMIUM_FLAGS};

fn have_browser() -> bool {
    let have_driver = std::env::var_os("CHROMEDRIVER")
        .map(|p| Path::new(&p).is_file())
        .unwrap_or_else(|| output_of("chromedriver", &["--version"]).is_some());
    chromium().is_file() && have_driver
}

/// `apt-get install` of Debian packages, through `sudo` when not root.
/// Installs each Debian package whose file is missing, in one `apt-get`.
pub fn ensure_packages(wanted: &[(&str, &str)]) -> Result<()> {
    let missing: Vec<&str> = wanted
        .iter()
        .filter(|(_, file)| !Path::new(file).exists())
        .map(|(package, _)| *package)
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    step(&format!(
        "installing {} from Debian's packages",
        missing.join(", ")
    ));
    apt_install(&missing)
}

fn apt_install(packages: &[&str]) -> Result<()> {
    let root_user = output_of("id", &["-u"])
        .map(|u| u.trim() == "0")
        .unwrap_or(false);
    let apt = |args: &[&str]| -> Command {
        let mut c = if root_user {
            Command::new("apt-get")
        } else {
            let mut c = Command::new("sudo");
            c.arg("apt-get");
            c
        };
        c.args(args).env("DEBIAN_FRONTEND", "noninteractive");
        c
    };
    run(&mut apt(&["update", "-qq"]))?;
    let mut install = apt(&["install", "-y", "-qq"]);
    install.args(packages);
    run(&mut install)
}

/// The audit tools' folder: `package.json` and `package-lock.json` pin Lighthouse and axe-core.
pub fn npm_dir() -> PathBuf {
    root().join("xtask/npm")
}

/// Node.js and npm (Debian's, when missing), then Lighthouse and axe-core from the npm
/// registry at the versions of `xtask/npm/package-lock.json` (`npm ci`, skipped when they are
/// installed already).
pub fn ensure_audit_tools() -> Result<()> {
    ensure_node()?;
    let dir = npm_dir();
    // Installed after the last change to package.json (its overrides) and to the lock.
    let modified = |f: &str| std::fs::metadata(dir.join(f)).and_then(|m| m.modified());
    let fresh = match (
        modified("node_modules/.package-lock.json"),
        modified("package.json"),
        modified("package-lock.json"),
    ) {
        (Ok(i), Ok(p), Ok(l)) => i >= p && i >= l,
        _ => false,
    };
    if !fresh {
        step("installing Lighthouse and axe-core (npm ci in xtask/npm)");
        run(Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
            .current_dir(&dir))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    /// Debian's npm (9.2, with Debian's `semver`) cannot read a lock whose packages ask for a
    /// dist-tag such as `"latest"`: `npm ci` then says there is no lock file and stops. The
    /// locks must name versions.
    #[test]
    fn the_npm_locks_name_versions_not_tags() {
        for lock in [
            "xtask/npm/package-lock.json",
            "xtask/build-tools/package-lock.json",
        ] {
            let text = std::fs::read_to_string(crate::root().join(lock)).unwrap();
            let v: serde_json::Value = serde_json::from_str(&text).unwrap();
            for (name, pkg) in v["packages"].as_object().unwrap() {
                for deps in ["dependencies", "optionalDependencies", "peerDependencies"] {
                    for (dep, spec) in pkg[deps].as_object().into_iter().flatten() {
                        let spec = spec.as_str().unwrap_or_default();
                        assert!(
                            spec.starts_with(|c: char| c.is_ascii_digit() || "^~<>=*".contains(c))
                                || spec.contains(" || ")
                                || spec.is_empty(),
                            "{lock}: {name} asks for {dep}@{spec}"
                        );
                    }
                }
            }
        }
    }
}
