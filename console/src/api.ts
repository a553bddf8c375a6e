/**
 * The console's only door to EzyBus: the admin API on the same origin, with the admin key the
 * operator signed in with (kept in sessionStorage: gone when the tab closes, never in a cookie,
 * so no other site can make the browser send it).
 */
const KEY = 'ezybus.adminKey';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export const adminKey = {
  get: (): string | null => sessionStorage.getItem(KEY),
  set: (k: string): void => sessionStorage.setItem(KEY, k),
  clear: (): void => sessionStorage.removeItem(KEY),
};

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`/admin${path}`, {
    method,
    headers: { authorization: `Bearer ${adminKey.get() ?? ''}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  if (!res.ok) {
    let message = text;
    try {
      message = (JSON.parse(text) as { error?: { message?: string } }).error?.message ?? text;
    } catch {
      // not JSON: show the text as it came
    }
    throw new ApiError(res.status, message || `HTTP ${res.status}`);
  }
  return JSON.parse(text) as T;
}

/** The CSV export, fetched with the key (a plain link could not send the header). */
export async function download(path: string, filename: string): Promise<void> {
  const res = await fetch(`/admin${path}`, { headers: { authorization: `Bearer ${adminKey.get() ?? ''}` } });
  if (!res.ok) throw new ApiError(res.status, await res.text());
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
