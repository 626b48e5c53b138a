import { describeBytes, describeSeconds, mediaFailure, type MediaFailure, type SniffedType, type VideoFailureCode } from './media-checks.js';
import { VIDEO_LIMITS } from './media-limits.js';

export const VIDEO_FORMATS = ['mp4', 'mov', 'webm'] as const;
export type VideoFormat = (typeof VIDEO_FORMATS)[number];

/** `m4v` is Apple's name for an MPEG-4 video; it is the same container as mp4. */
const SNIFFED_VIDEO_FORMATS: Readonly<Record<string, VideoFormat>> = { mp4: 'mp4', m4v: 'mp4', mov: 'mov', webm: 'webm' };

type Failure = MediaFailure<VideoFailureCode>;

export function videoSizeFailure(sizeBytes: number): Failure | undefined {
  if (sizeBytes > VIDEO_LIMITS.maxBytes) {
    return mediaFailure('VideoTooLarge', `The video is ${describeBytes(sizeBytes)}; it must be at most ${describeBytes(VIDEO_LIMITS.maxBytes)}.`);
  }
  return undefined;
}

export function videoFormatOf(sniffed: SniffedType | undefined): VideoFormat | Failure {
  const format = sniffed === undefined ? undefined : SNIFFED_VIDEO_FORMATS[sniffed.extension];
  if (format !== undefined) return format;
  const found = sniffed === undefined ? 'not a recognised media file' : sniffed.mimeType;
  return mediaFailure('VideoInvalidFormat', `The video is ${found}; it must be one of: ${VIDEO_FORMATS.join(', ')}.`);
}

export function videoContentFailure(video: { readonly hasVideo: boolean; readonly durationSeconds: number | undefined }): Failure | undefined {
  if (!video.hasVideo) return mediaFailure('VideoInvalidFormat', 'The file holds no video track.');
  const seconds = video.durationSeconds;
  if (seconds === undefined || !Number.isFinite(seconds) || seconds <= 0) {
    return mediaFailure('VideoCorrupt', 'The length of the video cannot be read from the file.');
  }
  if (seconds < VIDEO_LIMITS.minSeconds) {
    return mediaFailure('VideoTooShort', `The video is ${describeSeconds(seconds)} long; it must be at least ${VIDEO_LIMITS.minSeconds} s.`);
  }
  if (seconds > VIDEO_LIMITS.maxSeconds) {
    return mediaFailure('VideoTooLong', `The video is ${describeSeconds(seconds)} long; it must be at most ${VIDEO_LIMITS.maxSeconds} s.`);
  }
  return undefined;
}

export function unreadableVideo(): Failure {
  return mediaFailure('VideoCorrupt', 'The video cannot be read; the file may be damaged.');
}
