//! Splitting the release WebAssembly: what a first visit runs, and the code the page loads when
//! needed (`src/split.rs`: the tools, on first use; the live feed's socket, on pages with
//! `live=`; and what the two share).
//!
//! Trunk runs wasm-bindgen and wasm-opt itself, with no way to keep the linker's exports that a
//! split needs, so after `trunk build` this takes over from Cargo's own output (linked with
//! `--emit-relocs`, see [`SPLIT_BUILD`]):
//!
//! 1. `wasm_split_cli_support` (the splitter behind Leptos's `#[lazy]` and `cargo leptos
//!    --split`) cuts the module at the `#[wasm_split]` functions: the main module, and one
//!    module per split with the code only it reaches, plus its loader script;
//! 2. wasm-bindgen runs on the main module with `--keep-lld-exports` (the split modules import
//!    its memory, table and functions through them);
//! 3. wasm-opt `-Oz` runs on each module;
//! 4. the split modules are named by their content (`isobar-split-split_tools-<hash>.wasm`,
//!    cached for good as Trunk's files are), and the loader script is appended to wasm-bindgen's script, so a
//!    first visit makes no extra request for it.
//!
//! The files keep Trunk's names, which `index.html` already links.

use std::path::Path;
use std::process::Command;

use crate::tools::path_env;
use crate::{run, target_dir, Result};

/// The environment variable, set to `1` for Trunk's build of the release bundle, with which
/// the dashboard's build script (`build.rs`) turns the split points on (`--cfg isobar_split`;
/// other builds, such as the wasm tests, call the split code directly) and links the binary
/// with `--emit-relocs`, the relocations the splitter reads to move code between modules.
pub const SPLIT_BUILD: &str = "ISOBAR_SPLIT_BUILD";

/// The prefix of a split module's file name in `dist/`.
pub const PREFIX: &str = "isobar-split-";

/// The module name the split functions import their loaders from.
const LINK_NAME: &str = "./__wasm_split.js";

/// Splits Cargo's release WebAssembly and writes the main module over Trunk's `wasm` (with its
/// script `js`) in `dist`, and the split modules beside them.
pub fn split(dist: &Path, wasm: &str, js: &str) -> Result<()> {
    let input = target_dir().join("wasm32-unknown-unknown/wasm-release/isobar.wasm");
    let work = target_dir().join("isobar-split");
    if work.exists() {
        std::fs::remove_dir_all(&work)?;
    }
    std::fs::create_dir_all(&work)?;
    let input_wasm = std::fs::read(&input).map_err(|e| format!("{}: {e}", input.display()))?;
    let main = work.join("main.wasm");
    let main_module = format!("./{js}");
    let split = wasm_split_cli_support::transform({
        let mut o = wasm_split_cli_support::Options::new(&input_wasm);
        o.output_dir = &work;
        o.main_out_path = &main;
        o.link_name = LINK_NAME;
        o.main_module = &main_module;
        o
    })
    .map_err(|e| format!("splitting {}: {e:?}", input.display()))?;

    let bindgen = work.join("bindgen");
    run(Command::new("wasm-bindgen")
        .env("PATH", path_env())
        .args([
            "--target=web",
            "--no-typescript",
            "--keep-lld-exports",
            "--out-name=isobar",
        ])
        .arg(format!("--out-dir={}", bindgen.display()))
        .arg(&main))?;
    wasm_opt(&bindgen.join("isobar_bg.wasm"), &dist.join(wasm))?;

    // The split modules, optimized and named by their content.
    let mut loader = std::fs::read_to_string(work.join(LINK_NAME))?;
    for module in &split.split_modules {
        let stem = module
            .file_stem()
            .and_then(|s| s.to_str())
            .ok_or("a split module without a name")?;
        let optimized = work.join(format!("{stem}.opt.wasm"));
        wasm_opt(module, &optimized)?;
        let data = std::fs::read(&optimized)?;
        let name = format!("{PREFIX}{stem}-{}.wasm", crate::build::content_hash(&data));
        std::fs::write(dist.join(&name), data)?;
        let from = format!("\"./{stem}.wasm\"");
        if !loader.contains(&from) {
            return Err(format!("the split loader does not name {from}").into());
        }
        loader = loader.replace(&from, &format!("\"./{name}\""));
    }

    let glue = std::fs::read_to_string(bindgen.join("isobar.js"))?;
    std::fs::write(dist.join(js), with_loader(&glue, &loader, &main_module)?)?;
    Ok(())
}

/// wasm-opt's promise that the first kilobyte of memory is never read or written, which lets
/// it fold constant offsets into loads and stores (about 500 bytes, brotli). It holds: Rust
/// lays out the stack first, from 1 MiB down, and the data after it, so only a stack overflow
/// of nearly 1 MiB could reach that kilobyte, and the folded access then traps rather than
/// wrapping around to it.
pub const LOW_MEMORY_UNUSED: &str = "--low-memory-unused";

