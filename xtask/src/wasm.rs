//! Changes to the release WebAssembly and its script that wasm-bindgen and wasm-opt do not make:
//! exports that nothing calls dropped, so that `wasm-opt` can remove the code behind them
//! ([`without_exports`]), and short names for wasm-bindgen's imports ([`with_import_names`],
//! [`with_import_keys`]) and exports ([`with_exports`], [`with_export_uses`]).
//!
//! Leptos 0.8 always links `server_fn`'s browser side, whose `wasm-streams` classes
//! (`IntoUnderlyingSource`, `IntoUnderlyingSink`, `IntoUnderlyingByteSource`) wasm-bindgen
//! exports for JavaScript. Isobar has no server functions, so nothing ever calls them. The
//! patched `wasm-streams` (`vendor/`) exports none of their methods; each class's `free` is
//! still exported (the classes stay wasm-bindgen types, which the crate hands to JavaScript)
//! and keeps about 3 KB of drop code alive, which goes with the export. Their class wrappers
//! in the glue script go too ([`without_classes`]).

/// Whether an export of wasm-bindgen's output is one of those classes' (`intounderlyingsink_write`,
/// `__wbg_intounderlyingsource_free`, ...).
pub fn is_unused_export(name: &str) -> bool {
    name.contains("intounderlying")
}

/// wasm-bindgen's JavaScript without the class wrappers of the exports [`is_unused_export`]
/// drops (`export class IntoUnderlyingSink { … }`, the line that gives it `Symbol.dispose`,
/// and its `FinalizationRegistry`), and their names. `None` if the script is not shaped as
/// wasm-bindgen 0.2 writes it, or would still name a class it dropped: it is then left whole.
pub fn without_classes(js: &str) -> Option<(String, Vec<String>)> {
    let mut out = js.to_owned();
    let mut dropped = Vec::new();
    while let Some(start) = out.find("export class IntoUnderlying") {
        let name: String = out[start + "export class ".len()..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        let dispose = format!(
            "if (Symbol.dispose) {name}.prototype[Symbol.dispose] = {name}.prototype.free;\n"
        );
        let end = start + out[start..].find(&dispose)? + dispose.len();
        out.replace_range(start..end, "");
        let registry = format!("const {name}Finalization = ");
        let start = out.find(&registry)?;
        let end = start + out[start..].find(");\n")? + 3;
        out.replace_range(start..end, "");
        dropped.push(name);
    }
    let named = |n: &String| {
        let mut rest = out.as_str();
        while let Some(i) = rest.find(n.as_str()) {
            let after = rest[i + n.len()..].chars().next();
            if !after.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
                return true;
            }
            rest = &rest[i + n.len()..];
        }
        false
    };
    (!dropped.iter().any(named)).then_some((out, dropped))
}

fn read_leb(data: &[u8], at: &mut usize) -> Option<u32> {
    let (mut value, mut shift) = (0u32, 0);
    loop {
        let byte = *data.get(*at)?;
        *at += 1;
        value |= u32::from(byte & 0x7f).checked_shl(shift)?;
        if byte < 0x80 {
            return Some(value);
        }
        shift += 7;
    }
}

fn write_leb(out: &mut Vec<u8>, mut value: u32) {
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

/// What [`with_sections`] does with a section.
enum Section {
    Keep,
    Drop,
    Replace(Vec<u8>),
}

/// `module` with each section kept, dropped or replaced as `what` says from its id and body;
/// the sections kept are kept byte for byte. `None` if `module` is not a WebAssembly module
/// this can read, or `what` says `None`.
fn with_sections(
    module: &[u8],
    mut what: impl FnMut(u8, &[u8]) -> Option<Section>,
) -> Option<Vec<u8>> {
    if module.get(..4)? != b"\0asm" {
        return None;
    }
    let mut out = module.get(..8)?.to_vec();
    let mut at = 8;
    while at < module.len() {
        let start = at;
        let id = module[at];
        at += 1;
        let size = read_leb(module, &mut at)? as usize;
        let end = at.checked_add(size)?;
        let body = module.get(at..end)?;
        at = end;
        match what(id, body)? {
            Section::Keep => out.extend_from_slice(&module[start..end]),
            Section::Drop => {}
            Section::Replace(body) => {
                out.push(id);
                write_leb(&mut out, u32::try_from(body.len()).ok()?);
                out.extend(body);
            }
        }
    }
    Some(out)
}

/// `module` with the body of its section `id` (if it has one) replaced by what `rewrite` makes
/// of it; every other section is kept byte for byte. `None` if `module` is not a WebAssembly
/// module this can read, or `rewrite` says `None`.
fn with_section(
    module: &[u8],
    id: u8,
    mut rewrite: impl FnMut(&[u8]) -> Option<Vec<u8>>,
) -> Option<Vec<u8>> {
    with_sections(module, |this, body| {
        if this == id {
            rewrite(body).map(Section::Replace)
        } else {
            Some(Section::Keep)
        }
    })
}

/// A name as the binary format writes it: its length, then its UTF-8 bytes.
fn write_name(out: &mut Vec<u8>, name: &str) -> Option<()> {
    write_leb(out, u32::try_from(name.len()).ok()?);
    out.extend(name.as_bytes());
    Some(())
}

fn read_name<'a>(data: &'a [u8], at: &mut usize) -> Option<&'a str> {
    let len = read_leb(data, at)? as usize;
    let name = std::str::from_utf8(data.get(*at..at.checked_add(len)?)?).ok()?;
    *at += len;
    Some(name)
}

