// Registers the handbook's offline service worker (built by scripts/build-sw.ts). The worker sits next to this
// file at the site's base path, so its URL and scope come from this module's own URL.
if ('serviceWorker' in navigator) {
  const siteRoot = new URL('./', import.meta.url);
  window.addEventListener('load', () => {
    navigator.serviceWorker
      .register(new URL('sw.js', siteRoot), { scope: siteRoot.pathname })
      .catch((error) => console.warn('Offline reading is unavailable:', error));
  });
}
