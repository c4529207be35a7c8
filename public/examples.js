// For the example pages only (not part of Isobar): options in the example page's own address,
// such as ?forecast_url=http://127.0.0.1:8081/v1/forecast&air_quality_url=..., are passed on
// to every <isobar-weather> and iframe on the page, so the examples run against the simulator
// (`cargo xtask run --offline` prints such links). Load it in the head, before the elements:
// each is given the options as the parser adds it, so an iframe never starts the dashboard
// (and its first calls) with the address the page was written with.
const PASS = ["forecast_url", "air_quality_url", "geocoding_url", "nws_url", "brightsky_url", "live"];
const page = new URLSearchParams(location.search);
const given = PASS.filter((k) => page.has(k));

function pass(el) {
  if (el.localName === "isobar-weather") {
    for (const k of given) if (!el.hasAttribute(k)) el.setAttribute(k, page.get(k));
  } else if (el.localName === "iframe" && el.hasAttribute("src")) {
    const url = new URL(el.getAttribute("src"), location.href);
    const missing = given.filter((k) => !url.searchParams.has(k));
    for (const k of missing) url.searchParams.set(k, page.get(k));
    if (missing.length) el.src = url.href;
  }
}

if (given.length) {
  document.querySelectorAll("isobar-weather, iframe[src]").forEach(pass);
  new MutationObserver((records) => {
    for (const r of records) {
      for (const n of r.addedNodes) {
        if (n.nodeType !== 1) continue;
        pass(n);
        n.querySelectorAll("isobar-weather, iframe[src]").forEach(pass);
      }
    }
  }).observe(document.documentElement, { childList: true, subtree: true });
}
