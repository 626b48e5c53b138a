import { describe, expect, it } from 'vitest';
import { readIsoBmffMovieDuration } from '../../../shared/adapters/media/iso-bmff-movie-duration.js';
import { makeMp4 } from '../../support/media-fixtures.js';

function box(type: string, payload: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header.writeUInt32BE(8 + payload.length, 0);
  header.write(type, 4, 'latin1');
  return Buffer.concat([header, payload]);
}

describe('ISO BMFF movie duration', () => {
  it('reads a version 0 movie header', () => {
    expect(readIsoBmffMovieDuration(makeMp4({ seconds: 12.25, audio: false }))).toBe(12.25);
  });

  it('reads a version 1 movie header with 64-bit fields', () => {
    const mvhd = Buffer.alloc(4 + 8 + 8 + 4 + 8);
    mvhd.writeUInt8(1, 0);
    mvhd.writeUInt32BE(600, 20);
    mvhd.writeBigUInt64BE(600n * 90n, 24);
    expect(readIsoBmffMovieDuration(Buffer.concat([box('ftyp', Buffer.from('isom')), box('moov', box('mvhd', mvhd))]))).toBe(90);
  });

  it('says nothing for a file without a movie header, a truncated one, or an unknown duration', () => {
    expect(readIsoBmffMovieDuration(box('ftyp', Buffer.from('isom')))).toBeUndefined();
    expect(readIsoBmffMovieDuration(makeMp4({ seconds: 10 }).subarray(0, 40))).toBeUndefined();
    const unknown = Buffer.alloc(20);
    unknown.writeUInt32BE(1000, 12);
    unknown.writeUInt32BE(0xffffffff, 16);
    expect(readIsoBmffMovieDuration(box('moov', box('mvhd', unknown)))).toBeUndefined();
    expect(readIsoBmffMovieDuration(new Uint8Array(3))).toBeUndefined();
  });
});
