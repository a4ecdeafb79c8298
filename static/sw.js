/**
 * Tillstream service worker: shows Web Push alerts as notifications and opens the alert when one
 * is clicked. The push payload (alerts/channels/web_push.ts) is JSON:
 *   {title, body, url, tag, kind, severity, alert_ids}
 * Registered by the alerts page when the user turns on browser notifications.
 */
/// <reference lib="webworker" />

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("push", (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch {
    data = { title: "Tillstream alert", body: event.data ? event.data.text() : "" };
  }
  const title = data.title || "Tillstream alert";
  event.waitUntil(
    self.registration.showNotification(title, {
      body: data.body || "",
      tag: data.tag || "tillstream",
      // A new message for the same rule replaces the old one but still alerts the user.
      renotify: true,
      requireInteraction: data.severity === "critical",
      icon: "/icon-192.png",
      badge: "/icon-192.png",
      data: { url: data.url || "/alerts", alert_ids: data.alert_ids || [] },
    }),
  );
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const target = new URL(event.notification.data?.url || "/alerts", self.location.origin);
  event.waitUntil((async () => {
    const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
    // Reuse a Tillstream tab: focus it and move it to the alert.
    for (const client of windows) {
      if (new URL(client.url).origin === target.origin && "focus" in client) {
        await client.focus();
        if ("navigate" in client) await client.navigate(target.href);
        return;
      }
    }
    await self.clients.openWindow(target.href);
  })());
});

// The browser rotated the subscription: subscribe again and tell the server.
self.addEventListener("pushsubscriptionchange", (event) => {
  event.waitUntil((async () => {
    const res = await fetch("/api/v1/alerts/push/vapid-public-key");
    const { publicKey } = await res.json();
    const padded = (publicKey + "===".slice((publicKey.length + 3) % 4)).replace(/-/g, "+")
      .replace(/_/g, "/");
    const key = Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
    const sub = await self.registration.pushManager.subscribe({
      userVisibleOnly: true,
      applicationServerKey: key,
    });
    await fetch("/api/v1/alerts/push/subscriptions", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(sub.toJSON()),
    });
  })());
});
