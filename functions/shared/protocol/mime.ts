/**
 * Media types read from the data or the URL, never assumed: base64 magic numbers for the image
 * and document types providers take, file extensions for URLs. Undefined when it cannot be told.
 */
const MAGIC: Array<[string, string]> = [
  ['iVBORw0KGgo', 'image/png'],
  ['/9j/', 'image/jpeg'],
  ['R0lGOD', 'image/gif'],
  ['JVBERi0', 'application/pdf'],
];

export function mimeFromData(base64: string): string | undefined {
  for (const [prefix, type] of MAGIC) if (base64.startsWith(prefix)) return type;
  // RIFF <size> WEBP: the tag sits at bytes 8–11.
  if (base64.startsWith('UklGR') && Buffer.from(base64.slice(0, 16), 'base64').subarray(8, 12).toString('latin1') === 'WEBP') return 'image/webp';
  return undefined;
}

const EXT: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  heic: 'image/heic',
  heif: 'image/heif',
  pdf: 'application/pdf',
  txt: 'text/plain',
};

export function mimeFromUrl(url: string): string | undefined {
  let path = url;
  try {
    path = new URL(url).pathname;
  } catch {
    // not absolute: read it as a path
  }
  const m = /\.([a-z0-9]+)$/i.exec(path);
  return m ? EXT[(m[1] as string).toLowerCase()] : undefined;
}
