// Sizes every Isobar iframe on the page to its content. The same as the one-line snippet in the
// README, as a file for pages whose Content-Security-Policy forbids inline script:
//   <script src="https://YOUR-HOST/public/isobar-iframe.js"></script>
addEventListener("message", (e) => {
  if (e.data && e.data.type === "isobar:height" && typeof e.data.height === "number") {
    for (const f of document.getElementsByTagName("iframe")) {
      if (f.contentWindow === e.source) f.style.height = e.data.height + "px";
    }
  }
});
