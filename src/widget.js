// <isobar-weather>: Isobar as a custom element. A host page needs one script tag,
//   <script type="module" src="https://YOUR-HOST/isobar-widget.js"></script>
// then <isobar-weather lat="52.52" lon="13.41" cards="current,hourly"></isobar-weather> anywhere.
// Every query parameter of the dashboard is an attribute (`forecast_url` may also be written
// `forecast-url`). Each element renders into its own shadow root with the stylesheet inside;
// the WebAssembly and the stylesheet load once for the whole page, and requests for the same
// data are shared between elements (see src/api.rs). Changing an attribute re-renders the
// element; removing it stops its requests and closes its live connection.
//
// This is the template: `cargo xtask build` writes dist/isobar-widget.js with the hashed file
// names of the build filled in. No inline script, no eval: it works under a strict
// Content-Security-Policy (README, "Embedding").
import init, { mount } from "./__ISOBAR_JS__";

// Every query parameter of the dashboard (checked against isobar_core::params::PARAMS).
const OPTIONS = [
  "q", "lat", "lon", "name", "units", "temp", "wind", "precip", "pressure", "hour12", "theme", "aqi",
  "cards", "live", "station", "compact", "transparent", "layout", "background",
  "forecast_url", "air_quality_url", "geocoding_url", "nws_url", "brightsky_url", "fetch", "search",
  "settings",
];
const dashed = (o) => o.replaceAll("_", "-");
/** An option's attribute on `el`, as `forecast_url` or `forecast-url`; `null` when absent. */
const option = (el, o) => el.getAttribute(o) ?? el.getAttribute(dashed(o));
const FATAL = "Isobar stopped because of an internal error. Reload the page to try again.";

// The dashboard's static layout with placeholder cards (from index.html, filled in by the
// build): shown as soon as the stylesheet is in, while the WebAssembly loads, at the sizes the
// live cards will have, so the host page does not move when they replace it.
const SKELETON = __ISOBAR_SKELETON__;

let sheet = null;
let wasm = null;
/** The stylesheet (fetched once) and the WebAssembly (started once), shared by every element. */
function loadSheet() {
  sheet ??= fetch(new URL("./__ISOBAR_CSS__", import.meta.url))
    .then((r) => (r.ok ? r.text() : Promise.reject(new Error(`stylesheet: HTTP ${r.status}`))))
    .then((css) => {
      const s = new CSSStyleSheet();
      s.replaceSync(css);
      return s;
    })
    .catch((e) => {
      sheet = null; // the next element (or attribute change) tries again
      throw e;
    });
  return sheet;
}
function loadWasm() {
  wasm ??= init({ module_or_path: new URL("./__ISOBAR_WASM__", import.meta.url) }).catch((e) => {
    wasm = null;
    throw e;
  });
  return wasm;
}

/** The skeleton for an element's options: its cards, in its order, and its layout. */
function skeleton(el) {
  const t = document.createElement("template");
  t.innerHTML = SKELETON;
  const root = t.content.firstElementChild;
  const attr = (o) => option(el, o);
  const flag = (o) => attr(o) !== null && !/^(0|false|no|off)$/i.test(attr(o));
  const cards = (attr("cards") ?? "").split(",").map((c) => c.trim()).filter(Boolean);
  const list = root.querySelector(".cards");
  if (cards.length && list) {
    const byId = Object.fromEntries([...list.children].map((c) => [c.dataset.card, c]));
    list.replaceChildren(...cards.map((c) => byId[c]).filter(Boolean));
  }
  // In the host page's tree a widget adds no landmarks (as the live dashboard does).
  list?.removeAttribute("role");
  list?.removeAttribute("aria-label");
  root.querySelector("header")?.setAttribute("role", "none");
  root.dataset.embedded = "widget";
  if (flag("compact") || attr("layout") === "compact") root.dataset.layout = "compact";
  if (flag("transparent") || attr("background") === "transparent") root.dataset.background = "transparent";
  if (/^(light|dark)$/.test(attr("theme") ?? "")) root.dataset.theme = attr("theme");
  return root;
}

const connected = new Set();
// A panic stops the one WebAssembly instance, so every element says so.
addEventListener("isobar:fatal", () => connected.forEach((el) => el.fail(FATAL)));

class IsobarWeather extends HTMLElement {
  static observedAttributes = [...new Set(OPTIONS.flatMap((o) => [o, dashed(o)]))];

  #widget = null;
  #query = null;
  #scheduled = false;

  constructor() {
    super();
    this.attachShadow({ mode: "open" });
  }

  connectedCallback() {
    // An unknown element is inline by default (and under `* { all: unset }`): lay out as a block.
    if (getComputedStyle(this).display === "inline") this.style.setProperty("display", "block");
    connected.add(this);
    this.#schedule();
  }

  disconnectedCallback() {
    connected.delete(this);
    this.#unmount();
  }

  attributeChangedCallback() {
    if (this.isConnected) this.#schedule();
  }

  /** The element's options as the dashboard's query string. */
  get query() {
    const params = new URLSearchParams();
    for (const o of OPTIONS) {
      const v = option(this, o);
      if (v !== null) params.set(o, v);
    }
    return params.toString();
  }

  /** Shows a message in place of the dashboard. */
  fail(message) {
    this.#unmount();
    const p = document.createElement("p");
    p.setAttribute("role", "alert");
    p.setAttribute("part", "error");
    p.textContent = message;
    this.shadowRoot.replaceChildren(p);
  }

  // Several attributes set together re-render once.
  #schedule() {
    if (this.#scheduled) return;
    this.#scheduled = true;
    queueMicrotask(() => {
      this.#scheduled = false;
      this.#render();
    });
  }

  async #render() {
    try {
      const css = await loadSheet();
      if (!this.isConnected) return;
      this.shadowRoot.adoptedStyleSheets = [css];
      if (!this.#widget) {
        const root = document.createElement("div");
        root.className = "isobar-mount";
        root.append(skeleton(this));
        this.shadowRoot.replaceChildren(root);
      }
      await loadWasm();
    } catch (e) {
      this.fail(`Isobar could not load: ${e.message || e}`);
      return;
    }
    const query = this.query;
    if (!this.isConnected || (this.#widget && query === this.#query)) return;
    this.#unmount();
    const root = this.shadowRoot.firstElementChild ?? document.createElement("div");
    if (!root.isConnected) this.shadowRoot.replaceChildren(root);
    this.#query = query;
    this.#widget = mount(root, query);
  }

  #unmount() {
    if (this.#widget) {
      this.#widget.unmount();
      this.#widget.free();
      this.#widget = null;
      this.#query = null;
    }
  }
}

if (!customElements.get("isobar-weather")) customElements.define("isobar-weather", IsobarWeather);
