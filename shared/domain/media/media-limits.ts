/**
 * The documented limits for companion media. Sizes are binary megabytes (MiB), so "10 MB" accepts the 10 MB a
 * phone or an OS file dialog reports. These numbers are part of the API contract: change them with API.md.
 */

const MiB = 1024 * 1024;

/** Voice recording for a digital twin (API.md): mp3, wav, m4a, flac, ogg, webm or mp4, at most 10 MB, 60–300 s. */
export const VOICE_SAMPLE_LIMITS = {
  maxBytes: 10 * MiB,
  minSeconds: 60,
  maxSeconds: 300,
} as const;

/**
 * Companion picture: jpeg, png or webp, at most 10 MB. The 16:9 region kept (after a centre crop for other shapes)
 * must be at least 512×288, enough for the 512×512 round view without visible blur. Above 40 megapixels the
 * picture is refused before decoding, so that a small file cannot expand into gigabytes of pixels.
 */
export const PICTURE_LIMITS = {
  maxBytes: 10 * MiB,
  minWidth: 512,
  minHeight: 288,
  maxPixels: 40_000_000,
  /** Pictures within 1 % of 16:9 are kept whole; 1366×768 and 1920×1088 are 16:9 for every practical purpose. */
  aspectTolerance: 0.01,
  /** The normalized picture is scaled down to fit 1920×1080, the size avatars are rendered at; never up. */
  normalizedMaxWidth: 1920,
  normalizedMaxHeight: 1080,
} as const;

/**
 * Likeness video for a v2 companion: mp4, mov or webm, at most 100 MB and 5–120 s. Five seconds is the least
 * footage that shows a face from more than one angle; two minutes at a phone's 1080p bit rate (about 6 Mbit/s)
 * is about 90 MB, which is where the size limit comes from.
 */
export const VIDEO_LIMITS = {
  maxBytes: 100 * MiB,
  minSeconds: 5,
  maxSeconds: 120,
} as const;

/** The sizes of the views the local avatar engine derives from a picture. */
export const AVATAR_VIEW_SIZES = {
  round: { width: 512, height: 512 },
  rectangle: { width: 1280, height: 720 },
  portrait: { width: 1920, height: 1080 },
} as const;