/// `module` without the exports `drop` picks, and their names. Everything else (every other
/// section, byte for byte) is kept. `None` if `module` is not a WebAssembly module this can read.
pub fn without_exports(
    module: &[u8],
    drop: impl Fn(&str) -> bool,
) -> Option<(Vec<u8>, Vec<String>)> {
    let mut dropped = Vec::new();
    let out = with_exports(module, |name| {
        if drop(name) {
            dropped.push(name.to_owned());
            None
        } else {
            Some(name.to_owned())
        }
    })?;
    Some((out, dropped))
}

/// `module` with each export named as `name` says from its name: a new name, the same, or
/// `None` to drop it. Everything else (every other section, byte for byte) is kept. `None` if
/// `module` is not a WebAssembly module this can read.
pub fn with_exports(
    module: &[u8],
    mut name: impl FnMut(&str) -> Option<String>,
) -> Option<Vec<u8>> {
    with_section(module, 7, |body| {
        let mut i = 0;
        let count = read_leb(body, &mut i)?;
        let mut kept = Vec::new();
        let mut n = 0;
        for _ in 0..count {
            let old = read_name(body, &mut i)?;
            let desc = i;
            i += 1; // the kind
            read_leb(body, &mut i)?; // the index
            if let Some(new) = name(old) {
                write_name(&mut kept, &new)?;
                kept.extend_from_slice(body.get(desc..i)?);
                n += 1;
            }
        }
        let mut section = Vec::new();
        write_leb(&mut section, n);
        section.extend(kept);
        (i == body.len()).then_some(section)
    })
}

/// The names of `module`'s exports. `None` if it is not a WebAssembly module this can read.
pub fn export_names(module: &[u8]) -> Option<Vec<String>> {
    let mut names = Vec::new();
    with_exports(module, |name| {
        names.push(name.to_owned());
        Some(name.to_owned())
    })?;
    Some(names)
}

/// The places where `word` is written in `js` as a whole word (not part of a longer
/// identifier).
fn whole_words<'a>(js: &'a str, word: &'a str) -> impl Iterator<Item = usize> + 'a {
    let is_ident = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '$';
    js.match_indices(word).map(|(i, _)| i).filter(move |&i| {
        let (before, after) = js.split_at(i);
        !before.ends_with(is_ident) && !after[word.len()..].starts_with(is_ident)
    })
}

/// How wasm-bindgen's script reads the module's exports: `wasm.NAME`.
const EXPORTS_OBJECT: &str = "wasm.";

/// Whether wasm-bindgen's script `js` reads the export `name` only as `wasm.NAME` (at least
/// once), so that [`with_export_uses`] can rename it. Its other uses may only be of a function
/// of the script's own of that name (`function NAME(`: wasm-bindgen names the function that
/// calls a closure's export after it), by that name alone: not a property, a string or a key.
/// A name read any other way (the split loader takes `memory` and the function table from the
/// exports by name, as `{ memory }`) is not.
pub fn is_renamable_export(js: &str, name: &str) -> bool {
    let local = js.contains(&format!("function {name}("));
    let mut read = false;
    for i in whole_words(js, name) {
        let (before, after) = (&js[..i], &js[i + name.len()..]);
        if before.ends_with(EXPORTS_OBJECT) {
            read = true;
        } else if !local
            || before.ends_with(['.', '"', '\'', '`'])
            || after.trim_start().starts_with(':')
        {
            return false;
        }
    }
    read
}

