//! The browser's `localStorage`, for what a viewer keeps (settings, places) and for the last good
//! answers, shown at once on the next visit and with no network ([`kept`], [`keep`]). Storage
//! that is missing, refused (private modes, blocked cookies) or full is survived: a read gives
//! nothing, a write is dropped, and the page goes on with what it has in memory.

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// The text stored under `key`, if any can be read.
pub fn read(key: &str) -> Option<String> {
    storage()?.get_item(key).ok()?
}

/// Stores `value` under `key`, if storage takes it. What a viewer keeps comes before the kept
/// answers: when storage is full, those are dropped to make room.
pub fn write(key: &str, value: &str) {
    let Some(s) = storage() else { return };
    if s.set_item(key, value).is_err() {
        let index = s.get_item(KEPT_INDEX).ok().flatten().unwrap_or_default();
        for url in index.lines() {
            let _ = s.remove_item(&format!("{KEPT_PREFIX}{url}"));
        }
        let _ = s.remove_item(KEPT_INDEX);
        let _ = s.set_item(key, value);
    }
}

/// The index of kept answers: their URLs, newest first, one per line.
const KEPT_INDEX: &str = "isobar:v1:answers";
/// The prefix of a kept answer's key (followed by its URL).
const KEPT_PREFIX: &str = "isobar:v1:answer:";
/// How many answers are kept (the oldest goes first): 20 places' forecast and air quality.
pub const KEPT_MAX: usize = 40;

/// The last good answer kept for `url`, and when it was fetched (Unix seconds).
pub fn kept(url: &str) -> Option<(String, i64)> {
    let stored = read(&format!("{KEPT_PREFIX}{url}"))?;
    let (at, body) = stored.split_once('\n')?;
    Some((body.to_owned(), at.parse().ok()?))
}

/// When the answer kept for `url` was fetched (Unix seconds), if one is.
pub fn kept_at(url: &str) -> Option<i64> {
    kept(url).map(|(_, at)| at)
}

/// Keeps `body`, a good answer for `url` fetched at `at` (Unix seconds), dropping the oldest
/// beyond [`KEPT_MAX`]. Call it only for an answer that parsed: a broken one never replaces a
/// good one.
pub fn keep(url: &str, body: &str, at: i64) {
    let Some(s) = storage() else { return };
    let index = s.get_item(KEPT_INDEX).ok().flatten().unwrap_or_default();
    let mut urls: Vec<&str> = index
        .lines()
        .filter(|u| *u != url && !u.is_empty())
        .collect();
    urls.insert(0, url);
    for old in urls.drain(KEPT_MAX.min(urls.len())..) {
        let _ = s.remove_item(&format!("{KEPT_PREFIX}{old}"));
    }
    let _ = s.set_item(KEPT_INDEX, &urls.join("\n"));
    let _ = s.set_item(&format!("{KEPT_PREFIX}{url}"), &format!("{at}\n{body}"));
}
