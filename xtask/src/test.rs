//! `cargo xtask test`: every check and every test, in the order that fails fastest.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use crate::tools::{self, path_env};
use crate::{build, root, run, Result};
use isobar_testkit::chromedriver;

/// Tests counted from the runners' `test result:` lines.
#[derive(Debug, Default, Clone, Copy)]
pub struct Tally {
    /// Tests passed.
    pub passed: u64,
    /// Tests failed.
    pub failed: u64,
}

impl Tally {
    /// Adds the counts of one `test result: ok. 8 passed; 0 failed; ...` line, if it is one.
    pub fn read_line(&mut self, line: &str) {
        let Some(rest) = line.trim().strip_prefix("test result: ") else {
            return;
        };
        let count = |word: &str| -> u64 {
            rest.split(';')
                .filter_map(|part| {
                    let mut it = part.split_whitespace().rev();
                    let (w, n) = (it.next()?, it.next()?);
                    (w == word).then(|| n.parse::<u64>().ok()).flatten()
                })
                .sum()
        };
        self.passed += count("passed");
        self.failed += count("failed");
    }
}

/// Runs `cmd`, echoing its output, and counts the tests it reports.
fn run_counted(cmd: &mut Command, tally: &mut Tally) -> Result<()> {
    eprintln!("xtask: running {cmd:?}");
    let mut child = cmd.stdout(Stdio::piped()).spawn()?;
    let out = child.stdout.take().expect("piped");
    for line in BufReader::new(out).lines() {
        let line = line?;
        println!("{line}");
        tally.read_line(&line);
    }
    let status = child.wait()?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{cmd:?} failed ({status})").into())
    }
}

fn cargo() -> Command {
    let mut c = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    c.current_dir(root()).env("PATH", path_env());
    c
}

/// Formatting, clippy on both targets, host tests, the browser tests of components, the
/// release bundle and its size budget, and the end-to-end tests of that bundle.
pub fn all() -> Result<()> {
    // Formatting and clippy need none of the tools but the wasm32 target: they run while the
    // rest install.
    let installs = tools::start(true)?;
    let mut tally = Tally::default();
    let result = steps(&mut tally, installs);
    // The closing line CI reads: `N passed, N failed`.
    let failed = tally.failed + u64::from(result.is_err() && tally.failed == 0);
    println!("tests: {} passed, {} failed", tally.passed, failed);
    result
}

fn steps(tally: &mut Tally, installs: tools::Installs) -> Result<()> {
    eprintln!("xtask: checking formatting");
    run(cargo().args(["fmt", "--all", "--check"]))?;
    eprintln!("xtask: clippy (host)");
    run(cargo().args([
        "clippy",
        "--workspace",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ]))?;
    eprintln!("xtask: clippy (wasm32)");
    run(cargo().args([
        "clippy",
        "-p",
        "isobar",
        "--target",
        "wasm32-unknown-unknown",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ]))?;

    installs.wait()?;
    build::build_release()?;
    build::check_budget()?;

    // Host: unit tests of core, simulator and xtask, and the end-to-end tests of the bundle.
    run_counted(
        cargo()
            .args(["test", "--workspace", "--no-fail-fast"])
            .env("CHROME", tools::chromium())
            .env("CHROMEDRIVER", chromedriver())
            .env("ISOBAR_DIST", build::dist()),
        tally,
    )?;

    // Browser tests of components, in headless Chromium (webdriver.json adds its flags).
    run_counted(
        cargo()
            .args([
                "test",
                "-p",
                "isobar",
                "--target",
                "wasm32-unknown-unknown",
                "--no-fail-fast",
            ])
            .env("CHROMEDRIVER", chromedriver())
            .env("WASM_BINDGEN_TEST_TIMEOUT", "60"),
        tally,
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::Tally;

    #[test]
    fn reads_cargo_and_wasm_bindgen_result_lines() {
        let mut t = Tally::default();
        t.read_line("test result: ok. 8 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s");
        t.read_line(
            "test result: FAILED. 3 passed; 2 failed; 1 ignored; 0 filtered out; finished in 0.11s",
        );
        t.read_line("running 8 tests");
        assert_eq!((t.passed, t.failed), (11, 2));
    }
}
