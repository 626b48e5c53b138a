import type {
  MediaFailure,
  PictureFailureCode,
  PictureWarningCode,
  VideoFailureCode,
  VoiceSampleFailureCode,
} from './media-checks.js';
import type { PictureFormat } from './picture-rules.js';
import type { VideoFormat } from './video-rules.js';
import type { VoiceSampleFormat } from './voice-sample-rules.js';

/** An encoded image the service produced (a normalized picture, an avatar view, a portrait). */
export interface ImageAsset {
  readonly bytes: Buffer;
  readonly mimeType: 'image/jpeg' | 'image/png';
  readonly width: number;
  readonly height: number;
}

export interface AcceptedVoiceSample {
  readonly ok: true;
  readonly format: VoiceSampleFormat;
  readonly mimeType: string;
  readonly durationSeconds: number;
  readonly sizeBytes: number;
}

export interface AcceptedPicture {
  readonly ok: true;
  readonly format: PictureFormat;
  readonly sizeBytes: number;
  /** The picture as uploaded, after applying its EXIF orientation. */
  readonly sourceWidth: number;
  readonly sourceHeight: number;
  /** 16:9, without metadata (EXIF can hold the place a photo was taken), scaled down to fit 1920×1080. */
  readonly image: ImageAsset;
  readonly warnings: readonly PictureWarningCode[];
}

export interface AcceptedVideo {
  readonly ok: true;
  readonly format: VideoFormat;
  readonly mimeType: string;
  readonly durationSeconds: number;
  readonly sizeBytes: number;
}

export type VoiceSampleInspection = AcceptedVoiceSample | MediaFailure<VoiceSampleFailureCode>;
export type PictureInspection = AcceptedPicture | MediaFailure<PictureFailureCode>;
export type VideoInspection = AcceptedVideo | MediaFailure<VideoFailureCode>;

/**
 * Checks uploaded media against the limits in media-limits.ts. The type is sniffed from the bytes and durations are
 * read from the file, never taken from names or declared content types. A file that breaks a rule is an answer
 * (`ok: false` with a code), not an exception; exceptions mean the check itself could not run.
 */
export interface MediaInspector {
  inspectVoiceSample(bytes: Uint8Array): Promise<VoiceSampleInspection>;
  inspectPicture(bytes: Uint8Array): Promise<PictureInspection>;
  inspectVideo(bytes: Uint8Array): Promise<VideoInspection>;
}
