// Groundswell's service worker, served at /sw.js (root scope) with a first line that sets self.GS:
// { version, shell: [URLs to precache], offline: "/offline/" }.
// Shell: cache-first. Pages: network-first, kept for offline reading, the offline page when neither works.
/* global self, caches, clients */
"use strict";

const SHELL = `gs-shell-${self.GS.version}`;
const PAGES = "gs-pages-v1";
const MAX_PAGES = 40;

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(SHELL).then((cache) => cache.addAll(self.GS.shell)));
  // No skipWaiting() here: a new worker takes over when a page asks (message "skip-waiting").
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    const names = await caches.keys();
    await Promise.all(names.filter((n) => n.startsWith("gs-shell-") && n !== SHELL).map((n) => caches.delete(n)));
    await self.clients.claim();
  })());
});

self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (data.type === "skip-waiting") self.skipWaiting();
  if (data.type === "keep" && typeof data.url === "string" && data.url.startsWith("/")) {
    event.waitUntil(keep(new Request(data.url, { credentials: "same-origin" })));
  }
  if (data.type === "forget-pages") event.waitUntil(caches.delete(PAGES));
});

async function keep(request) {
  try {
    const response = await fetch(request);
    if (keepable(response)) await remember(request, response);
  } catch (_) { /* offline: keep what we have */ }
}

// Only HTML pages the server lets us store (never downloads, never Cache-Control: no-store).
function keepable(response) {
  return response.ok && !response.redirected
    && (response.headers.get("Content-Type") || "").startsWith("text/html")
    && !(response.headers.get("Cache-Control") || "").includes("no-store");
}

async function remember(request, response) {
  const cache = await caches.open(PAGES);
  await cache.put(request, response);
  const keys = await cache.keys();
  for (const old of keys.slice(0, Math.max(0, keys.length - MAX_PAGES))) await cache.delete(old);
}

async function page(request) {
  try {
    const response = await fetch(request);
    if (keepable(response)) remember(request, response.clone());
    return response;
  } catch (_) {
    const kept = await caches.match(request, { cacheName: PAGES, ignoreSearch: false });
    if (kept) return kept;
    return (await caches.match(self.GS.offline)) || new Response("Offline", { status: 503 });
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    event.respondWith(page(request));
    return;
  }
  if (url.pathname.startsWith("/static/")) {
    event.respondWith(caches.match(request).then((hit) => hit || fetch(request)));
  }
});

self.addEventListener("push", (event) => {
  let data = {};
  try { data = event.data ? event.data.json() : {}; } catch (_) { data = { body: event.data?.text() }; }
  const title = data.title || "Groundswell";
  event.waitUntil(self.registration.showNotification(title, {
    body: data.body || "",
    icon: self.GS.shell.find((u) => u.includes("icon-192")),
    data: { url: data.url || "/" },
  }));
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const target = new URL(event.notification.data?.url || "/", self.location.origin);
  if (target.origin !== self.location.origin) return;
  event.waitUntil((async () => {
    const open = await clients.matchAll({ type: "window", includeUncontrolled: true });
    const same = open.find((c) => c.url === target.href);
    if (same) return same.focus();
    return clients.openWindow(target.href);
  })());
});
