//! The settings panel: one labelled `<select>` per setting of [`isobar_core::prefs::SETTINGS`].
//! A change applies to every card at once (see [`crate::state::settings::Settings::change`]).
//! Each control shows the value when the panel opens, and then the viewer's own choice.
//!
//! The controls are written as HTML text (as the card bodies are, see [`super::html`]) with one
//! `change` listener on the panel: a Leptos view of the selects and their options cost the
//! bundle build and rebuild code for each element and attribute.

use isobar_core::prefs;
use leptos::prelude::*;

use crate::state::settings::Settings;

/// The settings panel (shown while its header button is pressed).
#[component]
pub fn SettingsPanel() -> impl IntoView {
    let settings = Settings::get();
    let config = settings.config_untracked();
    let hour12 = if settings.hour12() { "1" } else { "0" };
    let mut html = String::new();
    for s in prefs::SETTINGS {
        // The time format follows the browser's locale until chosen.
        let current = prefs::value(&config, s.param).unwrap_or(hour12);
        let p = s.param;
        html.push_str(&format!(
            "<div class=\"setting\"><label for=\"isobar-setting-{p}\">{}</label><select id=\"isobar-setting-{p}\" data-param=\"{p}\">",
            s.label
        ));
        for (v, words) in s.options {
            let selected = if current == *v { " selected" } else { "" };
            html.push_str(&format!("<option value=\"{v}\"{selected}>{words}</option>"));
        }
        html.push_str("</select></div>");
    }
    // Every select says which setting it is.
    let change = move |e: leptos::ev::Event| {
        let param = event_target::<web_sys::Element>(&e).get_attribute("data-param");
        if let Some(param) = param {
            settings.change(&param, &event_target_value(&e));
        }
    };
    view! {
        <section class="panel settings" id="isobar-settings" aria-label="Settings" inner_html=html on:change=change></section>
    }
}
