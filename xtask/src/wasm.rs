//! Dropping exports that nothing calls from the release WebAssembly, so that `wasm-opt` can
//! remove the code behind them.
//!
//! Leptos 0.8 always links `server_fn`'s browser side, whose `wasm-streams` classes
//! (`IntoUnderlyingSource`, `IntoUnderlyingSink`, `IntoUnderlyingByteSource`) are exported by
//! wasm-bindgen for JavaScript to call. Isobar has no server functions, so nothing ever calls
//! them; their exports alone keep about 4 KB of code (1.1 KB brotli) alive. The glue script
//! keeps its class wrappers, which only touch the exports when called.

/// Whether an export of wasm-bindgen's output is one of those classes' (`intounderlyingsink_write`,
/// `__wbg_intounderlyingsource_free`, ...).
pub fn is_unused_export(name: &str) -> bool {
    name.contains("intounderlying")
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

/// `module` without the exports `drop` picks, and their names. Everything else (every other
/// section, byte for byte) is kept. `None` if `module` is not a WebAssembly module this can read.
pub fn without_exports(
    module: &[u8],
    drop: impl Fn(&str) -> bool,
) -> Option<(Vec<u8>, Vec<String>)> {
    if module.get(..4)? != b"\0asm" {
        return None;
    }
    let mut out = module.get(..8)?.to_vec();
    let mut dropped = Vec::new();
    let mut at = 8;
    while at < module.len() {
        let id = module[at];
        at += 1;
        let size = read_leb(module, &mut at)? as usize;
        let body = module.get(at..at.checked_add(size)?)?;
        at += size;
        let body = if id == 7 {
            let mut i = 0;
            let count = read_leb(body, &mut i)?;
            let mut kept = Vec::new();
            let mut n = 0;
            for _ in 0..count {
                let start = i;
                let len = read_leb(body, &mut i)? as usize;
                let name = std::str::from_utf8(body.get(i..i + len)?).ok()?;
                i += len + 1; // the name, then the kind
                read_leb(body, &mut i)?; // the index
                if drop(name) {
                    dropped.push(name.to_owned());
                } else {
                    kept.extend_from_slice(&body[start..i]);
                    n += 1;
                }
            }
            let mut section = Vec::new();
            write_leb(&mut section, n);
            section.extend(kept);
            section
        } else {
            body.to_vec()
        };
        out.push(id);
        write_leb(&mut out, u32::try_from(body.len()).ok()?);
        out.extend(body);
    }
    Some((out, dropped))
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
    fn refuses_what_is_not_a_module() {
        assert!(without_exports(b"<html>", |_| true).is_none());
        let mut cut = module(&["main"]);
        cut.truncate(cut.len() - 3);
        assert!(without_exports(&cut, |_| true).is_none());
    }
}
