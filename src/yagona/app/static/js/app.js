/* Yagona's shell: progressive enhancement only; every page works without it. */
"use strict";
if ("serviceWorker" in navigator) {
  window.addEventListener("load", function () {
    navigator.serviceWorker.register("/sw.js").catch(function () { /* the site works without it */ });
  });
}
