/**
 * Per-provider request facts: endpoint paths, how the key is sent, which client headers are
 * forwarded. A base URL is the provider's origin plus any prefix (for example
 * `https://api.openai.com`, `https://openrouter.ai/api`); paths below include `/v1`.
 */
import type { Protocol } from '../usage/types.js';

export function completionPath(protocol: Protocol, model: string, stream: boolean): string {
  switch (protocol) {
    case 'openai':
      return '/v1/chat/completions';
    case 'anthropic':
      return '/v1/messages';
    case 'gemini':
      return `/v1beta/models/${encodeURIComponent(model)}:${stream ? 'streamGenerateContent?alt=sse' : 'generateContent'}`;
  }
}

export function upstreamUrl(baseUrl: string, path: string): URL {
  return new URL(baseUrl.replace(/\/+$/, '') + path);
}

export function authHeaders(protocol: Protocol, apiKey: string): Record<string, string> {
  switch (protocol) {
    case 'openai':
      return { authorization: `Bearer ${apiKey}` };
    case 'anthropic':
      return { 'x-api-key': apiKey };
    case 'gemini':
      return { 'x-goog-api-key': apiKey };
  }
}

/**
 * Client headers that carry protocol meaning and reach a same-protocol upstream unchanged.
 * Everything else (authorization, cookies, client fingerprints, CloudFront headers) stays here.
 */
const FORWARDED: Record<Protocol, readonly string[]> = {
  anthropic: ['anthropic-version', 'anthropic-beta', 'anthropic-dangerous-direct-browser-access'],
  openai: ['openai-beta', 'openai-organization', 'openai-project'],
  gemini: [],
};

export const ANTHROPIC_DEFAULT_VERSION = '2023-06-01';

export function forwardedHeaders(protocol: Protocol, clientHeaders: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of FORWARDED[protocol]) {
    const v = clientHeaders[name];
    if (v !== undefined) out[name] = v;
  }
  if (protocol === 'anthropic' && !out['anthropic-version']) out['anthropic-version'] = ANTHROPIC_DEFAULT_VERSION;
  return out;
}
