//! The settings panel: one labelled `<select>` per setting of [`isobar_core::prefs::SETTINGS`].
//! A change applies to every card at once (see [`crate::state::settings::Settings::change`]).
//! Each control shows the value when the panel opens, and then the viewer's own choice.

use isobar_core::prefs::{self, Setting};
use leptos::prelude::*;

use crate::state::settings::Settings;

/// The settings panel (shown while its header button is pressed).
#[component]
pub fn SettingsPanel() -> impl IntoView {
    let settings = Settings::get();
    let config = settings.config_untracked();
    let hour12 = if settings.hour12() { "1" } else { "0" };
    let control = move |s: &'static Setting| {
        let id = format!("isobar-setting-{}", s.param);
        // The time format follows the browser's locale until chosen.
        let current = prefs::value(&config, s.param).unwrap_or(hour12);
        view! {
            <div class="setting">
                <label for=id.clone()>{s.label}</label>
                <select id=id on:change=move |e| settings.change(s.param, &event_target_value(&e))>
                    {s.options.iter().map(|(v, words)| view! {
                        <option value=*v selected=current == *v>{*words}</option>
                    }).collect_view()}
                </select>
            </div>
        }
    };
    view! {
        <section class="panel settings" id="isobar-settings" aria-label="Settings">
            {prefs::SETTINGS.iter().map(control).collect_view()}
        </section>
    }
}