/// `wasm-opt -Oz`, as Trunk runs it, with [`LOW_MEMORY_UNUSED`], on `from` without the linker's
/// sections (which wasm-opt cannot read).
fn wasm_opt(from: &Path, to: &Path) -> Result<()> {
    let module = std::fs::read(from)?;
    let plain = crate::wasm::without_custom_sections(&module, crate::wasm::is_linker_section)
        .ok_or_else(|| format!("{} is not a WebAssembly module", from.display()))?;
    std::fs::write(to, plain)?;
    run(Command::new(crate::tools::wasm_opt_bin().join("wasm-opt"))
        .arg(to)
        .args(["-Oz", LOW_MEMORY_UNUSED])
        .arg("-o")
        .arg(to))
}

/// wasm-bindgen's script `glue` with the split loader script `loader` in it, rather than
/// imported from a file of its own: the loader's import of the glue (`main_module`) and the
/// glue's import of the loader ([`LINK_NAME`]) become names of the one script.
pub fn with_loader(glue: &str, loader: &str, main_module: &str) -> Result<String> {
    let import_main = format!("import {{ initSync }} from \"{main_module}\";");
    if !loader.contains(&import_main) {
        return Err(format!("the split loader does not import {main_module} as expected").into());
    }
    let loader = loader.replace(&import_main, "");
    // `import * as NAME from "./__wasm_split.js"`, each on a line of its own (one for each
    // split's loader).
    let import_of = |l: &str| {
        let rest = l.trim().strip_prefix("import * as ")?;
        let (name, from) = rest.split_once(" from ")?;
        let from = from
            .trim_end_matches(';')
            .trim_matches(|c| c == '"' || c == '\'');
        (from == LINK_NAME).then(|| name.to_owned())
    };
    let mut names: Vec<String> = glue.lines().filter_map(import_of).collect();
    if names.is_empty() {
        return Err(
            format!("wasm-bindgen's script does not import {LINK_NAME} as expected").into(),
        );
    }
    // wasm-bindgen imports the loader once for each split and gives the imports object one key
    // for each, all the same (`"./__wasm_split.js": import1,` on a line of its own, then
    // `import2`): one is kept, and only its object is made below.
    let duplicate_key = |l: &str| {
        names[1..]
            .iter()
            .any(|n| l.trim() == format!("\"{LINK_NAME}\": {n},"))
    };
    let lines = glue.lines().filter(|l| import_of(l).is_none());
    let (duplicates, kept): (Vec<&str>, Vec<&str>) = lines.partition(|l| duplicate_key(l));
    if duplicates.len() == names.len() - 1 {
        names.truncate(1);
    }
    let glue: String = kept.into_iter().map(|l| format!("{l}\n")).collect();
    // The loader's exports, as one object where the glue had the module's namespace.
    let exports: Vec<&str> = loader
        .lines()
        .filter_map(|l| l.strip_prefix("export const "))
        .filter_map(|l| l.split(' ').next())
        .collect();
    if exports.is_empty() {
        return Err("the split loader exports no loader".into());
    }
    let objects: String = names
        .iter()
        .map(|n| format!("const {n} = {{ {} }};\n", exports.join(", ")))
        .collect();
    Ok(format!(
        "{glue}\n{}\n{objects}",
        loader.replace("export const ", "const ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shapes wasm-bindgen 0.2.130 and `wasm_split_cli_support` 0.2.4 write.
    const GLUE: &str = "import * as import1 from \"./__wasm_split.js\"\nimport * as import2 from \"./__wasm_split.js\"\n\nfunction __wbg_get_imports() {\n    return { \"./__wasm_split.js\": import1, \"./__wasm_split.js\": import2 };\n}\nexport { initSync };\n";
    const LOADER: &str = "import { initSync } from \"./isobar-1a.js\";\n\nfunction makeLoad() {}\nexport const __wasm_split_load_tools = makeLoad();\n";

    #[test]
    fn the_loader_goes_into_the_glue() {
        let one = with_loader(GLUE, LOADER, "./isobar-1a.js").unwrap();
        assert!(!one.contains("import "), "{one}");
        assert!(one.contains("const __wasm_split_load_tools = makeLoad();"));
        assert!(one.ends_with(
            "const import1 = { __wasm_split_load_tools };\nconst import2 = { __wasm_split_load_tools };\n"
        ));
        assert!(one.contains("\"./__wasm_split.js\": import1"));
    }

    #[test]
    fn the_imports_object_gets_one_key_for_the_loader() {
        let glue = GLUE.replace(
            "return { \"./__wasm_split.js\": import1, \"./__wasm_split.js\": import2 };",
            "return {\n        \"./__wasm_split.js\": import1,\n        \"./__wasm_split.js\": import2,\n    };",
        );
        let one = with_loader(&glue, LOADER, "./isobar-1a.js").unwrap();
        assert_eq!(one.matches("\"./__wasm_split.js\"").count(), 1, "{one}");
        assert!(one.contains("\"./__wasm_split.js\": import1,"));
        assert!(
            one.ends_with("const import1 = { __wasm_split_load_tools };\n"),
            "{one}"
        );
    }

    #[test]
    fn a_shape_it_does_not_know_is_refused() {
        assert!(with_loader(GLUE, LOADER, "./other.js").is_err());
        assert!(with_loader("export { initSync };", LOADER, "./isobar-1a.js").is_err());
        let no_loader = "import { initSync } from \"./isobar-1a.js\";\n";
        assert!(with_loader(GLUE, no_loader, "./isobar-1a.js").is_err());
    }
}
