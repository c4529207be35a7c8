// Isobar's service worker: the app shell offline, and no mix of two builds after a redeploy.
// `cargo xtask build` writes dist/sw.js from this file with the build's id and its list of
// files (the hashed names Trunk produced).
//
// - The files of this build are cached on install in `isobar-shell-<build>`, beside the caches
//   of older builds; on activate every other `isobar-shell-*` cache is deleted.
// - Hashed files (and the icons and manifest): cache first.
// - Pages: network first, with a short timeout, then the cached page; so a redeploy shows at the
//   next load, and with no network the page still opens.
// - Everything else (the weather APIs, other origins) is left to the network: the app keeps its
//   own copy of the last good answers, with their age.
// - Calls at navigation: the page tells the worker the calls each address made last time (its
//   note `isobar:v1:early`, see src/early.rs and isobar_core::early), which the worker keeps in
//   the cache `isobar-early`. A navigation to a noted address starts them at once, before the
//   page's own HTML has arrived, and the page's request for the same URL, within 10 s, gets that
//   call's answer: each call is still made once, about 40 ms sooner than the page's first
//   script could make it. A call the page does not ask for is a wasted request, never a wrong
//   answer: only the exact URL is matched.
// - Navigation preload: the page's request starts while the worker itself starts up.
// - A new build waits until the page says so (its "Updated: reload" button posts "activate"):
//   it never takes over a page that runs the old build's files.

const BUILD = "__ISOBAR_BUILD__";
const FILES = __ISOBAR_FILES__;
const CACHE = `isobar-shell-${BUILD}`;
const PAGE_TIMEOUT_MS = 3000;
const scope = new URL(self.registration.scope);
const PAGE = new URL("./", scope).href;
const CACHED = new Set(FILES.map((f) => new URL(f, scope).href));
const NOTE_CACHE = "isobar-early";
const NOTE_KEY = new URL("isobar-early-note", scope).href;
const EARLY_FOR_MS = 10000;

// The page's note (`@search … url …`), once read from the cache or told by the page.
let note = null;
const noteRead = caches
  .open(NOTE_CACHE)
  .then((c) => c.match(NOTE_KEY))
  .then((r) => (r ? r.text() : ""))
  .catch(() => "")
  .then((t) => {
    if (note === null) note = t;
  });
// Calls started at navigation: URL → [the answer's promise, when it started].
const early = new Map();

/** Starts the calls noted for the address `search` (a `location.search`). */
function startEarly(search) {
  const now = Date.now();
  for (const [url, [, at]] of early) if (now - at > EARLY_FOR_MS) early.delete(url);
  const words = note.split(" ");
  if (!words.includes(`@${search}`)) return;
  for (const word of words) {
    if (!word || word[0] === "@") continue;
    let url;
    try {
      url = new URL(word).href;
    } catch (e) {
      continue;
    }
    const answer = fetch(url);
    answer.catch(() => {});
    early.set(url, [answer, now]);
  }
}

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((c) => c.addAll([...CACHED])));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    Promise.resolve(self.registration.navigationPreload && self.registration.navigationPreload.enable())
      .catch(() => {})
      .then(() => caches.keys())
      .then((keys) =>
        Promise.all(keys.filter((k) => k.startsWith("isobar-shell-") && k !== CACHE).map((k) => caches.delete(k))),
      )
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("message", (event) => {
  const data = event.data;
  if (data === "activate") self.skipWaiting();
  else if (Array.isArray(data) && data[0] === "early" && typeof data[1] === "string" && data[1] !== note) {
    note = data[1];
    event.waitUntil(
      caches
        .open(NOTE_CACHE)
        .then((c) => c.put(NOTE_KEY, new Response(note)))
        .catch(() => {}),
    );
  }
});

async function page(event) {
  const cache = await caches.open(CACHE);
  try {
    const answer = await Promise.race([
      Promise.resolve(event.preloadResponse)
        .catch(() => undefined)
        .then((r) => r || fetch(event.request)),
      new Promise((_, fail) => setTimeout(() => fail(new Error("timeout")), PAGE_TIMEOUT_MS)),
    ]);
    return answer;
  } catch (e) {
    return (await cache.match(PAGE)) || Response.error();
  }
}

async function file(request) {
  const cache = await caches.open(CACHE);
  return (await cache.match(request, { ignoreSearch: true })) || fetch(request);
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (request.mode === "navigate" && url.origin === scope.origin && url.pathname === scope.pathname) {
    if (note !== null) startEarly(url.search);
    else event.waitUntil(noteRead.then(() => startEarly(url.search)));
    event.respondWith(page(event));
  } else if (early.has(request.url)) {
    const [answer, at] = early.get(request.url);
    early.delete(request.url);
    // A call that failed (the network away a moment) is made again for the page's request.
    if (Date.now() - at <= EARLY_FOR_MS) event.respondWith(answer.catch(() => fetch(request)));
  } else if (CACHED.has(url.origin + url.pathname)) {
    event.respondWith(file(request));
  }
});
