/* Web push on /account/notifications: progressive enhancement. The button appears only where
   the browser can push; a click asks the browser's permission (the customer's explicit
   consent), subscribes with the server's VAPID key and sends the subscription to
   POST /api/v1/me/push/subscriptions. The device list is the server's page: reload it. */
"use strict";
(function () {
  var box = document.getElementById("push-enable");
  if (!box || !("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window)) return;
  var button = document.getElementById("push-button");
  var status = document.getElementById("push-status");
  box.hidden = false;

  function key(base64url) {
    var padded = (base64url + "===".slice((base64url.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    var raw = atob(padded);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    return bytes;
  }

  function say(which) { status.textContent = status.getAttribute("data-" + which); }

  button.addEventListener("click", function () {
    button.disabled = true;
    Notification.requestPermission().then(function (permission) {
      if (permission !== "granted") { say("denied"); button.disabled = false; return null; }
      return navigator.serviceWorker.register("/sw.js").then(function () { return navigator.serviceWorker.ready; })
        .then(function (registration) {
          return registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key(box.getAttribute("data-vapid-key")) });
        })
        .then(function (subscription) {
          // toJSON() also has expirationTime (camelCase, null in browsers today): the API takes
          // snake_case and refuses unknown fields, so only what the server keeps is sent.
          var json = subscription.toJSON();
          return fetch("/api/v1/me/push/subscriptions", {
            method: "POST", credentials: "same-origin",
            headers: { "Content-Type": "application/json", "Accept": "application/json" },
            body: JSON.stringify({ endpoint: json.endpoint, keys: { p256dh: json.keys.p256dh, auth: json.keys.auth } })
          });
        })
        .then(function (response) {
          if (!response.ok) throw new Error("subscription refused");
          say("done");
          window.location.reload();
        });
    }).catch(function () { say("failed"); button.disabled = false; });
  });
})();
