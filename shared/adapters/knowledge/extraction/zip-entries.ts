/**
 * The names in a zip archive's central directory, read without inflating anything: enough to tell a Word package from
 * any other zip. Undefined when the directory cannot be found (a truncated or damaged archive).
 */

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL_HEADER = 0x02014b50;
const MAX_COMMENT = 0xffff;

interface Directory {
  readonly offset: number;
  readonly size: number;
  readonly entries: number;
}

function findDirectory(view: DataView): Directory | undefined {
  const length = view.byteLength;
  for (let at = length - 22; at >= Math.max(0, length - 22 - MAX_COMMENT); at--) {
    if (view.getUint32(at, true) !== EOCD) continue;
    let entries = view.getUint16(at + 10, true);
    let size = view.getUint32(at + 12, true);
    let offset = view.getUint32(at + 16, true);
    const locator = at - 20;
    if ((entries === 0xffff || offset === 0xffffffff) && locator >= 0 && view.getUint32(locator, true) === ZIP64_LOCATOR) {
      const record = Number(view.getBigUint64(locator + 8, true));
      if (record + 56 > length || view.getUint32(record, true) !== ZIP64_EOCD) return undefined;
      entries = Number(view.getBigUint64(record + 32, true));
      size = Number(view.getBigUint64(record + 40, true));
      offset = Number(view.getBigUint64(record + 48, true));
    }
    // An archive with bytes in front of it (a self-extractor) has offsets relative to its own start.
    if (offset + 4 > length || view.getUint32(offset, true) !== CENTRAL_HEADER) offset = at - size;
    if (offset < 0 || offset + size > length) return undefined;
    return { offset, size, entries };
  }
  return undefined;
}

export interface ZipEntry {
  readonly name: string;
  /** As the directory declares it; zip64 sizes are read from the entry's extra field. */
  readonly uncompressedSize: number;
}

function zip64UncompressedSize(view: DataView, extraStart: number, extraEnd: number): number | undefined {
  for (let at = extraStart; at + 4 <= extraEnd; ) {
    const id = view.getUint16(at, true);
    const size = view.getUint16(at + 2, true);
    if (id === 0x0001 && size >= 8 && at + 12 <= extraEnd) return Number(view.getBigUint64(at + 4, true));
    at += 4 + size;
  }
  return undefined;
}

export function zipEntries(bytes: Uint8Array): ZipEntry[] | undefined {
  if (bytes.byteLength < 22) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const directory = findDirectory(view);
  if (directory === undefined) return undefined;
  const entries: ZipEntry[] = [];
  const utf8 = new TextDecoder('utf-8');
  const latin1 = new TextDecoder('latin1');
  let at = directory.offset;
  const end = directory.offset + directory.size;
  while (entries.length < directory.entries && at + 46 <= end) {
    if (view.getUint32(at, true) !== CENTRAL_HEADER) return undefined;
    const flags = view.getUint16(at + 8, true);
    const declaredSize = view.getUint32(at + 24, true);
    const nameLength = view.getUint16(at + 28, true);
    const extraLength = view.getUint16(at + 30, true);
    const commentLength = view.getUint16(at + 32, true);
    const extraStart = at + 46 + nameLength;
    if (extraStart + extraLength > end) return undefined;
    const name = (flags & 0x800 ? utf8 : latin1).decode(bytes.subarray(at + 46, extraStart));
    const uncompressedSize =
      declaredSize === 0xffffffff ? (zip64UncompressedSize(view, extraStart, extraStart + extraLength) ?? declaredSize) : declaredSize;
    entries.push({ name, uncompressedSize });
    at = extraStart + extraLength + commentLength;
  }
  return entries;
}

export function zipEntryNames(bytes: Uint8Array): string[] | undefined {
  return zipEntries(bytes)?.map((entry) => entry.name);
}

/**
 * The names in the local headers that precede each entry's data, found by scanning for their signature: what is left
 * to read when a truncated archive has lost its central directory.
 */
export function localEntryNames(bytes: Uint8Array): string[] {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const signature = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
  const names: string[] = [];
  for (let at = buffer.indexOf(signature); at >= 0 && at + 30 <= buffer.length; at = buffer.indexOf(signature, at + 4)) {
    const nameLength = buffer.readUInt16LE(at + 26);
    if (nameLength > 0 && at + 30 + nameLength <= buffer.length) names.push(buffer.toString('latin1', at + 30, at + 30 + nameLength));
  }
  return names;
}

export function isWordMainPart(name: string): boolean {
  return /^\/?word\/document\d*\.xml$/.test(name);
}

/** The main part of a Word package: `word/document.xml`, or `word/document2.xml` as some Office 365 saves name it. */
export function holdsWordDocument(names: readonly string[]): boolean {
  return names.some((n) => n.replace(/^\//, '') === '[Content_Types].xml') && names.some(isWordMainPart);
}
