//! The dashboard's calls in flight: each runs until it ends or the dashboard is removed,
//! whichever comes first; a request it was waiting for is then aborted (see [`crate::api`]).

use std::future::Future;
use std::pin::Pin;

use futures_util::future::{abortable, AbortHandle};
use leptos::prelude::*;
use leptos::task::spawn_local;

/// Calls `f` after `delay`, in a task of its own (`setTimeout`). Leptos's `set_timeout` is
/// generic over the callback, and each closure type given to it costs the bundle its own
/// copy of the glue; boxed here, every caller shares one.
pub fn after(delay: std::time::Duration, f: impl FnOnce() + 'static) {
    let f: Box<dyn FnOnce()> = Box::new(f);
    set_timeout(f, delay);
}

/// Calls `f` in a microtask: after the current task's own work and the effects it woke, before
/// the browser draws. Boxed, like [`after`], so every caller shares one copy of the glue.
pub fn microtask(f: impl FnOnce() + 'static) {
    let f: Box<dyn FnOnce()> = Box::new(f);
    queue_microtask(f);
}

/// How long one task may draw cards before it lets the browser in. Lighthouse counts a task
/// of more than 50 ms as blocking, and estimates a slow phone as four times slower than the
/// machine it runs on (so the cards drawn in the answer's own task, after the 5 to 13 ms the
/// forecast takes to read on a desktop, made its mobile score fall from 98 to 94).
const DRAW_SLICE_MS: f64 = 8.0;

thread_local! {
    /// Card draws waiting for their task ([`draw`]), in order.
    static DRAWS: std::cell::RefCell<Vec<Box<dyn FnOnce()>>> = std::cell::RefCell::default();
}

/// Draws `f` (a card taking a new answer) in a task after the one that read the answer, with
/// the other cards' draws: as many in each task as [`DRAW_SLICE_MS`] allows. Drawn in the
/// answer's own task, the six cards one answer fills would make it a long one on a slow phone;
/// each in a task of its own, they waited for the browser between each.
pub fn draw(f: impl FnOnce() + 'static) {
    queue(Box::new(f));
}

/// Queues `f` behind the draws waiting, in a task after this one if none were.
fn queue(f: Box<dyn FnOnce()>) {
    let first = DRAWS.with_borrow_mut(|d| {
        d.push(f);
        d.len() == 1
    });
    if first {
        after(std::time::Duration::ZERO, draw_some);
    }
}

fn draw_some() {
    let start = js_sys::Date::now();
    while let Some(f) = DRAWS.with_borrow_mut(|d| (!d.is_empty()).then(|| d.remove(0))) {
        f();
        if js_sys::Date::now() - start >= DRAW_SLICE_MS && DRAWS.with_borrow(|d| !d.is_empty()) {
            after(std::time::Duration::ZERO, draw_some);
            return;
        }
    }
}

/// Calls `f` once every card draw waiting now, and any that the same change asks for, is done:
/// after the draws the current change queued, in the same task as the last of them.
pub fn when_drawn(f: impl FnOnce() + 'static) {
    // In a microtask, after the effects of the same change (the cards' own, which ask for their
    // draws); then behind the draws queued, and behind any queued after it, again.
    fn wait(f: Box<dyn FnOnce()>) {
        microtask(move || {
            if DRAWS.with_borrow(|d| d.is_empty()) {
                f();
            } else {
                queue(Box::new(move || wait(f)));
            }
        });
    }
    wait(Box::new(f));
}

/// The tasks of one dashboard.
#[derive(Clone, Copy)]
pub struct Tasks {
    running: StoredValue<Vec<(u64, AbortHandle)>>,
    next: StoredValue<u64>,
}

impl Tasks {
    /// An empty set, whose tasks are aborted when the current reactive owner (the dashboard)
    /// is cleaned up.
    pub fn of_owner() -> Tasks {
        let tasks = Tasks {
            running: StoredValue::new(Vec::new()),
            next: StoredValue::new(0),
        };
        on_cleanup(move || tasks.abort_all());
        tasks
    }

    /// Runs `task` until it ends or the dashboard is removed.
    pub fn spawn(self, task: impl Future<Output = ()> + 'static) {
        let _ = self.spawn_boxed(Box::pin(task));
    }

    /// [`Tasks::spawn`], with a handle that aborts the task (a search that newer text replaces).
    pub fn spawn_abortable(self, task: impl Future<Output = ()> + 'static) -> Option<AbortHandle> {
        self.spawn_boxed(Box::pin(task))
    }

    /// [`Tasks::spawn`] for a boxed task: one copy of this code whatever the task.
    fn spawn_boxed(self, task: Pin<Box<dyn Future<Output = ()>>>) -> Option<AbortHandle> {
        // None: the dashboard is gone.
        let id = self.next.try_get_value()?;
        let (task, handle) = abortable(task);
        self.next.set_value(id + 1);
        self.running.update_value(|t| t.push((id, handle.clone())));
        spawn_local(async move {
            let _ = task.await;
            self.running
                .try_update_value(|t| t.retain(|(i, _)| *i != id));
        });
        Some(handle)
    }

    fn abort_all(self) {
        for (_, task) in self
            .running
            .try_update_value(std::mem::take)
            .unwrap_or_default()
        {
            task.abort();
        }
    }
}