/// wasm-bindgen's script with its reads of the module's exports (`wasm.OLD`) renamed as
/// `renamed` says. Each old name must be one [`is_renamable_export`] allows; `None` if one is
/// not, since the script would then no longer match its module.
pub fn with_export_uses(js: &str, renamed: &[Renamed]) -> Option<String> {
    let mut out = js.to_owned();
    for (old, new) in renamed {
        if !is_renamable_export(&out, old) {
            return None;
        }
        let reads: Vec<usize> = whole_words(&out, old)
            .filter(|&i| out[..i].ends_with(EXPORTS_OBJECT))
            .collect();
        for i in reads.into_iter().rev() {
            out.replace_range(i..i + old.len(), new);
        }
    }
    Some(out)
}

/// A name changed: the old one, then the new one.
pub type Renamed = (String, String);

/// `module` with each import that `rename` gives a new name (from its module's name and its
/// own) renamed, and the names changed, old and new, in the order of the imports. Everything
/// else is kept byte for byte. `None` if `module` is not a WebAssembly module this can read.
pub fn with_import_names(
    module: &[u8],
    mut rename: impl FnMut(&str, &str) -> Option<String>,
) -> Option<(Vec<u8>, Vec<Renamed>)> {
    let mut renamed = Vec::new();
    let out = with_section(module, 2, |body| {
        let mut i = 0;
        let count = read_leb(body, &mut i)?;
        let mut section = Vec::new();
        write_leb(&mut section, count);
        for _ in 0..count {
            let from = read_name(body, &mut i)?;
            let name = read_name(body, &mut i)?;
            let desc = i;
            // What is imported: a function's type; a table's element type and limits; a
            // memory's limits; a global's type and mutability; a tag's attribute and type.
            let kind = *body.get(i)?;
            i += 1;
            let limits = |i: &mut usize| -> Option<()> {
                let flags = *body.get(*i)?;
                *i += 1;
                read_leb(body, i)?;
                if flags & 1 != 0 {
                    read_leb(body, i)?;
                }
                Some(())
            };
            match kind {
                0 => {
                    read_leb(body, &mut i)?;
                }
                1 => {
                    i += 1;
                    limits(&mut i)?;
                }
                2 => limits(&mut i)?,
                3 => i += 2,
                4 => {
                    i += 1;
                    read_leb(body, &mut i)?;
                }
                _ => return None,
            }
            write_name(&mut section, from)?;
            match rename(from, name) {
                Some(new) => {
                    write_name(&mut section, &new)?;
                    renamed.push((name.to_owned(), new));
                }
                None => write_name(&mut section, name)?,
            }
            section.extend_from_slice(body.get(desc..i)?);
        }
        (i == body.len()).then_some(section)
    })?;
    Some((out, renamed))
}

/// Whether a custom section only describes how the module was made: `producers` (the
/// compiler and tools, with versions) and `target_features` (which wasm-opt reads, so it is
/// dropped after the last wasm-opt run). Browsers ignore both; about 250 bytes.
pub fn is_metadata_section(name: &str) -> bool {
    name == "producers" || name == "target_features"
}

/// Whether an import is one of wasm-bindgen's (`__wbg_<function>_<16 hex digits>`,
/// `__wbindgen_…`), which its script provides under that name.
pub fn is_bindgen_import(name: &str) -> bool {
    name.starts_with("__wbg_") || name.starts_with("__wbindgen_")
}

/// The `n`th short name: `a` to `z`, `A` to `Z`, then `aa`, `ab`, … (each a JavaScript
/// identifier, and none a name with a meaning of its own such as `__proto__`).
pub fn short_name(mut n: usize) -> String {
    const LETTERS: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let mut name = vec![LETTERS[n % LETTERS.len()]];
    while n >= LETTERS.len() {
        n = n / LETTERS.len() - 1;
        name.push(LETTERS[n % LETTERS.len()]);
    }
    name.reverse();
    String::from_utf8(name).unwrap_or_default()
}

