// The installable app: registers the service worker (/sw.js), keeps the latest items readable offline, and
// runs the "Enable on this device" button of the Notifications page. Progressive enhancement only.
(() => {
  "use strict";
  if (!("serviceWorker" in navigator)) return;
  const meta = (name) => document.querySelector(`meta[name="${name}"]`)?.getAttribute("content");
  const swUrl = meta("gs-sw");
  if (!swUrl) return;

  const ready = navigator.serviceWorker.register(swUrl, { scope: "/" }).then(() => navigator.serviceWorker.ready);

  ready.then((registration) => {
    // A newer worker waits until the page asks it to take over (no surprise reloads mid-task).
    if (registration.waiting) registration.waiting.postMessage({ type: "skip-waiting" });
    // Keep the latest items readable offline: at most one refresh every five minutes, not one per page view.
    const latest = meta("gs-latest");
    const last = Number(sessionStorage.getItem("gs-latest-at") || 0);
    if (latest && navigator.onLine && Date.now() - last > 5 * 60 * 1000) {
      sessionStorage.setItem("gs-latest-at", String(Date.now()));
      registration.active?.postMessage({ type: "keep", url: latest });
    }
  }).catch(() => {});

  // Signing out forgets the pages this device kept.
  document.addEventListener("submit", (event) => {
    const action = event.target.getAttribute("action") || "";
    if (action.includes("/logout")) navigator.serviceWorker.controller?.postMessage({ type: "forget-pages" });
  });

  const box = document.getElementById("device");
  if (!box || box.dataset.pushEnabled !== "1") return;
  const enable = box.querySelector("[data-push-enable]");
  const disable = box.querySelector("[data-push-disable]");
  const status = box.querySelector("[data-push-status]");
  if (!("PushManager" in window) || !("Notification" in window)) {
    box.querySelector("[data-push-unsupported]").hidden = false;
    return;
  }
  const csrf = () => document.cookie.split("; ").find((c) => c.startsWith("csrftoken="))?.split("=")[1] || "";
  const post = (url, body) => fetch(url, {
    method: "POST", credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() }, body: JSON.stringify(body),
  });
  const keyBytes = (b64) => {
    const raw = atob((b64 + "=".repeat((4 - (b64.length % 4)) % 4)).replace(/-/g, "+").replace(/_/g, "/"));
    return Uint8Array.from(raw, (c) => c.charCodeAt(0));
  };
  const show = (subscribed) => {
    enable.hidden = subscribed;
    disable.hidden = !subscribed;
    status.textContent = subscribed
      ? "This device gets push notifications."
      : "Get a notification on this phone or computer, even when Groundswell is closed.";
  };

  ready.then((reg) => reg.pushManager.getSubscription()).then((sub) => show(Boolean(sub))).catch(() => show(false));

  enable.addEventListener("click", async () => {
    enable.disabled = true;
    try {
      const permission = await Notification.requestPermission();
      if (permission !== "granted") {
        status.textContent = "Notifications are blocked for this site: allow them in the browser's settings.";
        return;
      }
      const reg = await ready;
      const sub = await reg.pushManager.subscribe({
        userVisibleOnly: true, applicationServerKey: keyBytes(box.dataset.vapidKey),
      });
      const answer = await post(box.dataset.subscribeUrl, sub.toJSON());
      if (!answer.ok) {
        const error = await answer.json().catch(() => ({}));
        await sub.unsubscribe();
        status.textContent = error.error || "This device could not be enabled.";
        return;
      }
      window.location.reload(); // the device list and the defaults change
    } catch (err) {
      status.textContent = `This device could not be enabled: ${err.message || err}`;
    } finally {
      enable.disabled = false;
    }
  });

  disable.addEventListener("click", async () => {
    const reg = await ready;
    const sub = await reg.pushManager.getSubscription();
    if (sub) {
      await post(box.dataset.unsubscribeUrl, { endpoint: sub.endpoint });
      await sub.unsubscribe();
    }
    window.location.reload();
  });
})();
