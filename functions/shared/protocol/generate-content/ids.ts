/**
 * Gemini function calls carry no id and may carry a thought signature that must come back with
 * the call on the next turn. EzyBus gives each call an id that encodes both the function name
 * (to name the functionResponse) and the signature: `gcall_<n>_<base64url(JSON)>`. Clients treat
 * tool call ids as opaque strings and echo them back, so the round trip needs no server state.
 */
export function encodeGeminiCallId(n: number, name: string, signature?: string): string {
  const payload = Buffer.from(JSON.stringify(signature ? { n: name, s: signature } : { n: name })).toString('base64url');
  return `gcall_${n}_${payload}`;
}

export function decodeGeminiCallId(id: string): { name: string; signature?: string } | undefined {
  const m = /^gcall_\d+_([A-Za-z0-9_-]+)$/.exec(id);
  if (!m?.[1]) return undefined;
  try {
    const v = JSON.parse(Buffer.from(m[1], 'base64url').toString('utf8')) as { n?: unknown; s?: unknown };
    if (typeof v.n !== 'string') return undefined;
    return typeof v.s === 'string' ? { name: v.n, signature: v.s } : { name: v.n };
  } catch {
    return undefined;
  }
}