/// wasm-bindgen's script with the keys of its imports object renamed as [`with_import_names`]
/// renamed the imports. Each old name must be written once in the script, as a key
/// (`NAME: function(…)`); `None` if one is not, since the script would then no longer match
/// its module.
pub fn with_import_keys(js: &str, renamed: &[Renamed]) -> Option<String> {
    let mut out = js.to_owned();
    for (old, new) in renamed {
        let uses: Vec<usize> = whole_words(&out, old).take(2).collect();
        let [i] = uses[..] else {
            return None;
        };
        if !out[i + old.len()..].starts_with(':') {
            return None;
        }
        out.replace_range(i..i + old.len(), new);
    }
    Some(out)
}

/// `module` without the custom sections `drop` picks by name (the linker's `linking` and
/// `reloc.*`, which wasm-opt cannot read). `None` if `module` is not a WebAssembly module this
/// can read.
pub fn without_custom_sections(module: &[u8], drop: impl Fn(&str) -> bool) -> Option<Vec<u8>> {
    with_sections(module, |id, body| {
        let dropped = id == 0 && drop(read_name(body, &mut 0)?);
        Some(if dropped {
            Section::Drop
        } else {
            Section::Keep
        })
    })
}

/// Whether a custom section is the linker's, which only the splitter reads, or the names
/// (which the split leaves with duplicate data segment names that wasm-opt refuses; `-Oz`
/// drops the names anyway).
pub fn is_linker_section(name: &str) -> bool {
    name == "linking" || name.starts_with("reloc.") || name == "name"
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A module with one function exported under each of `names`.
    fn module(names: &[&str]) -> Vec<u8> {
        let mut m = b"\0asm\x01\0\0\0".to_vec();
        // type section: one type () -> (); function section: one function of it
        m.extend([1, 4, 1, 0x60, 0, 0, 3, 2, 1, 0]);
        let mut exports = Vec::new();
        write_leb(&mut exports, names.len() as u32);
        for n in names {
            write_leb(&mut exports, n.len() as u32);
            exports.extend(n.as_bytes());
            exports.extend([0, 0]);
        }
        m.push(7);
        write_leb(&mut m, exports.len() as u32);
        m.extend(exports);
        // code section: the function's empty body
        m.extend([10, 4, 1, 2, 0, 0x0b]);
        m
    }

    #[test]
    fn drops_only_the_exports_asked_for() {
        let long = "x".repeat(200); // a name whose length takes two LEB bytes
        let before = module(&[
            "main",
            "intounderlyingsink_write",
            &long,
            "__wbg_intounderlyingsource_free",
        ]);
        let (after, dropped) = without_exports(&before, is_unused_export).unwrap();
        assert_eq!(
            dropped,
            [
                "intounderlyingsink_write",
                "__wbg_intounderlyingsource_free"
            ]
        );
        assert_eq!(after, module(&["main", &long]));
        let (same, none) = without_exports(&after, is_unused_export).unwrap();
        assert_eq!(same, after);
        assert!(none.is_empty());
    }

    #[test]
    fn renames_the_exports_asked_for_and_keeps_the_rest() {
        let long = "y".repeat(200);
        let before = module(&["memory", &long, "__wbindgen_malloc"]);
        let after = with_exports(&before, |name| {
            Some(if name == "memory" {
                name.to_owned()
            } else {
                short_name(name.len())
            })
        })
        .unwrap();
        assert_eq!(after, module(&["memory", "cS", "r"]));
        assert_eq!(export_names(&after).unwrap(), ["memory", "cS", "r"]);
        assert_eq!(with_exports(&before, |_| None).unwrap(), module(&[]));
    }

    /// The shapes wasm-bindgen 0.2.130 and the split loader read exports in.
    const READS: &str = "function invoke_h1(a, b) { wasm.invoke_h1(a, b); }
const c = makeMutClosure(arg0, arg1, invoke_h1);
const ptr = passString(s, wasm.__wbindgen_malloc, wasm.__wbindgen_realloc);
const { __indirect_function_table, memory, } = initSync();
cachedView = new DataView(wasm.memory.buffer);
wasm.__wbindgen_start();
";

    #[test]
    fn renames_only_exports_read_as_exports() {
        for name in ["invoke_h1", "__wbindgen_malloc", "__wbindgen_start"] {
            assert!(is_renamable_export(READS, name), "{name}");
        }
        // Read by name elsewhere, never read, or read as a property or string too.
        for name in ["memory", "__indirect_function_table", "main"] {
            assert!(!is_renamable_export(READS, name), "{name}");
        }
        // Read as a property of something else, as a string or as a key; or a bare name of a
        // function the script does not define.
        for (more, name) in [
            ("other.__wbindgen_start();", "__wbindgen_start"),
            ("x[\"invoke_h1\"]();", "invoke_h1"),
            ("const o = { invoke_h1: 1 };", "invoke_h1"),
            ("__wbindgen_malloc(8);", "__wbindgen_malloc"),
        ] {
            assert!(
                !is_renamable_export(&format!("{READS}{more}\n"), name),
                "{more}"
            );
        }

        let renamed = vec![
            ("invoke_h1".to_owned(), "a".to_owned()),
            ("__wbindgen_malloc".to_owned(), "b".to_owned()),
        ];
        assert_eq!(
            with_export_uses(READS, &renamed).unwrap(),
            READS
                .replace("wasm.invoke_h1(", "wasm.a(")
                .replace("wasm.__wbindgen_malloc", "wasm.b")
        );
        let memory = vec![("memory".to_owned(), "a".to_owned())];
        assert!(with_export_uses(READS, &memory).is_none());
    }

    /// A module importing a memory (with a maximum) from `env`, then a function of type 0 under
    /// each (module, name).
    fn importing(imports: &[(&str, &str)]) -> Vec<u8> {
        let mut m = b"\0asm\x01\0\0\0".to_vec();
        m.extend([1, 4, 1, 0x60, 0, 0]);
        let mut body = Vec::new();
        write_leb(&mut body, imports.len() as u32 + 1);
        write_name(&mut body, "env").unwrap();
        write_name(&mut body, "memory").unwrap();
        body.extend([2, 1, 17, 0x80, 0x02]);
        for (from, name) in imports {
            write_name(&mut body, from).unwrap();
            write_name(&mut body, name).unwrap();
            body.extend([0, 0]);
        }
        m.push(2);
        write_leb(&mut m, body.len() as u32);
        m.extend(body);
        m.extend([3, 2, 1, 0, 10, 4, 1, 2, 0, 0x0b]);
        m
    }

    #[test]
    fn renames_only_the_imports_asked_for_and_keeps_the_rest() {
        let long = format!("__wbg_{}_0123456789abcdef", "x".repeat(200));
        let before = importing(&[
            ("./isobar_bg.js", "__wbg_now_463ac581d2fc7ea3"),
            ("./__wasm_split.js", "__wasm_split_load_tools"),
            ("./isobar_bg.js", &long),
        ]);
        let mut n = 0;
        let (after, renamed) = with_import_names(&before, |_, name| {
            is_bindgen_import(name).then(|| {
                n += 1;
                short_name(n - 1)
            })
        })
        .unwrap();
        assert_eq!(
            after,
            importing(&[
                ("./isobar_bg.js", "a"),
                ("./__wasm_split.js", "__wasm_split_load_tools"),
                ("./isobar_bg.js", "b"),
            ])
        );
        assert_eq!(
            renamed,
            [
                ("__wbg_now_463ac581d2fc7ea3".to_owned(), "a".to_owned()),
                (long, "b".to_owned())
            ]
        );
        assert!(with_import_names(b"\0asm\x01\0\0\0\x02\x05\x09", |_, _| None).is_none());
    }

    #[test]
    fn short_names_are_distinct_identifiers() {
        let names: Vec<String> = (0..3000).map(short_name).collect();
        assert_eq!(names[..3], ["a", "b", "c"]);
        assert_eq!(names[51..55], ["Z", "aa", "ab", "ac"]);
        assert_eq!(names[104], "ba");
        let distinct: std::collections::HashSet<&String> = names.iter().collect();
        assert_eq!(distinct.len(), names.len());
        assert!(names
            .iter()
            .all(|n| n.chars().all(|c| c.is_ascii_alphabetic()) && n.len() <= 3));
    }

    #[test]
    fn renames_the_script_keys_of_the_renamed_imports() {
        let js = "const import0 = {\n    __proto__: null,\n    __wbg_new_aa: function() { return 1; },\n    __wbg_new_aab: function(a) { return a; },\n};\n";
        let renamed = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
            pairs
                .iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect()
        };
        assert_eq!(
            with_import_keys(js, &renamed(&[("__wbg_new_aa", "a"), ("__wbg_new_aab", "b")]))
                .unwrap(),
            "const import0 = {\n    __proto__: null,\n    a: function() { return 1; },\n    b: function(a) { return a; },\n};\n"
        );
        // A name the script does not provide, or also uses elsewhere: the script would no
        // longer match its module.
        assert!(with_import_keys(js, &renamed(&[("__wbg_gone_ff", "a")])).is_none());
        let twice = format!("{js}wasm.__wbg_new_aa();\n");
        assert!(with_import_keys(&twice, &renamed(&[("__wbg_new_aa", "a")])).is_none());
    }

    /// Two classes as wasm-bindgen 0.2.130 writes them, one kept.
    const GLUE: &str = "export class IntoUnderlyingSink {
    free() {
        wasm.__wbg_intounderlyingsink_free(ptr, 0);
    }
}
if (Symbol.dispose) IntoUnderlyingSink.prototype[Symbol.dispose] = IntoUnderlyingSink.prototype.free;

