import sharp from 'sharp';

/**
 * Real media made in the test, so that checks run against files the libraries parse for real. Sizes follow from
 * the parameters: a WAV is 44 header bytes plus seconds × sampleRate × channels × 2, so 3 MB of 44.1 kHz mono
 * 16-bit PCM is about 35.7 s (`wavSecondsForBytes(3 * MiB, { sampleRate: 44_100 })`), and 301 s fits in 4.8 MB at
 * 8 kHz mono.
 */

export const MiB = 1024 * 1024;

const WAV_HEADER_BYTES = 44;

export interface WavShape {
  /** Samples per second; 16 kHz (speech quality) unless told. */
  readonly sampleRate?: number;
  readonly channels?: 1 | 2;
}

export interface WavOptions extends WavShape {
  readonly seconds: number;
  /** The tone's pitch; the signal is a tone with a slow tremolo, so it is not silence. */
  readonly frequencyHz?: number;
}

export function wavByteLength(seconds: number, { sampleRate = 16_000, channels = 1 }: WavShape = {}): number {
  return WAV_HEADER_BYTES + Math.round(seconds * sampleRate) * channels * 2;
}

/** The length of a WAV of (about) the given size: use it to make a file of a target size. */
export function wavSecondsForBytes(bytes: number, { sampleRate = 16_000, channels = 1 }: WavShape = {}): number {
  return (bytes - WAV_HEADER_BYTES) / (sampleRate * channels * 2);
}

/** A PCM 16-bit little-endian RIFF/WAVE file. */
export function makeWav({ seconds, sampleRate = 16_000, channels = 1, frequencyHz = 220 }: WavOptions): Buffer {
  const frames = Math.round(seconds * sampleRate);
  const dataBytes = frames * channels * 2;
  const wav = Buffer.alloc(WAV_HEADER_BYTES + dataBytes);
  wav.write('RIFF', 0, 'ascii');
  wav.writeUInt32LE(36 + dataBytes, 4);
  wav.write('WAVE', 8, 'ascii');
  wav.write('fmt ', 12, 'ascii');
  wav.writeUInt32LE(16, 16);
  wav.writeUInt16LE(1, 20); // PCM
  wav.writeUInt16LE(channels, 22);
  wav.writeUInt32LE(sampleRate, 24);
  wav.writeUInt32LE(sampleRate * channels * 2, 28);
  wav.writeUInt16LE(channels * 2, 32);
  wav.writeUInt16LE(16, 34);
  wav.write('data', 36, 'ascii');
  wav.writeUInt32LE(dataBytes, 40);
  const step = (2 * Math.PI * frequencyHz) / sampleRate;
  for (let frame = 0; frame < frames; frame++) {
    const tremolo = 0.6 + 0.4 * Math.sin((2 * Math.PI * 3 * frame) / sampleRate);
    const sample = Math.round(Math.sin(step * frame) * tremolo * 12_000);
    for (let channel = 0; channel < channels; channel++) wav.writeInt16LE(sample, WAV_HEADER_BYTES + (frame * channels + channel) * 2);
  }
  return wav;
}

export interface ImageOptions {
  readonly width: number;
  readonly height: number;
  readonly format: 'jpeg' | 'png' | 'webp';
  /** A transparent background (png and webp only). */
  readonly alpha?: boolean;
}

