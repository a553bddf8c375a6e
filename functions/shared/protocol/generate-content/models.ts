/**
 * The models list in Gemini's shape (docs/protocols.md §3.6), for `GET /v1beta/models` and
 * `GET /v1beta/models/{model}` (also under /v1/ for a client that sends x-goog-api-key):
 * `{models: [Model…], nextPageToken?}` with `name: "models/<id>"`, paged by `pageSize`
 * (default 50, as Google pages) and an opaque `pageToken`.
 */
type J = Record<string, unknown>;

const METHODS = ['generateContent', 'streamGenerateContent', 'countTokens', 'embedContent', 'batchEmbedContents'];

export function geminiModel(id: string): J {
  return { name: `models/${id}`, baseModelId: id, version: '001', displayName: id, supportedGenerationMethods: METHODS };
}

export function geminiModelList(ids: string[], q: Record<string, string | undefined>): J {
  const size = Math.min(1000, Math.max(1, Number(q.pageSize ?? 50) || 50));
  let start = 0;
  if (q.pageToken) {
    let after = '';
    try {
      after = Buffer.from(q.pageToken, 'base64url').toString('utf8');
    } catch {
      after = '';
    }
    const i = ids.indexOf(after);
    start = i === -1 ? ids.length : i + 1;
  }
  const page = ids.slice(start, start + size);
  const more = start + size < ids.length;
  return { models: page.map(geminiModel), ...(more && page.length ? { nextPageToken: Buffer.from(page[page.length - 1] as string).toString('base64url') } : {}) };
}
