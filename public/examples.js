// For the example pages only (not part of Isobar): options in the example page's own address,
// such as ?forecast_url=http://127.0.0.1:8081/v1/forecast&air_quality_url=..., are passed on
// to every <isobar-weather> and iframe on the page, so the examples run against the simulator
// (`cargo xtask run --offline` prints such links). Load it before the widget script.
const PASS = ["forecast_url", "air_quality_url", "geocoding_url", "nws_url", "brightsky_url", "live"];
const page = new URLSearchParams(location.search);
const given = PASS.filter((k) => page.has(k));
if (given.length) {
  for (const el of document.querySelectorAll("isobar-weather")) {
    for (const k of given) if (!el.hasAttribute(k)) el.setAttribute(k, page.get(k));
  }
  for (const frame of document.querySelectorAll("iframe[src]")) {
    const url = new URL(frame.getAttribute("src"), location.href);
    for (const k of given) if (!url.searchParams.has(k)) url.searchParams.set(k, page.get(k));
    frame.src = url.href;
  }
}
