/**
 * Names of knowledge files for people: whatever the client, the URL or the server called the file, cleaned so that it
 * holds no folders or control characters. A name is never trusted for the type; the ingest sniffs the bytes.
 */

const MAX_NAME_LENGTH = 255;

/** The last segment of `name` without control characters, at most 255 characters; undefined when nothing is left. */
export function cleanFileName(name: string): string | undefined {
  const last = name.split(/[\\/]/).pop() ?? '';
  const clean = [...last].filter((ch) => ch.charCodeAt(0) >= 0x20 && ch.charCodeAt(0) !== 0x7f).join('').trim();
  return clean === '' ? undefined : clean.slice(0, MAX_NAME_LENGTH);
}

/** The URL's last path segment, which is what people call the file, else its host. */
export function nameFromUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'download';
  }
  const segment = parsed.pathname.split('/').filter((s) => s !== '').pop();
  if (segment !== undefined) {
    let decoded = segment;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      // A malformed escape is shown as it was written.
    }
    const name = cleanFileName(decoded);
    if (name !== undefined) return name;
  }
  return parsed.hostname;
}

/** `attachment; filename="guide.pdf"` or RFC 6266 `filename*=UTF-8''...` → the name, when the header gives one. */
export function nameFromContentDisposition(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  let name: string | undefined;
  const extended = /filename\*\s*=\s*utf-8''([^;]+)/i.exec(header)?.[1];
  if (extended !== undefined) {
    try {
      name = decodeURIComponent(extended.trim());
    } catch {
      name = undefined;
    }
  }
  name ??= /filename\s*=\s*"([^"]*)"/i.exec(header)?.[1] ?? /filename\s*=\s*([^;\s]+)/i.exec(header)?.[1];
  return name === undefined ? undefined : cleanFileName(name);
}
