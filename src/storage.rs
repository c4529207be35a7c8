//! The browser's `localStorage`, for what a viewer keeps (settings, places). Storage that is
//! missing, refused (private modes, blocked cookies) or full is survived: a read gives nothing,
//! a write is dropped, and the page goes on with what it has in memory.

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// The text stored under `key`, if any can be read.
pub fn read(key: &str) -> Option<String> {
    storage()?.get_item(key).ok()?
}

/// Stores `value` under `key`, if storage takes it.
pub fn write(key: &str, value: &str) {
    if let Some(s) = storage() {
        let _ = s.set_item(key, value);
    }
}
