//! The place's time zone as the browser knows it: the offset of any instant comes from
//! `Intl.DateTimeFormat` with the place's IANA zone, so daylight-saving changes inside the
//! forecast come out right whatever the viewer's own zone is. The labels themselves are made by
//! `isobar_core::clock`, tested on the host.

use std::cell::RefCell;

use isobar_core::clock::{self, ZoneOffsets};
use isobar_core::weather::Location;
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

    #[wasm_bindgen(method, js_class = "DateTimeFormat", js_name = formatToParts)]
    fn format_to_parts(this: &Dtf, date: &js_sys::Date) -> js_sys::Array;

    #[wasm_bindgen(method, js_class = "DateTimeFormat", js_name = resolvedOptions)]
    fn resolved_options(this: &Dtf) -> js_sys::Object;
}

thread_local! {
    /// One offset formatter per zone; `None` when the browser does not know the zone.
    /// A list, not a map: a page shows a few zones, and a hash map's code costs the bundle.
    static FORMATTERS: RefCell<Vec<(String, Option<Dtf>)>> = const { RefCell::new(Vec::new()) };
    /// Spans of time over which a zone's offset is known not to change:
    /// `(formatter index, from, to, offset)`, the last few found.
    static SPANS: RefCell<Vec<(usize, i64, i64, i32)>> = const { RefCell::new(Vec::new()) };
}

/// How far a span reaches: a zone's offset changes at most a few times a year, weeks apart,
/// so the same offset at both ends of two days means no change between them.
const SPAN_S: i64 = 2 * 86_400;

fn set(o: &js_sys::Object, k: &str, v: JsValue) {
    let _ = js_sys::Reflect::set(o, &JsValue::from_str(k), &v);
}

/// The offset of `tz` at `epoch` from the browser, or `None` if it does not know the zone.
///
/// Asking `Intl` costs a formatted date (a 48-hour strip asked 48 times, about 20 ms on a slow
/// phone), so each answer also asks two days on: when the two agree, every instant between is
/// answered from memory.
fn intl_offset(tz: &str, epoch: i64) -> Option<i32> {
    FORMATTERS.with(|f| {
        let mut f = f.borrow_mut();
        let i = match f.iter().position(|(z, _)| z == tz) {
            Some(i) => i,
            None => {
                let o = js_sys::Object::new();
                set(&o, "timeZone", tz.into());
                set(&o, "timeZoneName", "longOffset".into());
                f.push((
                    tz.to_owned(),
                    Dtf::new_dtf(&JsValue::from_str("en-US"), &o).ok(),
                ));
                f.len() - 1
            }
        };
        let dtf = f[i].1.as_ref()?;
        SPANS.with(|spans| {
            let mut spans = spans.borrow_mut();
            if let Some(&(_, _, _, offset)) = spans
                .iter()
                .find(|&&(z, from, to, _)| z == i && (from..=to).contains(&epoch))
            {
                return Some(offset);
            }
            let offset = ask(dtf, epoch)?;
            if ask(dtf, epoch + SPAN_S) == Some(offset) {
                if spans.len() == 8 {
                    spans.remove(0);
                }
                spans.push((i, epoch, epoch + SPAN_S, offset));
            }
            Some(offset)
        })
    })
}

/// The offset `dtf` (a `longOffset` formatter) gives at `epoch`.
fn ask(dtf: &Dtf, epoch: i64) -> Option<i32> {
    let date = js_sys::Date::new(&JsValue::from_f64(epoch as f64 * 1000.0));
    dtf.format_to_parts(&date).iter().find_map(|p| {
        let kind = js_sys::Reflect::get(&p, &"type".into()).ok()?.as_string()?;
        if kind != "timeZoneName" {
            return None;
        }
        let value = js_sys::Reflect::get(&p, &"value".into())
            .ok()?
            .as_string()?;
        clock::parse_gmt_offset(&value)
    })
}

/// A place's time zone: its IANA name, and the offset the API reported, used only when the
/// browser does not know the name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Zone {
    /// IANA name (`Asia/Kathmandu`).
    pub name: String,
    /// Offset at request time, from the API.
    pub fallback_offset: i32,
}

impl Zone {
    /// The zone of a forecast's location.
    pub fn of(location: &Location) -> Zone {
        Zone {
            name: location.timezone.clone(),
            fallback_offset: location.utc_offset_seconds,
        }
    }
}

impl Zone {
    /// Whether the browser knows the zone. When it does not, times use the API's offset, which
    /// is right now but not across a daylight-saving change: say so with [`Zone::fallback_label`].
    pub fn known(&self) -> bool {
        intl_offset(&self.name, 0).is_some()
    }

    /// `None` for a zone the browser knows; else the fixed offset the times use, labelled
    /// (` (UTC+05:45)`), to show beside them.
    pub fn fallback_label(&self) -> Option<String> {
        (!self.known()).then(|| format!(" ({})", clock::offset_label(self.fallback_offset)))
    }
}

impl ZoneOffsets for Zone {
    fn offset_at(&self, epoch: i64) -> i32 {
        intl_offset(&self.name, epoch).unwrap_or(self.fallback_offset)
    }
}

thread_local! {
    /// The viewer's locale's clock, once asked.
    static HOUR12: std::cell::Cell<Option<bool>> = const { std::cell::Cell::new(None) };
}

/// Whether the viewer's locale uses a 12-hour clock (`en-US` does, `en-GB` does not). Asked of
/// the browser once per page.
pub fn locale_uses_12_hours() -> bool {
    if let Some(known) = HOUR12.get() {
        return known;
    }
    let o = js_sys::Object::new();
    set(&o, "hour", "numeric".into());
    let hour12 = Dtf::new_dtf(&JsValue::UNDEFINED, &o)
        .ok()
        .and_then(|f| js_sys::Reflect::get(&f.resolved_options(), &"hourCycle".into()).ok())
        .and_then(|v| v.as_string())
        .is_some_and(|c| c == "h11" || c == "h12");
    HOUR12.set(Some(hour12));
    hour12
}
