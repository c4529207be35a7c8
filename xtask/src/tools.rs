//! Installs what the build and the tests need, skipping what is already there at the right
//! version: the wasm32 target, Trunk, wasm-bindgen-cli (the version in Cargo.lock), wasm-opt
//! (binaryen 116), and for the tests Chromium and ChromeDriver from Debian's packages.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{root, run, Result};

/// The Trunk release Isobar builds with (0.22 needs a newer rustc).
pub const TRUNK_VERSION: &str = "0.21.14";
/// The binaryen release of `cargo install wasm-opt`; Trunk.toml pins the same.
pub const WASM_OPT_VERSION: u32 = 116;

/// The folder `cargo install` puts binaries in.
pub fn cargo_bin() -> PathBuf {
    std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .unwrap_or_else(|| PathBuf::from(".cargo"))
        .join("bin")
}

/// PATH with cargo's bin folder first, so that the wasm-opt installed here wins over an old
/// system one (Debian's binaryen 108 builds a bundle that dies at start-up).
pub fn path_env() -> std::ffi::OsString {
    let mut paths = vec![cargo_bin()];
    if let Some(p) = std::env::var_os("PATH") {
        paths.extend(std::env::split_paths(&p).filter(|p| p != &cargo_bin()));
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

/// The wasm32 target, Trunk, wasm-bindgen-cli and wasm-opt.
pub fn ensure_build_tools() -> Result<()> {
    let targets = output_of("rustup", &["target", "list", "--installed"]).unwrap_or_default();
    if !targets
        .lines()
        .any(|l| l.trim() == "wasm32-unknown-unknown")
    {
        step("installing the wasm32-unknown-unknown target");
        run(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))?;
    }

    let trunk = output_of("trunk", &["--version"]).unwrap_or_default();
    if !trunk.contains(TRUNK_VERSION) {
        step(&format!(
            "installing Trunk {TRUNK_VERSION} (a few minutes, once)"
        ));
        cargo_install(&["trunk", "--locked", "--version", TRUNK_VERSION])?;
    }

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

    if wasm_opt_version() != Some(WASM_OPT_VERSION) {
        step(&format!(
            "installing wasm-opt (binaryen {WASM_OPT_VERSION}, a few minutes, once)"
        ));
        cargo_install(&["wasm-opt", "--locked"])?;
        if wasm_opt_version() != Some(WASM_OPT_VERSION) {
            return Err(format!(
                "wasm-opt on PATH is not binaryen {WASM_OPT_VERSION} even after installing it; put {} first on PATH",
                cargo_bin().display()
            )
            .into());
        }
    }
    Ok(())
}

/// The binaryen version of the `wasm-opt` first on [`path_env`].
fn wasm_opt_version() -> Option<u32> {
    // "wasm-opt version 116 (version_116)"
    let out = output_of("wasm-opt", &["--version"])?;
    out.split_whitespace()
        .skip_while(|w| *w != "version")
        .nth(1)
        .and_then(|v| v.parse().ok())
}

/// The Chromium binary the tests drive.
pub fn chromium() -> PathBuf {
    std::env::var_os("CHROME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"))
}

/// The flags headless Chromium needs on these machines: no sandbox (root), and no network
/// beyond localhost (the background services would try Google's hosts).
pub const CHROMIUM_FLAGS: &[&str] = &[
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
];

/// Chromium and ChromeDriver, from Debian's packages.
pub fn ensure_browser() -> Result<()> {
    let have_chromium = chromium().is_file();
    let have_driver = std::env::var_os("CHROMEDRIVER")
        .map(|p| Path::new(&p).is_file())
        .unwrap_or_else(|| output_of("chromedriver", &["--version"]).is_some());
    if have_chromium && have_driver {
        return Ok(());
    }
    step("installing Chromium and ChromeDriver from Debian's packages");
    apt_install(&["chromium", "chromium-driver"])
}

/// `apt-get install` of Debian packages, through `sudo` when not root.
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
    if output_of("node", &["--version"]).is_none() || output_of("npm", &["--version"]).is_none() {
        step("installing Node.js and npm from Debian's packages");
        apt_install(&["nodejs", "npm"])?;
    }
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
