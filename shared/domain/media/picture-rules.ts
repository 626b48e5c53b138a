import { describeBytes, mediaFailure, type MediaFailure, type PictureFailureCode, type SniffedType } from './media-checks.js';
import { PICTURE_LIMITS } from './media-limits.js';

export const PICTURE_FORMATS = ['jpeg', 'png', 'webp'] as const;
export type PictureFormat = (typeof PICTURE_FORMATS)[number];

const SNIFFED_PICTURE_FORMATS: Readonly<Record<string, PictureFormat>> = { jpg: 'jpeg', png: 'png', webp: 'webp' };

type Failure = MediaFailure<PictureFailureCode>;

/** A rectangle of an image, in pixels from its top-left corner. */
export interface Region {
  readonly left: number;
  readonly top: number;
  readonly width: number;
  readonly height: number;
}

const SIXTEEN_NINTHS = 16 / 9;

export function pictureSizeFailure(sizeBytes: number): Failure | undefined {
  if (sizeBytes > PICTURE_LIMITS.maxBytes) {
    return mediaFailure('PictureTooLarge', `The picture is ${describeBytes(sizeBytes)}; it must be at most ${describeBytes(PICTURE_LIMITS.maxBytes)}.`);
  }
  return undefined;
}

export function pictureFormatOf(sniffed: SniffedType | undefined): PictureFormat | Failure {
  const format = sniffed === undefined ? undefined : SNIFFED_PICTURE_FORMATS[sniffed.extension];
  if (format !== undefined) return format;
  const found = sniffed === undefined ? 'not a recognised image file' : sniffed.mimeType;
  return mediaFailure('PictureInvalidFormat', `The picture is ${found}; it must be one of: ${PICTURE_FORMATS.join(', ')}.`);
}

/** Refuses a picture whose pixels would be too many to decode safely, judged from its header alone. */
export function picturePixelsFailure(width: number, height: number): Failure | undefined {
  if (width * height > PICTURE_LIMITS.maxPixels) {
    return mediaFailure(
      'PictureTooLarge',
      `The picture is ${width}×${height} pixels; it must have at most ${PICTURE_LIMITS.maxPixels / 1_000_000} megapixels.`,
    );
  }
  return undefined;
}

/**
 * The centred 16:9 region of a picture, or undefined when the picture is already 16:9 within the tolerance and is
 * kept whole.
 */
export function centreCropTo16x9(width: number, height: number): Region | undefined {
  const ratio = width / height;
  if (Math.abs(ratio - SIXTEEN_NINTHS) / SIXTEEN_NINTHS <= PICTURE_LIMITS.aspectTolerance) return undefined;
  if (ratio > SIXTEEN_NINTHS) {
    const croppedWidth = Math.min(width, Math.round((height * 16) / 9));
    return { left: Math.floor((width - croppedWidth) / 2), top: 0, width: croppedWidth, height };
  }
  const croppedHeight = Math.min(height, Math.round((width * 9) / 16));
  return { left: 0, top: Math.floor((height - croppedHeight) / 2), width, height: croppedHeight };
}

/** Judges the region that will be kept, so that a tall picture is refused when its 16:9 band is too small. */
export function pictureResolutionFailure(width: number, height: number, kept: Region | undefined): Failure | undefined {
  const keptWidth = kept?.width ?? width;
  const keptHeight = kept?.height ?? height;
  if (keptWidth < PICTURE_LIMITS.minWidth || keptHeight < PICTURE_LIMITS.minHeight) {
    const cropped = kept === undefined ? '' : ` (${keptWidth}×${keptHeight} once cropped to 16:9)`;
    return mediaFailure(
      'PictureTooSmall',
      `The picture is ${width}×${height} pixels${cropped}; it must be at least ${PICTURE_LIMITS.minWidth}×${PICTURE_LIMITS.minHeight}.`,
    );
  }
  return undefined;
}

export function unreadablePicture(): Failure {
  return mediaFailure('PictureCorrupt', 'The picture cannot be decoded; the file may be damaged or truncated.');
}
