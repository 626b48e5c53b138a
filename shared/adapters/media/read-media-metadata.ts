import { loadMusicMetadata } from './media-libraries.js';

/** What the audio/video library read from the file itself. */
export interface MediaFacts {
  readonly durationSeconds: number | undefined;
  readonly hasAudio: boolean;
  readonly hasVideo: boolean;
}

/** Matroska's track type number for video (music-metadata's TrackType.video), which WebM files use. */
const MATROSKA_VIDEO_TRACK = 1;

/**
 * Parses the container with music-metadata. `duration: true` lets it scan the whole file when the header does not
 * say (an MP3 without a Xing header), so the length is measured rather than trusted. Rejects when the file cannot
 * be parsed.
 */
export async function readMediaFacts(bytes: Uint8Array, mimeType: string): Promise<MediaFacts> {
  const { parseBuffer } = await loadMusicMetadata();
  const { format } = await parseBuffer(bytes, { mimeType, size: bytes.byteLength }, { duration: true, skipCovers: true });
  const tracks = format.trackInfo;
  return {
    durationSeconds: format.duration,
    // music-metadata sets channel counts only for audio it actually found; its `hasAudio` defaults to true for MP4.
    hasAudio: (format.numberOfChannels ?? 0) > 0 || tracks.some((track) => track.audio !== undefined && (track.audio.channels ?? 0) > 0),
    hasVideo: format.hasVideo === true || tracks.some((track) => track.video !== undefined || track.type === MATROSKA_VIDEO_TRACK),
  };
}
