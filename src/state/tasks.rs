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
