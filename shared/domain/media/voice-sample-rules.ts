import { describeBytes, describeSeconds, mediaFailure, type MediaFailure, type SniffedType, type VoiceSampleFailureCode } from './media-checks.js';
import { VOICE_SAMPLE_LIMITS } from './media-limits.js';

export const VOICE_SAMPLE_FORMATS = ['mp3', 'wav', 'm4a', 'flac', 'ogg', 'webm', 'mp4'] as const;
export type VoiceSampleFormat = (typeof VOICE_SAMPLE_FORMATS)[number];

/** Sniffed extensions that are one of the accepted formats; Ogg comes as `ogg`, `oga` or `opus` depending on codec. */
const SNIFFED_VOICE_FORMATS: Readonly<Record<string, VoiceSampleFormat>> = {
  mp3: 'mp3',
  wav: 'wav',
  m4a: 'm4a',
  flac: 'flac',
  ogg: 'ogg',
  oga: 'ogg',
  opus: 'ogg',
  webm: 'webm',
  mp4: 'mp4',
};

type Failure = MediaFailure<VoiceSampleFailureCode>;

const ACCEPTED = VOICE_SAMPLE_FORMATS.join(', ');

export function voiceSampleSizeFailure(sizeBytes: number): Failure | undefined {
  if (sizeBytes > VOICE_SAMPLE_LIMITS.maxBytes) {
    return mediaFailure('VoiceSampleTooLarge', `The voice sample is ${describeBytes(sizeBytes)}; it must be at most ${describeBytes(VOICE_SAMPLE_LIMITS.maxBytes)}.`);
  }
  return undefined;
}

/** The accepted format the bytes are, or the failure saying what they are instead. */
export function voiceSampleFormatOf(sniffed: SniffedType | undefined): VoiceSampleFormat | Failure {
  const format = sniffed === undefined ? undefined : SNIFFED_VOICE_FORMATS[sniffed.extension];
  if (format !== undefined) return format;
  const found = sniffed === undefined ? 'not a recognised media file' : `${sniffed.mimeType}`;
  return mediaFailure('VoiceSampleInvalidFormat', `The voice sample is ${found}; it must be audio in one of: ${ACCEPTED}.`);
}

/** Judges what the audio library read from the file; a file without readable audio is not a voice sample. */
export function voiceSampleAudioFailure(audio: { readonly hasAudio: boolean; readonly durationSeconds: number | undefined }): Failure | undefined {
  if (!audio.hasAudio) return mediaFailure('VoiceSampleInvalidFormat', 'The voice sample holds no audio track.');
  const seconds = audio.durationSeconds;
  if (seconds === undefined || !Number.isFinite(seconds) || seconds <= 0) {
    return mediaFailure('VoiceSampleInvalidFormat', 'The length of the voice sample cannot be read from the file.');
  }
  if (seconds < VOICE_SAMPLE_LIMITS.minSeconds) {
    return mediaFailure('VoiceSampleTooShort', `The voice sample is ${describeSeconds(seconds)} long; it must be at least ${VOICE_SAMPLE_LIMITS.minSeconds} s.`);
  }
  if (seconds > VOICE_SAMPLE_LIMITS.maxSeconds) {
    return mediaFailure('VoiceSampleTooLong', `The voice sample is ${describeSeconds(seconds)} long; it must be at most ${VOICE_SAMPLE_LIMITS.maxSeconds} s.`);
  }
  return undefined;
}

export function unreadableVoiceSample(): Failure {
  return mediaFailure('VoiceSampleInvalidFormat', 'The voice sample cannot be read as audio; the file may be damaged.');
}
