//! Reading JSON text into a [`serde_json::Value`], the form every reader in this crate walks.
//!
//! On the host serde_json parses it. In WebAssembly the browser's own `JSON.parse` does, and
//! serde-wasm-bindgen turns the result into the same `Value`: serde_json's parser would add
//! several KB to the bundle for what the browser already has. Either way the readers above
//! (Open-Meteo's answers, the live feed's messages, stored places) are the same code.

use serde_json::Value;

/// Why a text is not JSON, in plain words: "it is not JSON (line 3, column 7)", "it ends too
/// early".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonError(pub String);

impl std::fmt::Display for JsonError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Parses `text` as one JSON value.
#[cfg(not(target_arch = "wasm32"))]
pub fn parse(text: &str) -> Result<Value, JsonError> {
    serde_json::from_str(text).map_err(|e| {
        use serde_json::error::Category;
        let what = match e.classify() {
            Category::Eof => "it ends too early",
            Category::Syntax | Category::Io => "it is not JSON",
            Category::Data => "a value has the wrong type",
        };
        JsonError(format!("{what} (line {}, column {})", e.line(), e.column()))
    })
}

/// Parses `text` as one JSON value.
#[cfg(target_arch = "wasm32")]
pub fn parse(text: &str) -> Result<Value, JsonError> {
    let value = js_sys::JSON::parse(text).map_err(|e| {
        let said = js_sys::Error::from(e).message();
        JsonError(if said.includes("end of JSON", 0) {
            "it ends too early".to_owned()
        } else {
            format!("it is not JSON ({})", String::from(said))
        })
    })?;
    Ok(from_js(&value))
}

/// What `JSON.parse` made, as a `Value`. Whole numbers become integers, as serde_json reads
/// `1700000000` (JavaScript has only one kind of number).
#[cfg(target_arch = "wasm32")]
fn from_js(v: &wasm_bindgen::JsValue) -> Value {
    use wasm_bindgen::JsCast;
    if let Some(n) = v.as_f64() {
        #[allow(clippy::cast_possible_truncation)]
        return if n.fract() == 0.0 && n.abs() < 9.0e15 {
            Value::from(n as i64)
        } else {
            serde_json::Number::from_f64(n).map_or(Value::Null, Value::Number)
        };
    }
    if let Some(s) = v.as_string() {
        return Value::String(s);
    }
    if let Some(b) = v.as_bool() {
        return Value::Bool(b);
    }
    if let Some(a) = v.dyn_ref::<js_sys::Array>() {
        return Value::Array(a.iter().map(|x| from_js(&x)).collect());
    }
    match v.dyn_ref::<js_sys::Object>() {
        // Inserted one by one: collecting would sort the keys first, and the sort's code
        // costs the bundle more than the inserts.
        Some(o) => {
            let mut map = serde_json::Map::new();
            for pair in js_sys::Object::entries(o).iter() {
                let pair = js_sys::Array::from(&pair);
                if let Some(key) = pair.get(0).as_string() {
                    map.insert(key, from_js(&pair.get(1)));
                }
            }
            Value::Object(map)
        }
        None => Value::Null,
    }
}
