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
// - A new build waits until the page says so (its "Updated: reload" button posts "activate"):
//   it never takes over a page that runs the old build's files.

const BUILD = "__ISOBAR_BUILD__";
const FILES = __ISOBAR_FILES__;
const CACHE = `isobar-shell-${BUILD}`;
const PAGE_TIMEOUT_MS = 3000;
const scope = new URL(self.registration.scope);
const PAGE = new URL("./", scope).href;
const CACHED = new Set(FILES.map((f) => new URL(f, scope).href));

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((c) => c.addAll([...CACHED])));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) =>
        Promise.all(keys.filter((k) => k.startsWith("isobar-shell-") && k !== CACHE).map((k) => caches.delete(k))),
      )
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("message", (event) => {
  if (event.data === "activate") self.skipWaiting();
});

async function page(request) {
  const cache = await caches.open(CACHE);
  try {
    const answer = await Promise.race([
      fetch(request),
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
    event.respondWith(page(request));
  } else if (CACHED.has(url.origin + url.pathname)) {
    event.respondWith(file(request));
  }
});