export class Widget {
    unmount() { wasm.widget_unmount(this.__wbg_ptr); }
}
export class IntoUnderlyingSource {
    pull(controller) { return wasm.intounderlyingsource_pull(this.__wbg_ptr, controller); }
}
if (Symbol.dispose) IntoUnderlyingSource.prototype[Symbol.dispose] = IntoUnderlyingSource.prototype.free;
const IntoUnderlyingSinkFinalization = (typeof FinalizationRegistry === 'undefined')
    ? { register: () => {}, unregister: () => {} }
    : new FinalizationRegistry(ptr => wasm.__wbg_intounderlyingsink_free(ptr, 1));
const IntoUnderlyingSourceFinalization = (typeof FinalizationRegistry === 'undefined')
    ? { register: () => {}, unregister: () => {} }
    : new FinalizationRegistry(ptr => wasm.__wbg_intounderlyingsource_free(ptr, 1));
const WidgetFinalization = 1;
";

    #[test]
    fn drops_the_classes_of_the_dropped_exports_from_the_glue() {
        let (after, dropped) = without_classes(GLUE).unwrap();
        assert_eq!(dropped, ["IntoUnderlyingSink", "IntoUnderlyingSource"]);
        assert_eq!(
            after,
            "\nexport class Widget {\n    unmount() { wasm.widget_unmount(this.__wbg_ptr); }\n}\nconst WidgetFinalization = 1;\n"
        );
        let (same, none) = without_classes(&after).unwrap();
        assert_eq!(same, after);
        assert!(none.is_empty());
    }

    #[test]
    fn leaves_a_glue_it_does_not_recognise_whole() {
        // A use of a class besides its own definition.
        let used = format!("{GLUE}new IntoUnderlyingSource();\n");
        assert!(without_classes(&used).is_none());
        // No registry where wasm-bindgen 0.2 writes one.
        let other = GLUE.replace("const IntoUnderlyingSinkFinalization", "let x");
        assert!(without_classes(&other).is_none());
    }

    #[test]
    fn drops_only_the_custom_sections_asked_for() {
        let plain = module(&["main"]);
        let custom = |name: &str, data: &[u8]| {
            let mut body = Vec::new();
            write_leb(&mut body, name.len() as u32);
            body.extend(name.as_bytes());
            body.extend(data);
            let mut s = vec![0];
            write_leb(&mut s, body.len() as u32);
            s.extend(body);
            s
        };
        let mut with = plain.clone();
        with.extend(custom("linking", &[2, 0]));
        with.extend(custom("name", &[1, 2, 3]));
        with.extend(custom("reloc.CODE", &[9; 300]));
        with.extend(custom("producers", &[4]));
        let mut kept = plain.clone();
        kept.extend(custom("producers", &[4]));
        assert_eq!(
            without_custom_sections(&with, is_linker_section).unwrap(),
            kept
        );
        assert!(without_custom_sections(b"<html>", is_linker_section).is_none());
        with.extend(custom("target_features", &[1, b'+', 1, b'x']));
        let mut meta_dropped = plain.clone();
        meta_dropped.extend(custom("linking", &[2, 0]));
        meta_dropped.extend(custom("name", &[1, 2, 3]));
        meta_dropped.extend(custom("reloc.CODE", &[9; 300]));
        assert_eq!(
            without_custom_sections(&with, is_metadata_section).unwrap(),
            meta_dropped
        );
    }

    #[test]
    fn refuses_what_is_not_a_module() {
        assert!(without_exports(b"<html>", |_| true).is_none());
        let mut cut = module(&["main"]);
        cut.truncate(cut.len() - 3);
        assert!(without_exports(&cut, |_| true).is_none());
    }
}
