//! The frame every card shares: title, placeholder, error with Retry, and the
//! `data-card` / `data-state` contract.

use std::sync::Arc;

use leptos::prelude::*;

use crate::state::load::Load;
use crate::zone::Zone;

/// A card fed by one API call.
///
/// Its root element carries `data-card="<id>"` and `data-state="loading|ready|error"`, and
/// `aria-busy` while loading. While loading it shows a placeholder the size of the filled card;
/// on error, the message and a Retry button that calls `retry`.
#[component]
pub fn Card<T, F>(
    /// The card's id (`current`, `uv`, ...): the value of `data-card`.
    id: &'static str,
    /// The card's heading.
    title: &'static str,
    /// The state of the call that feeds the card.
    state: Signal<Load<T>>,
    /// Starts the call again.
    retry: Callback<()>,
    /// True while Retry must wait (the service asked to, with `Retry-After`).
    #[prop(optional, into)]
    blocked: Signal<bool>,
    /// When the data was last updated, Unix seconds: shown as its age.
    #[prop(optional, into)]
    updated: Signal<Option<i64>>,
    /// Whether live updates reach this card (it then highlights changes).
    #[prop(optional)]
    live: bool,
    /// Writes the card's body from the value, as HTML ([`super::html::body`]).
    body: F,
) -> AnyView
where
    T: Clone + Send + Sync + 'static,
    F: Fn(T) -> String + Send + Sync + 'static,
{
    // Only this closure depends on the data's type; the frame below is compiled once for
    // every card (each instance of it per type cost the bundle about a kilobyte).
    frame(
        Frame {
            id,
            title,
            state: Signal::derive(move || state.with(Load::name)),
            updated,
            live,
            retry,
            blocked,
        },
        Arc::new(move || match state.get() {
            Load::Loading => Content::Loading,
            Load::Ready(v) => Content::Html(body(v)),
            Load::Failed(msg) => Content::Failed(msg),
        }),
    )
}

/// What a card's body shows.
enum Content {
    Loading,
    /// The body, as HTML text.
    Html(String),
    /// The error's message.
    Failed(String),
}

/// Grey bars with a calm shimmer (still under `prefers-reduced-motion`), the size of a filled
/// card; the same markup as the static skeleton's in `index.html`.
const PLACEHOLDER: &str = "<div class=\"placeholder\" aria-hidden=\"true\"><span class=\"ph ph-big\"></span><span class=\"ph\"></span><span class=\"ph ph-short\"></span></div><span class=\"visually-hidden\">Loading…</span>";

/// Everything about a card but its body.
struct Frame {
    id: &'static str,
    title: &'static str,
    /// The call's state by name: `loading`, `ready` or `error`.
    state: Signal<&'static str>,
    updated: Signal<Option<i64>>,
    live: bool,
    retry: Callback<()>,
    blocked: Signal<bool>,
}

/// The card's age, kept current: from an hour on it names the time the data was fetched, in
/// the place's zone once the forecast has given it. Not generic, so compiled once.
fn age_label(updated: Signal<Option<i64>>) -> impl Fn() -> Option<String> + Send + Sync {
    // A card outside a dashboard (a component test) tells the age without the place's zone.
    let h = crate::state::Handles::find();
    move || {
        let t = updated.get()?;
        let Some(h) = h else {
            let now = crate::state::now::unix_now();
            return Some(isobar_core::format::age(now, t, None::<&Zone>, false));
        };
        let zone = h
            .feeds
            .forecast
            .state
            .with(|f| f.ready().map(|f| Zone::of(&f.location)));
        Some(isobar_core::format::age(
            h.now.seconds(),
            t,
            zone.as_ref(),
            h.settings.hour12(),
        ))
    }
}

fn frame(f: Frame, content: Arc<dyn Fn() -> Content + Send + Sync>) -> AnyView {
    let Frame {
        id,
        title,
        state,
        updated,
        live,
        retry,
        blocked,
    } = f;
    let title_id = format!("card-{id}-title");
    let age = age_label(updated);
    // A brief highlight when live data changes (not on the first fill).
    let flashing = RwSignal::new(false);
    if live {
        Effect::new(move |previous: Option<Option<i64>>| {
            let current = updated.get();
            if matches!(previous, Some(Some(p)) if current != Some(p)) {
                flashing.set(true);
                crate::state::tasks::after(std::time::Duration::from_millis(1500), move || {
                    flashing.set(false)
                });
            }
            current
        });
    }
    // The body as HTML text: the placeholder, the body, or the message with Retry (disabled
    // while the service asks to wait). Set as the body's `innerHTML` by the renderer (at once,
    // like any reactive attribute), its `data-style` declarations applied right after.
    let body = NodeRef::<leptos::html::Div>::new();
    let html = move || {
        crate::state::tasks::microtask(move || {
            if let Some(el) = body.get_untracked() {
                super::html::apply_styles(&el);
            }
        });
        match content() {
            Content::Loading => PLACEHOLDER.to_owned(),
            Content::Html(html) => html,
            Content::Failed(msg) => format!(
                "<div class=\"card-error\" role=\"alert\"><p>{}</p><button type=\"button\" class=\"retry\" part=\"retry\"{}>Retry</button></div>",
                super::html::text(&msg),
                if blocked.get() { " disabled" } else { "" }
            ),
        }
    };
    let click = move |e: leptos::ev::MouseEvent| {
        if super::html::target(&e, ".retry").is_some() {
            retry.run(());
        }
    };
    let labelled_by = title_id.clone();
    view! {
        <article
            class=format!("card card-{id}")
            part=format!("card card-{id}")
            class:flash=move || flashing.get()
            data-updated=move || updated.get().map(|t| t.to_string())
            data-card=id
            data-state=move || state.get()
            aria-busy=move || (state.get() == "loading").to_string()
            aria-labelledby=labelled_by
        >
            <div class="card-head">
                <h2 class="card-title" part="card-title" id=title_id>{title}</h2>
                <span class="card-age">{age}</span>
            </div>
            <div class="card-body" part="card-body" node_ref=body inner_html=html on:click=click></div>
        </article>
    }
    .into_any()
}
