//! The dashboard's build script: whether this build is the split release bundle
//! (`src/split.rs`).
//!
//! `cargo xtask build` sets `ISOBAR_SPLIT_BUILD=1` for Trunk's build of the release bundle
//! only. For that build, and for WebAssembly, this
//!
//! * turns the split points on (`--cfg isobar_split`; every other build calls the split code
//!   directly), and
//! * links the dashboard's binary, and no other, with `--emit-relocs`: the splitter reads the
//!   linker's relocations to move code between modules.
//!
//! The link argument is given here rather than in `RUSTFLAGS`, which would also give it to the
//! link of every dependency that builds a `cdylib` (the published wasm-streams does): that
//! link crashed rust-lld on a fresh CI machine. With an environment variable rather than a
//! flag, the dependencies are also the same builds whether the bundle is split or not.

/// The variable `cargo xtask build` sets (`1`) for the split release bundle.
const SPLIT_BUILD: &str = "ISOBAR_SPLIT_BUILD";

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-env-changed={SPLIT_BUILD}");
    println!("cargo::rustc-check-cfg=cfg(isobar_split)");
    let split = std::env::var(SPLIT_BUILD).as_deref() == Ok("1");
    let wasm = std::env::var("CARGO_CFG_TARGET_ARCH").as_deref() == Ok("wasm32");
    if split && wasm {
        println!("cargo::rustc-cfg=isobar_split");
        println!("cargo::rustc-link-arg-bin=isobar=--emit-relocs");
    }
}
