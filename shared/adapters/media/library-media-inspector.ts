import type {
  AcceptedPicture,
  MediaInspector,
  PictureInspection,
  VideoInspection,
  VoiceSampleInspection,
} from '../../domain/media/media-inspector.js';
import { PICTURE_LIMITS } from '../../domain/media/media-limits.js';
import {
  centreCropTo16x9,
  pictureFormatOf,
  picturePixelsFailure,
  pictureResolutionFailure,
  pictureSizeFailure,
  unreadablePicture,
} from '../../domain/media/picture-rules.js';
import { unreadableVideo, videoContentFailure, videoFormatOf, videoSizeFailure } from '../../domain/media/video-rules.js';
import {
  unreadableVoiceSample,
  voiceSampleAudioFailure,
  voiceSampleFormatOf,
  voiceSampleSizeFailure,
} from '../../domain/media/voice-sample-rules.js';
import { readIsoBmffMovieDuration } from './iso-bmff-movie-duration.js';
import { loadSharp } from './media-libraries.js';
import { readMediaFacts, type MediaFacts } from './read-media-metadata.js';
import { sniffMediaType } from './sniff-media-type.js';

async function factsOrUndefined(bytes: Uint8Array, mimeType: string): Promise<MediaFacts | undefined> {
  try {
    return await readMediaFacts(bytes, mimeType);
  } catch {
    // A parser error means the file is not what its signature claims or is damaged: an answer, not a fault.
    return undefined;
  }
}

async function inspectVoiceSample(bytes: Uint8Array): Promise<VoiceSampleInspection> {
  // Size first: it is free, and a file over the limit is not worth parsing.
  const tooLarge = voiceSampleSizeFailure(bytes.byteLength);
  if (tooLarge) return tooLarge;
  const sniffed = await sniffMediaType(bytes);
  const format = voiceSampleFormatOf(sniffed);
  if (typeof format !== 'string') return format;
  const mimeType = sniffed!.mimeType;
  const facts = await factsOrUndefined(bytes, mimeType);
  if (facts === undefined) return unreadableVoiceSample();
  const failure = voiceSampleAudioFailure(facts);
  if (failure) return failure;
  return { ok: true, format, mimeType, durationSeconds: facts.durationSeconds!, sizeBytes: bytes.byteLength };
}

async function inspectVideo(bytes: Uint8Array): Promise<VideoInspection> {
  const tooLarge = videoSizeFailure(bytes.byteLength);
  if (tooLarge) return tooLarge;
  const sniffed = await sniffMediaType(bytes);
  const format = videoFormatOf(sniffed);
  if (typeof format !== 'string') return format;
  const mimeType = sniffed!.mimeType;
  const facts = await factsOrUndefined(bytes, mimeType);
  if (facts === undefined) return unreadableVideo();
  const durationSeconds = format === 'webm' ? facts.durationSeconds : (readIsoBmffMovieDuration(bytes) ?? facts.durationSeconds);
  const failure = videoContentFailure({ hasVideo: facts.hasVideo, durationSeconds });
  if (failure) return failure;
  return { ok: true, format, mimeType, durationSeconds: durationSeconds!, sizeBytes: bytes.byteLength };
}

async function inspectPicture(bytes: Uint8Array): Promise<PictureInspection> {
  const tooLarge = pictureSizeFailure(bytes.byteLength);
  if (tooLarge) return tooLarge;
  const format = pictureFormatOf(await sniffMediaType(bytes));
  if (typeof format !== 'string') return format;

  const sharp = await loadSharp();
  // 'truncated' refuses cut-off files yet keeps photos whose only flaw is a harmless decoder warning (stray bytes).
  const options = { limitInputPixels: PICTURE_LIMITS.maxPixels, failOn: 'truncated' } as const;
  let width: number;
  let height: number;
  let hasAlpha: boolean;
  try {
    // Reading the header decodes no pixels, so it runs without the pixel limit and can say how big the picture is;
    // the limit then guards the decode below.
    const metadata = await sharp(bytes, { ...options, limitInputPixels: false }).metadata();
    ({ width, height } = metadata.autoOrient);
    hasAlpha = metadata.hasAlpha;
  } catch {
    return unreadablePicture();
  }
  const tooManyPixels = picturePixelsFailure(width, height);
  if (tooManyPixels) return tooManyPixels;
  const crop = centreCropTo16x9(width, height);
  const tooSmall = pictureResolutionFailure(width, height, crop);
  if (tooSmall) return tooSmall;

  let pipeline = sharp(bytes, options).autoOrient();
  if (crop) pipeline = pipeline.extract(crop);
  pipeline = pipeline.resize({
    width: PICTURE_LIMITS.normalizedMaxWidth,
    height: PICTURE_LIMITS.normalizedMaxHeight,
    fit: 'inside',
    withoutEnlargement: true,
  });
  // PNG keeps transparency; everything else becomes a JPEG, the smallest form for photographs.
  pipeline = hasAlpha ? pipeline.png() : pipeline.jpeg({ quality: 90, mozjpeg: true });
  let output: { data: Buffer; info: { width: number; height: number } };
  try {
    output = await pipeline.toBuffer({ resolveWithObject: true });
  } catch {
    // The header was readable but the pixels are not: a truncated or damaged file.
    return unreadablePicture();
  }
  const accepted: AcceptedPicture = {
    ok: true,
    format,
    sizeBytes: bytes.byteLength,
    sourceWidth: width,
    sourceHeight: height,
    image: { bytes: output.data, mimeType: hasAlpha ? 'image/png' : 'image/jpeg', width: output.info.width, height: output.info.height },
    warnings: crop ? ['PictureCroppedTo16x9'] : [],
  };
  return accepted;
}

/** The MediaInspector backed by file-type (sniffing), music-metadata (durations) and sharp (images). */
export function createLibraryMediaInspector(): MediaInspector {
  return { inspectVoiceSample, inspectPicture, inspectVideo };
}
