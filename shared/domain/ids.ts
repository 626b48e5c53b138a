import { randomBytes } from 'node:crypto';

/** Type prefixes of the opaque ids (API.md, Conventions). */
export type IdPrefix =
  | 'org'
  | 'proj'
  | 'key'
  | 'mem'
  | 'comp'
  | 'agent'
  | 'fn'
  | 'kb'
  | 'file'
  | 'faq'
  /** A question-answer pair inside an FAQ collection. */
  | 'qa'
  | 'sess';

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

/** Lower-case RFC 4648 base32 without padding: URL-safe, case-insensitive-safe, no `_` to blur the prefix. */
function base32(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(buffer << (5 - bits)) & 31];
  return out;
}

/** A new id such as `proj_3kq...`: 120 random bits, so ids are unguessable and never collide in practice. */
export function newId(prefix: IdPrefix): string {
  return `${prefix}_${base32(randomBytes(15))}`;
}

/** Shape check for ids taken from URLs: a prefix, an underscore and 1-64 URL-safe characters. */
export const ID_PATTERN = /^[a-z]+_[A-Za-z0-9_-]{1,64}$/;
