//! Card bodies written as HTML text. A body is a pure function of the data it shows, with no
//! event handler and no reactive part inside; written as text and set as the body element's
//! `innerHTML`, it costs the WebAssembly a few string pushes instead of a view type per
//! element and attribute (each of which Leptos compiles into its own build and rebuild code).
//!
//! Every piece of text that does not come from the code itself goes through [`text`], which
//! escapes it. No `style` attribute is written (a strict Content-Security-Policy would block
//! it): see [`body`].

use isobar_core::wmo::{self, Icon};

/// A card body written as HTML: `html` inside an element that takes no room of its own
/// (`display: contents`), so the body lays out as if its elements were the card's. Styles are
/// written as `data-style="left: 10%; width: 40%"` and applied by [`apply_styles`] once the
/// card frame has set the body.
pub fn body(html: String) -> String {
    format!("<div class=\"html-body\">{html}</div>")
}

/// Applies each `data-style` declaration list below `root` through the CSSOM
/// (`style.setProperty`): a strict Content-Security-Policy (`style-src 'self'`, as host pages
/// of the widget may have) blocks `style` attributes written in HTML text, but not this.
pub fn apply_styles(root: &web_sys::Element) {
    use wasm_bindgen::JsCast;
    let Ok(list) = root.query_selector_all("[data-style]") else {
        return;
    };
    for i in 0..list.length() {
        let Some(el) = list
            .item(i)
            .and_then(|n| n.dyn_into::<web_sys::HtmlElement>().ok())
        else {
            continue;
        };
        let declarations = el.get_attribute("data-style").unwrap_or_default();
        let style = el.style();
        for d in declarations.split(';') {
            if let Some((property, value)) = d.split_once(':') {
                let _ = style.set_property(property.trim(), value.trim());
            }
        }
    }
}

/// The element matching `selector` that the event `e` happened in (its target or an ancestor):
/// how one listener on a container of HTML text tells its rows and buttons apart.
pub fn target(e: &web_sys::Event, selector: &str) -> Option<web_sys::Element> {
    use wasm_bindgen::JsCast;
    // A click's target is an element (one on text targets the text's parent).
    let el: web_sys::Element = e.target()?.unchecked_into();
    el.closest(selector).ok().flatten()
}

/// The row number a list written here gives an element (its `data-i`).
pub fn row(el: &web_sys::Element) -> Option<usize> {
    el.get_attribute("data-i")?.parse().ok()
}

/// A labelled value in a card's detail list: `<dt>label</dt><dd>value</dd>` in a `div.detail`.
pub fn detail(label: &str, value: &str) -> String {
    format!(
        "<div class=\"detail\"><dt>{label}</dt><dd>{}</dd></div>",
        text(value)
    )
}

pub use isobar_core::format::escape_html as text;

/// The weather icon for a WMO `code` as an inline SVG, by day or night, `size` pixels square,
/// labelled with the condition in words (the paths are [`super::icon`]'s data).
pub fn icon(code: Option<u8>, is_day: bool, size: u32) -> String {
    let kind = code.map_or(Icon::Unknown, wmo::icon);
    let label = code.map_or("Unknown conditions", wmo::describe);
    let night = !is_day && kind.has_day_night();
    let mut s = format!(
        "<svg class=\"wx-icon\" data-icon=\"{}\"{} viewBox=\"0 0 24 24\" width=\"{size}\" height=\"{size}\" role=\"img\" aria-label=\"{label}\">",
        super::icon::name(kind),
        if night { " data-night=\"\"" } else { "" },
    );
    for (class, d) in super::icon::paths(kind, night) {
        s.push_str(&format!("<path class=\"{class}\" d=\"{d}\"></path>"));
    }
    s.push_str("</svg>");
    s
}
