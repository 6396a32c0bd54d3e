// Yagona's service worker: keeps the shell's static assets, the offline page, and the
// signed-in customer's last dashboard (shown offline with the time it was made).
// Generated per release: the version changes whenever an asset does.
const CACHE = "yagona-shell-{{ version }}";
const SAVED = "yagona-dashboard";  // one page of one customer: emptied on sign-out
const OFFLINE = "/offline";
const DASHBOARD = "/";
const PRECACHE = {{ assets|tojson }}.concat([OFFLINE]);

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(PRECACHE)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((key) => key.startsWith("yagona-shell-") && key !== CACHE).map((key) => caches.delete(key))))
      .then(() => self.clients.claim())
  );
});

// The dashboard from the network, kept for later; offline, the kept copy with its note shown.
async function dashboard(request) {
  const saved = await caches.open(SAVED);
  let response;
  try {
    response = await fetch(request);
  } catch (offline) {
    const copy = await saved.match(DASHBOARD);
    if (!copy) return (await caches.match(OFFLINE)) || Response.error();
    const html = (await copy.text()).replace('class="offline-note" hidden', 'class="offline-note"');
    return new Response(html, { headers: { "Content-Type": "text/html; charset=utf-8" } });
  }
  if (response.ok && response.headers.get({{ offline_copy_header|tojson }}) === "dashboard") {
    await saved.put(DASHBOARD, response.clone());
  } else if (response.type === "opaqueredirect" || response.redirected) {
    await saved.delete(DASHBOARD);  // signed out (or the session ended): nothing personal stays
  }
  return response;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method === "POST" && (url.pathname === "/logout" || url.pathname.startsWith("/account/report"))) {
    event.waitUntil(caches.delete(SAVED));
    return;
  }
  if (request.method !== "GET") return;
  if (url.pathname.startsWith("/static/")) {
    // Hashed URLs never change: the cache answers first.
    event.respondWith(caches.match(request).then((hit) => hit || fetch(request)));
    return;
  }
  if (request.mode === "navigate") {
    if (url.pathname === DASHBOARD && !url.search) {
      event.respondWith(dashboard(request));
      return;
    }
    event.respondWith(fetch(request).catch(() => caches.match(OFFLINE)));
  }
});

// Web push (notify, /account/notifications): show what the server pushed; a click opens the
// page it names, on this site only.
self.addEventListener("push", (event) => {
  let data = {};
  try { data = event.data ? event.data.json() : {}; } catch (notJson) { data = { body: event.data.text() }; }
  event.waitUntil(self.registration.showNotification(data.title || "Yagona", {
    body: data.body || "", tag: data.tag, data: { url: data.url || "/" },
  }));
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const target = new URL(event.notification.data && event.notification.data.url || "/", self.location.origin);
  if (target.origin !== self.location.origin) return;
  event.waitUntil(self.clients.openWindow(target.href));
});
