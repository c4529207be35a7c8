//! The state of one API call as the cards see it.

/// Loading, ready with a value, or failed with a message in plain words.
#[derive(Debug, Clone, PartialEq)]
pub enum Load<T> {
    /// The request is in flight (or has not started).
    Loading,
    /// The value arrived.
    Ready(T),
    /// The request failed; the message says why, in plain words.
    Failed(String),
}

impl<T> Load<T> {
    /// The value of the card's `data-state` attribute: `loading`, `ready` or `error`.
    pub fn name(&self) -> &'static str {
        match self {
            Load::Loading => "loading",
            Load::Ready(_) => "ready",
            Load::Failed(_) => "error",
        }
    }

    /// Whether the request is in flight.
    pub fn is_loading(&self) -> bool {
        matches!(self, Load::Loading)
    }

    /// The value, when ready.
    pub fn ready(&self) -> Option<&T> {
        match self {
            Load::Ready(v) => Some(v),
            _ => None,
        }
    }
}
