/**
 * Reads the movie header (`moov/mvhd`) duration of an MP4 or QuickTime file. music-metadata reports only the
 * duration of audio tracks, so a silent video would otherwise have no length at all; the movie header is where
 * every MP4 writer records the length of the whole presentation.
 */
export function readIsoBmffMovieDuration(bytes: Uint8Array): number | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const moov = findBox(view, 0, view.byteLength, 'moov');
  if (moov === undefined) return undefined;
  const mvhd = findBox(view, moov.start, moov.end, 'mvhd');
  if (mvhd === undefined || mvhd.end - mvhd.start < 20) return undefined;
  const version = view.getUint8(mvhd.start);
  // Version 1 widens the times and the duration to 64 bits; version 0 has 32-bit fields.
  const [timescaleAt, durationAt, end] = version === 1 ? [mvhd.start + 20, mvhd.start + 24, mvhd.start + 32] : [mvhd.start + 12, mvhd.start + 16, mvhd.start + 20];
  if (end > mvhd.end) return undefined;
  const timescale = view.getUint32(timescaleAt);
  const duration = version === 1 ? Number(view.getBigUint64(durationAt)) : view.getUint32(durationAt);
  // All ones means "unknown" (e.g. a fragmented file whose length lives in its fragments).
  const unknown = version === 1 ? duration >= Number.MAX_SAFE_INTEGER : duration === 0xffffffff;
  if (timescale === 0 || duration === 0 || unknown) return undefined;
  return duration / timescale;
}

interface BoxPayload {
  readonly start: number;
  readonly end: number;
}

function findBox(view: DataView, from: number, to: number, type: string): BoxPayload | undefined {
  let offset = from;
  while (offset + 8 <= to) {
    let size = view.getUint32(offset);
    let header = 8;
    if (size === 1) {
      if (offset + 16 > to) return undefined;
      size = Number(view.getBigUint64(offset + 8));
      header = 16;
    } else if (size === 0) {
      size = to - offset;
    }
    if (size < header || offset + size > to) return undefined;
    const name = String.fromCharCode(view.getUint8(offset + 4), view.getUint8(offset + 5), view.getUint8(offset + 6), view.getUint8(offset + 7));
    if (name === type) return { start: offset + header, end: offset + size };
    offset += size;
  }
  return undefined;
}
