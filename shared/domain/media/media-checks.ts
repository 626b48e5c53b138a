import { z } from 'zod';

/**
 * The outcome codes of media checks. Failure codes are what a companion's or a twin's `failureReason` carries and
 * what clients branch on (API.md); warning codes mark a picture that was accepted after a change.
 */
export const VOICE_SAMPLE_FAILURE_CODES = [
  'VoiceSampleInvalidFormat',
  'VoiceSampleTooLarge',
  'VoiceSampleTooShort',
  'VoiceSampleTooLong',
] as const;
export const voiceSampleFailureCodeSchema = z.enum(VOICE_SAMPLE_FAILURE_CODES);
export type VoiceSampleFailureCode = z.infer<typeof voiceSampleFailureCodeSchema>;

export const PICTURE_FAILURE_CODES = ['PictureInvalidFormat', 'PictureTooLarge', 'PictureTooSmall', 'PictureCorrupt'] as const;
export const pictureFailureCodeSchema = z.enum(PICTURE_FAILURE_CODES);
export type PictureFailureCode = z.infer<typeof pictureFailureCodeSchema>;

export const PICTURE_WARNING_CODES = ['PictureCroppedTo16x9'] as const;
export const pictureWarningCodeSchema = z.enum(PICTURE_WARNING_CODES);
export type PictureWarningCode = z.infer<typeof pictureWarningCodeSchema>;

export const VIDEO_FAILURE_CODES = ['VideoInvalidFormat', 'VideoTooLarge', 'VideoTooShort', 'VideoTooLong', 'VideoCorrupt'] as const;
export const videoFailureCodeSchema = z.enum(VIDEO_FAILURE_CODES);
export type VideoFailureCode = z.infer<typeof videoFailureCodeSchema>;

/** A check that refused the file; `detail` is written for the client and names the limit that was missed. */
export interface MediaFailure<Code extends string> {
  readonly ok: false;
  readonly code: Code;
  readonly detail: string;
}

export function mediaFailure<Code extends string>(code: Code, detail: string): MediaFailure<Code> {
  return { ok: false, code, detail };
}

/** What sniffing the leading bytes found: the conventional extension and MIME type of the detected format. */
export interface SniffedType {
  readonly extension: string;
  readonly mimeType: string;
}

export function describeBytes(sizeBytes: number): string {
  return `${(sizeBytes / (1024 * 1024)).toFixed(1)} MB`;
}

export function describeSeconds(seconds: number): string {
  return `${seconds.toFixed(1)} s`;
}
