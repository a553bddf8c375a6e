/**
 * Where an upstream is. A base URL is the provider's origin plus any prefix (for example
 * `https://api.openai.com`, `https://openrouter.ai/api`); each protocol adapter's paths
 * (protocol/<protocol>/index.ts) include `/v1`. Paths, auth and forwarded headers are facts
 * of the wire protocol and live in its adapter.
 */
export function upstreamUrl(baseUrl: string, path: string): URL {
  return new URL(baseUrl.replace(/\/+$/, '') + path);
}
