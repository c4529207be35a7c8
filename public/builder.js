// The widget builder (public/builder.html): a site owner picks a place, cards, units and look,
// sees the real widget, and copies a snippet. No WebAssembly of its own: the preview is an
// <isobar-weather> element, and the snippets are built from the same options.
//
// CARDS and SETTINGS mirror isobar-core's cards::CARDS and prefs::SETTINGS (a core test checks
// that they agree). Endpoint options in the builder's own address (forecast_url,
// air_quality_url, geocoding_url, live) are used by its search and preview and go into the
// snippets, so the builder also runs against the simulator.

// [id, title, shown by default]
const CARDS = [
  ["current", "Now", true],
  ["uv", "UV index", true],
  ["sun", "Sun", true],
  ["wind", "Wind", true],
  ["hourly", "Next 24 hours", true],
  ["daily", "Next days", true],
  ["air", "Air quality", true],
  ["nowcast", "Rain, next 2 hours", false],
  ["moon", "Moon", false],
  ["alerts", "Alerts", false],
];
const DEFAULT_CARDS = CARDS.filter((c) => c[2]).map((c) => c[0]).join(",");

// [param, label, [[value, words], ...]]; the first value is the default.
const SETTINGS = [
  ["temp", "Temperature", [["c", "°C"], ["f", "°F"]]],
  ["wind", "Wind", [["kmh", "km/h"], ["ms", "m/s"], ["mph", "mph"], ["kn", "knots"], ["bft", "Beaufort"]]],
  ["precip", "Precipitation", [["mm", "mm"], ["in", "inches"]]],
  ["pressure", "Pressure", [["hpa", "hPa"], ["inhg", "inHg"], ["mmhg", "mmHg"]]],
  ["hour12", "Time format", [["", "The viewer's"], ["0", "24-hour"], ["1", "12-hour"]]],
  ["theme", "Theme", [["auto", "Automatic"], ["light", "Light"], ["dark", "Dark"]]],
  ["aqi", "Air quality scale", [["eu", "European"], ["us", "US"]]],
];

const SWITCHES = ["compact", "transparent", "search", "settings"];
const PASS = ["forecast_url", "air_quality_url", "geocoding_url", "nws_url", "brightsky_url", "live"];
const GEOCODING = "https://geocoding-api.open-meteo.com/v1/search";

const page = new URLSearchParams(location.search);
const passed = PASS.filter((k) => page.get(k)).map((k) => [k, page.get(k)]);
// Where Isobar is served: the folder above this page's.
const base = new URL("..", location.href).href.replace(/\/$/, "");
const form = document.getElementById("options");
const $ = (id) => document.getElementById(id);
let places = [{ name: "Berlin", latitude: 52.52, longitude: 13.41 }];

function build() {
  const cards = form.querySelector("#cards");
  for (const [id, title, shown] of CARDS) {
    const label = document.createElement("label");
    label.innerHTML = `<input type="checkbox" name="card" value="${id}"${shown ? " checked" : ""}> `;
    label.append(title);
    cards.append(label);
  }
  const units = form.querySelector("#units");
  for (const [param, title, options] of SETTINGS) {
    const label = document.createElement("label");
    label.htmlFor = `setting-${param}`;
    label.textContent = title;
    const select = document.createElement("select");
    select.id = `setting-${param}`;
    select.name = param;
    for (const [value, words] of options) select.add(new Option(words, value));
    units.append(label, select);
  }
  showPlaces();
}

function showPlaces() {
  const select = $("place");
  select.replaceChildren(
    ...places.map((p, i) => {
      const where = [p.admin1, p.country].filter(Boolean).join(", ");
      return new Option(where ? `${p.name}, ${where}` : p.name, String(i));
    }),
  );
}

/// The options as [name, value] pairs, in the order of the dashboard's parameters; only what
/// differs from the defaults, and a switch as a bare name (value null).
function options() {
  const data = new FormData(form);
  const place = places[Number(data.get("place") || 0)];
  const out = [
    ["lat", String(Math.round(place.latitude * 1e4) / 1e4)],
    ["lon", String(Math.round(place.longitude * 1e4) / 1e4)],
    ["name", place.name],
  ];
  const cards = data.getAll("card");
  if (cards.length && cards.join(",") !== DEFAULT_CARDS) out.push(["cards", cards.join(",")]);
  for (const [param, , choices] of SETTINGS) {
    const v = data.get(param);
    if (v && v !== choices[0][0]) out.push([param, v]);
  }
  for (const s of SWITCHES) if (data.get(s)) out.push([s, null]);
  return out.concat(passed);
}

const escape = (s) => s.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");

function elementSnippet(opts) {
  const attrs = opts.map(([k, v]) => (v === null ? ` ${k}` : ` ${k}="${escape(v)}"`)).join("");
  return `<script type="module" src="${base}/isobar-widget.js"></script>\n<isobar-weather${attrs}></isobar-weather>`;
}

function iframeSnippet(opts, name) {
  const query = opts
    .map(([k, v]) => (v === null ? k : `${k}=${encodeURIComponent(v)}`))
    .join("&");
  return (
    `<iframe title="Weather in ${escape(name)}" style="width:100%;border:0" src="${escape(`${base}/?${query}`)}"></iframe>\n` +
    `<script>addEventListener("message",e=>{if(e.data&&e.data.type==="isobar:height")for(const f of document.getElementsByTagName("iframe"))if(f.contentWindow===e.source)f.style.height=e.data.height+"px"})</script>`
  );
}

function update() {
  const opts = options();
  const el = document.createElement("isobar-weather");
  for (const [k, v] of opts) el.setAttribute(k, v ?? "");
  $("preview").replaceChildren(el);
  $("element-snippet").value = elementSnippet(opts);
  $("iframe-snippet").value = iframeSnippet(opts, opts[2][1]);
}

async function find(event) {
  event.preventDefault();
  const query = $("place-query").value.trim();
  if (query.length < 2) return;
  const url = new URL(page.get("geocoding_url") || GEOCODING);
  url.searchParams.set("name", query);
  url.searchParams.set("count", "10");
  url.searchParams.set("language", "en");
  url.searchParams.set("format", "json");
  $("place-status").textContent = "Searching…";
  try {
    const answer = await fetch(url);
    if (!answer.ok) throw new Error(`the service answered ${answer.status}`);
    const found = (await answer.json()).results || [];
    if (!found.length) {
      $("place-status").textContent = `No places match “${query}”.`;
      return;
    }
    places = found;
    showPlaces();
    $("place-status").textContent = `${found.length} ${found.length === 1 ? "place" : "places"} found.`;
    update();
  } catch (e) {
    $("place-status").textContent = `The search failed (${e.message}). The place shown is unchanged.`;
  }
}

async function copy(event) {
  const id = event.target.dataset.copy;
  if (!id) return;
  const text = $(id).value;
  try {
    await navigator.clipboard.writeText(text);
    $("copy-status").textContent = "Copied.";
  } catch {
    $(id).select();
    $("copy-status").textContent = "Selected: press Ctrl+C (⌘C) to copy.";
  }
}

build();
form.addEventListener("submit", find);
form.addEventListener("change", update);
document.querySelector(".preview").addEventListener("click", copy);
update();
