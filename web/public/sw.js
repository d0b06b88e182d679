/*
 * The service worker: the app shell offline, nothing else.
 *
 * - Install precaches the shell: index.html, every built file Vite's manifest lists
 *   (all lazy chunks included, so any screen opens offline), the icons and manifest.
 *   One cache per build (the page registers sw.js?build=<entry file>), old ones go
 *   on activate.
 * - index.html (navigations): network first, the cached shell when offline.
 * - /config.json: always from the network (never stale); the last good copy only
 *   when the network fails, so the app can start offline.
 * - /assets/*: cache first (their names change with their content).
 * - Anything else, and every other origin (the API, Cognito): not touched.
 */
const BUILD = new URL(self.location.href).searchParams.get("build") || "dev";
const SHELL = `shell-${BUILD}`;
const CONFIG = "config";
const STATIC = ["/", "/favicon.svg", "/icon.svg", "/icon-192.png", "/icon-512.png", "/manifest.webmanifest", "/theme.js"];

self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const manifest = await (await fetch("/.vite/manifest.json", { cache: "no-store" })).json();
      const files = new Set(STATIC);
      for (const chunk of Object.values(manifest)) {
        files.add(`/${chunk.file}`);
        for (const extra of [...(chunk.css || []), ...(chunk.assets || [])]) files.add(`/${extra}`);
      }
      const cache = await caches.open(SHELL);
      await cache.addAll([...files].map((url) => new Request(url, { cache: "reload" })));
      // The copy the app starts from when offline (online, it is always fetched afresh).
      await (await caches.open(CONFIG)).add(new Request("/config.json", { cache: "no-store" }));
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      const names = await caches.keys();
      await Promise.all(names.filter((name) => name.startsWith("shell-") && name !== SHELL).map((name) => caches.delete(name)));
      await self.clients.claim();
    })(),
  );
});

async function networkFirst(request, cacheName, key) {
  try {
    const response = await fetch(request.url, { cache: "no-store" });
    if (response.ok) await (await caches.open(cacheName)).put(key, response.clone());
    return response;
  } catch (error) {
    const cached = await caches.match(key);
    if (cached) return cached;
    throw error;
  }
}

async function cacheFirst(request) {
  const cached = await caches.match(request);
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) await (await caches.open(SHELL)).put(request, response.clone());
  return response;
}

self.addEventListener("fetch", (event) => {
  const { request } = event;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (request.mode === "navigate") event.respondWith(networkFirst(request, SHELL, "/"));
  else if (url.pathname === "/config.json") event.respondWith(networkFirst(request, CONFIG, "/config.json"));
  else if (url.pathname.startsWith("/assets/")) event.respondWith(cacheFirst(request));
  else if (STATIC.includes(url.pathname)) event.respondWith(cacheFirst(request));
});