/** A picture with a gradient and a head-like ellipse in its upper centre, encoded by sharp. */
export async function makeImage({ width, height, format, alpha = false }: ImageOptions): Promise<Buffer> {
  const background = alpha
    ? ''
    : `<defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="#4a7bd0"/><stop offset="1" stop-color="#e8b04a"/></linearGradient></defs><rect width="${width}" height="${height}" fill="url(#g)"/>`;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${background}<ellipse cx="${width / 2}" cy="${height * 0.4}" rx="${Math.min(width, height) * 0.18}" ry="${Math.min(width, height) * 0.24}" fill="#c98f68"/></svg>`;
  const image = sharp(Buffer.from(svg));
  if (format === 'jpeg') return image.flatten({ background: '#ffffff' }).jpeg({ quality: 85 }).toBuffer();
  if (format === 'png') return image.png().toBuffer();
  return image.webp({ quality: 85 }).toBuffer();
}

function box(type: string, ...payload: readonly Buffer[]): Buffer {
  const body = Buffer.concat(payload);
  const header = Buffer.alloc(8);
  header.writeUInt32BE(8 + body.length, 0);
  header.write(type, 4, 'latin1');
  return Buffer.concat([header, body]);
}

function fullBox(type: string, version: number, flags: number, ...payload: readonly Buffer[]): Buffer {
  const versionAndFlags = Buffer.alloc(4);
  versionAndFlags.writeUInt32BE(((version & 0xff) << 24) | (flags & 0xffffff), 0);
  return box(type, versionAndFlags, ...payload);
}

function u32(...values: readonly number[]): Buffer {
  const buffer = Buffer.alloc(4 * values.length);
  values.forEach((value, i) => buffer.writeUInt32BE(value >>> 0, 4 * i));
  return buffer;
}

function u16(...values: readonly number[]): Buffer {
  const buffer = Buffer.alloc(2 * values.length);
  values.forEach((value, i) => buffer.writeUInt16BE(value & 0xffff, 2 * i));
  return buffer;
}

const UNITY_MATRIX = u32(0x00010000, 0, 0, 0, 0x00010000, 0, 0, 0, 0x40000000);

function emptySampleTables(sampleEntry: Buffer): Buffer {
  return box(
    'stbl',
    fullBox('stsd', 0, 0, u32(1), sampleEntry),
    fullBox('stts', 0, 0, u32(0)),
    fullBox('stsc', 0, 0, u32(0)),
    fullBox('stsz', 0, 0, u32(0, 0)),
    fullBox('stco', 0, 0, u32(0)),
  );
}

function dataInformation(): Buffer {
  return box('dinf', fullBox('dref', 0, 0, u32(1), fullBox('url ', 0, 1)));
}

function handler(type: 'vide' | 'soun', name: string): Buffer {
  return fullBox('hdlr', 0, 0, u32(0), Buffer.from(type, 'latin1'), u32(0, 0, 0), Buffer.from(`${name}\0`, 'latin1'));
}

function trackHeader(trackId: number, durationMs: number, audio: boolean, width: number, height: number): Buffer {
  return fullBox(
    'tkhd',
    0,
    3, // enabled, in movie
    u32(0, 0, trackId, 0, durationMs, 0, 0),
    u16(0, 0, audio ? 0x0100 : 0, 0),
    UNITY_MATRIX,
    u32(audio ? 0 : width << 16, audio ? 0 : height << 16),
  );
}

function mediaHeader(timescale: number, duration: number): Buffer {
  return fullBox('mdhd', 0, 0, u32(0, 0, timescale, duration), u16(0x55c4 /* "und" */, 0));
}

function videoTrack(durationMs: number, width: number, height: number): Buffer {
  const avc1 = box(
    'avc1',
    Buffer.alloc(6),
    u16(1), // data reference index
    Buffer.alloc(16),
    u16(width, height),
    u32(0x00480000, 0x00480000, 0),
    u16(1),
    Buffer.alloc(32),
    u16(0x0018, 0xffff),
  );
  return box(
    'trak',
    trackHeader(1, durationMs, false, width, height),
    box(
      'mdia',
      mediaHeader(1000, durationMs),
      handler('vide', 'VideoHandler'),
      box('minf', fullBox('vmhd', 0, 1, u16(0, 0, 0, 0)), dataInformation(), emptySampleTables(avc1)),
    ),
  );
}

function audioTrack(durationMs: number, sampleRate: number): Buffer {
  const mp4a = box(
    'mp4a',
    Buffer.alloc(6),
    u16(1), // data reference index
    u32(0, 0),
    u16(2, 16, 0, 0), // channels, bits per sample
    u32(sampleRate << 16),
  );
  return box(
    'trak',
    trackHeader(2, durationMs, true, 0, 0),
    box(
      'mdia',
      mediaHeader(sampleRate, Math.round((durationMs / 1000) * sampleRate)),
      handler('soun', 'SoundHandler'),
      box('minf', fullBox('smhd', 0, 0, u16(0, 0)), dataInformation(), emptySampleTables(mp4a)),
    ),
  );
}

export interface Mp4Options {
  readonly seconds: number;
  /** The ftyp major brand: `isom` sniffs as mp4, `qt  ` as mov, `M4A ` as m4a. */
  readonly brand?: 'isom' | 'qt  ' | 'M4A ';
  readonly video?: boolean;
  readonly audio?: boolean;
  readonly width?: number;
  readonly height?: number;
}

/**
 * An ISO base media file with the structure players and parsers read for length and tracks (ftyp, moov with mvhd
 * and a trak per stream) and no samples: enough for sniffing and metadata, not for playback.
 */
export function makeMp4({ seconds, brand = 'isom', video = true, audio = true, width = 640, height = 360 }: Mp4Options): Buffer {
  const durationMs = Math.round(seconds * 1000);
  const ftyp = box('ftyp', Buffer.from(brand, 'latin1'), u32(0x200), Buffer.from(`${brand}iso2mp41`, 'latin1'));
  const mvhd = fullBox('mvhd', 0, 0, u32(0, 0, 1000, durationMs, 0x00010000), u16(0x0100, 0), u32(0, 0), UNITY_MATRIX, Buffer.alloc(24), u32(3));
  const tracks = [...(video ? [videoTrack(durationMs, width, height)] : []), ...(audio ? [audioTrack(durationMs, 44_100)] : [])];
  return Buffer.concat([ftyp, box('moov', mvhd, ...tracks)]);
}

function ebmlSize(size: number): Buffer {
  for (let length = 1; length <= 4; length++) {
    if (size < 2 ** (7 * length) - 1) {
      const out = Buffer.alloc(length);
      out.writeUIntBE(size + 2 ** (7 * length), 0, length);
      return out;
    }
  }
  throw new Error('element too large for this fixture');
}

function ebml(id: number, ...payload: readonly Buffer[]): Buffer {
  const body = Buffer.concat(payload);
  const idBytes = Buffer.from(id.toString(16).padStart(id > 0xffffff ? 8 : id > 0xffff ? 6 : id > 0xff ? 4 : 2, '0'), 'hex');
  return Buffer.concat([idBytes, ebmlSize(body.length), body]);
}

const ebmlUint = (id: number, value: number): Buffer => {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32BE(value, 0);
  return ebml(id, bytes);
};
const ebmlFloat = (id: number, value: number): Buffer => {
  const bytes = Buffer.alloc(8);
  bytes.writeDoubleBE(value, 0);
  return ebml(id, bytes);
};
const ebmlString = (id: number, value: string): Buffer => ebml(id, Buffer.from(value, 'ascii'));

export interface WebmOptions {
  readonly seconds: number;
  readonly video?: boolean;
  readonly audio?: boolean;
}

/** A WebM (Matroska) file with its header, segment info (duration) and track entries, and no frames. */
export function makeWebm({ seconds, video = true, audio = true }: WebmOptions): Buffer {
  const header = ebml(
    0x1a45dfa3,
    ebmlUint(0x4286, 1),
    ebmlUint(0x42f7, 1),
    ebmlUint(0x42f2, 4),
    ebmlUint(0x42f3, 8),
    ebmlString(0x4282, 'webm'),
    ebmlUint(0x4287, 4),
    ebmlUint(0x4285, 2),
  );
  const info = ebml(0x1549a966, ebmlUint(0x2ad7b1, 1_000_000), ebmlFloat(0x4489, seconds * 1000), ebmlString(0x4d80, 'fixture'), ebmlString(0x5741, 'fixture'));
  const entries: Buffer[] = [];
  if (video) {
    entries.push(
      ebml(0xae, ebmlUint(0xd7, 1), ebmlUint(0x73c5, 1), ebmlUint(0x83, 1), ebmlString(0x86, 'V_VP8'), ebml(0xe0, ebmlUint(0xb0, 640), ebmlUint(0xba, 360))),
    );
  }
  if (audio) {
    entries.push(
      ebml(0xae, ebmlUint(0xd7, 2), ebmlUint(0x73c5, 2), ebmlUint(0x83, 2), ebmlString(0x86, 'A_OPUS'), ebml(0xe1, ebmlFloat(0xb5, 48_000), ebmlUint(0x9f, 1))),
    );
  }
  return Buffer.concat([header, ebml(0x18538067, info, ebml(0x1654ae6b, ...entries))]);
}

/** A plain text file given a media name, as a client renaming notes.txt to voice.wav would upload it. */
export function renamedTextFile(fileName: string): { fileName: string; bytes: Buffer } {
  const text = 'These are meeting notes, not a recording.\n'.repeat(2_000);
  return { fileName, bytes: Buffer.from(text, 'utf8') };
}
