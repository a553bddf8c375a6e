/**
 * Where an upstream is. A base URL is the provider's origin plus any prefix (for example
 * `https://api.openai.com`, `https://openrouter.ai/api`); each protocol adapter's paths
 * (protocol/<protocol>/index.ts) include `/v1`. Paths, auth and forwarded headers are facts
 * of the wire protocol and live in its adapter.
 */
const urls = new Map<string, URL>();

/** Parsed once per base URL and path (module scope: a warm request parses no URL). */
export function upstreamUrl(baseUrl: string, path: string): URL {
  const key = `${baseUrl}\u0000${path}`;
  let u = urls.get(key);
  if (!u) {
    if (urls.size >= 256) urls.clear(); // paths carry client query strings: stay bounded
    u = new URL(baseUrl.replace(/\/+$/, '') + path);
    urls.set(key, u);
  }
  return u;
}
