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
pub fn Card<T, F, V>(
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
    /// Draws the card's body from the value.
    body: F,
) -> impl IntoView
where
    T: Clone + Send + Sync + 'static,
    F: Fn(T) -> V + Send + Sync + 'static,
    V: IntoView + 'static,
{
    // Only these closures depend on the data's type; the frame below is compiled once for
    // every card (each instance of it per type cost the bundle about a kilobyte).
    let error = Error { retry, blocked };
    frame(
        Frame {
            id,
            title,
            state: Signal::derive(move || state.with(Load::name)),
            updated,
            live,
        },
        Arc::new(move || match state.get() {
            Load::Loading => view! { <Placeholder/> }.into_any(),
            Load::Ready(v) => body(v).into_any(),
            Load::Failed(msg) => error.view(msg),
        }),
    )
}

/// The error view's handles.
#[derive(Clone, Copy)]
struct Error {
    retry: Callback<()>,
    blocked: Signal<bool>,
}

impl Error {
    /// The message and a Retry button (disabled while the service asks to wait).
    fn view(self, msg: String) -> AnyView {
        let Error { retry, blocked } = self;
        view! {
            <div class="card-error" role="alert">
                <p>{msg}</p>
                <button
                    type="button"
                    class="retry"
                    part="retry"
                    disabled=move || blocked.get()
                    on:click=move |_| retry.run(())
                >
                    "Retry"
                </button>
            </div>
        }
        .into_any()
    }
}

/// Everything about a card but its body.
struct Frame {
    id: &'static str,
    title: &'static str,
    /// The call's state by name: `loading`, `ready` or `error`.
    state: Signal<&'static str>,
    updated: Signal<Option<i64>>,
    live: bool,
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

fn frame(f: Frame, content: Arc<dyn Fn() -> AnyView + Send + Sync>) -> AnyView {
    let Frame {
        id,
        title,
        state,
        updated,
        live,
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
            <div class="card-body" part="card-body">
                {move || content()}
            </div>
        </article>
    }
    .into_any()
}

/// Grey bars with a calm shimmer (still under `prefers-reduced-motion`).
#[component]
pub fn Placeholder() -> impl IntoView {
    view! {
        <div class="placeholder" aria-hidden="true">
            <span class="ph ph-big"></span>
            <span class="ph"></span>
            <span class="ph ph-short"></span>
        </div>
        <span class="visually-hidden">"Loading…"</span>
    }
}
