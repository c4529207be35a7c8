//! Times shown in the place's own IANA time zone through the browser's `Intl.DateTimeFormat`,
//! so that daylight-saving changes inside the forecast come out right whatever the viewer's
//! own zone is.

use std::cell::RefCell;
use std::collections::HashMap;

use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// `Intl.DateTimeFormat`.
    #[wasm_bindgen(js_namespace = Intl, js_name = DateTimeFormat)]
    type Dtf;

    /// `new Intl.DateTimeFormat(locales, options)`; throws a `RangeError` for an unknown zone,
    /// which `catch` turns into an `Err` instead of an abort.
    #[wasm_bindgen(catch, constructor, js_namespace = Intl, js_class = "DateTimeFormat")]
    fn new_dtf(locales: &JsValue, options: &js_sys::Object) -> Result<Dtf, JsValue>;

    #[wasm_bindgen(method, js_class = "DateTimeFormat", js_name = format)]
    fn format(this: &Dtf, date: &js_sys::Date) -> String;
}

/// What part of a time to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Style {
    /// Hours and minutes: `14:05` or `2:05 PM`.
    Time,
    /// The hour alone: `14` or `2 PM`.
    Hour,
    /// Short weekday: `Mon`.
    Weekday,
    /// Weekday, day and month: `Monday 23 March`.
    Date,
}

/// A formatter for one zone, style and clock; `None` when the zone is unknown to the browser.
type Formatters = HashMap<(String, Style, Option<bool>), Option<Dtf>>;

thread_local! {
    static CACHE: RefCell<Formatters> = RefCell::new(HashMap::new());
}

fn options(tz: &str, style: Style, hour12: Option<bool>) -> js_sys::Object {
    let o = js_sys::Object::new();
    let set = |k: &str, v: JsValue| {
        let _ = js_sys::Reflect::set(&o, &JsValue::from_str(k), &v);
    };
    set("timeZone", tz.into());
    match style {
        Style::Time => {
            set("hour", "2-digit".into());
            set("minute", "2-digit".into());
        }
        Style::Hour => set("hour", "numeric".into()),
        Style::Weekday => set("weekday", "short".into()),
        Style::Date => {
            set("weekday", "long".into());
            set("day", "numeric".into());
            set("month", "long".into());
        }
    }
    if let Some(h) = hour12 {
        set("hour12", h.into());
    }
    o
}

/// Formats the instant `epoch` (Unix seconds) in zone `tz`. An unknown zone falls back to UTC,
/// marked as such, rather than failing.
pub fn format(epoch: i64, tz: &str, style: Style, hour12: Option<bool>) -> String {
    let date = js_sys::Date::new(&JsValue::from_f64(epoch as f64 * 1000.0));
    let key = (tz.to_owned(), style, hour12);
    let out = CACHE.with(|c| {
        let mut c = c.borrow_mut();
        let dtf = c
            .entry(key)
            .or_insert_with(|| Dtf::new_dtf(&JsValue::UNDEFINED, &options(tz, style, hour12)).ok());
        dtf.as_ref().map(|f| f.format(&date))
    });
    match out {
        Some(s) => s,
        None if tz != "UTC" => format!("{} UTC", format(epoch, "UTC", style, hour12)),
        None => String::from("–"),
    }
}

/// Now, as Unix seconds.
pub fn now() -> i64 {
    (js_sys::Date::now() / 1000.0) as i64
}
