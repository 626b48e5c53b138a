import type { AvatarVersion, CompanionMedia, MediaKind, PersonaType } from './companion.js';
import type { FieldProblem } from './errors.js';
import { mediaUrlProblem } from './media-url.js';

export interface MediaUrls {
  readonly pictureUrl?: string | undefined;
  readonly videoUrl?: string | undefined;
  readonly voiceUrl?: string | undefined;
}

/** The media a client declared at creation (`uploads`) and sends later with `POST /public/companions/{id}/uploads`. */
export type MediaUploads = readonly MediaKind[];

const URL_FIELD: Readonly<Record<MediaKind, keyof MediaUrls>> = { picture: 'pictureUrl', video: 'videoUrl', voice: 'voiceUrl' };

/**
 * The likeness must suit the avatar model (seed: `pictureUrl` for v1, `videoUrl` for v2), given by URL or declared as
 * an upload. A twin must bring it; a companion may leave it out (then its portrait is generated).
 */
export function likenessProblems(version: AvatarVersion, urls: MediaUrls, required: boolean, uploads: MediaUploads = []): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (version === 'v1' && urls.videoUrl !== undefined) {
    problems.push({ path: 'videoUrl', message: 'is for version v2; version v1 takes pictureUrl' });
  }
  if (version === 'v2' && urls.pictureUrl !== undefined) {
    problems.push({ path: 'pictureUrl', message: 'is for version v1; version v2 takes videoUrl' });
  }
  uploads.forEach((kind, index) => {
    if (version === 'v1' && kind === 'video') problems.push({ path: `uploads.${index}`, message: 'video is for version v2; version v1 takes picture' });
    if (version === 'v2' && kind === 'picture') problems.push({ path: `uploads.${index}`, message: 'picture is for version v1; version v2 takes video' });
  });
  if (required && version === 'v1' && urls.pictureUrl === undefined && !uploads.includes('picture')) {
    problems.push({
      path: 'pictureUrl',
      message: 'is required for version v1: a reference image of the person (or declare uploads: ["picture"] and upload it)',
    });
  }
  if (required && version === 'v2' && urls.videoUrl === undefined && !uploads.includes('video')) {
    problems.push({
      path: 'videoUrl',
      message: 'is required for version v2: a video of the person speaking (or declare uploads: ["video"] and upload it)',
    });
  }
  return problems;
}

/**
 * Declared uploads must not repeat a URL, and only a digital twin takes a voice, which it must bring one way or the
 * other (seed `digital-twins.txt`: the recording is required).
 */
export function mediaSourceProblems(personaType: PersonaType, urls: MediaUrls, uploads: MediaUploads = []): FieldProblem[] {
  const problems: FieldProblem[] = [];
  uploads.forEach((kind, index) => {
    const field = URL_FIELD[kind];
    if (urls[field] !== undefined) {
      problems.push({ path: `uploads.${index}`, message: `${kind} is given as ${field} too; give it either by URL or as an upload` });
    }
    if (kind === 'voice' && personaType !== 'digitalTwin') {
      problems.push({ path: `uploads.${index}`, message: 'voice is taken by digital twins only' });
    }
  });
  if (personaType === 'digitalTwin' && urls.voiceUrl === undefined && !uploads.includes('voice')) {
    problems.push({
      path: 'voiceUrl',
      message: 'is required for a digital twin: a recording of the person (or declare uploads: ["voice"] and upload it)',
    });
  }
  return problems;
}

export function mediaUrlProblems(urls: MediaUrls, allowPrivateUrls: boolean): FieldProblem[] {
  return Object.entries(urls).flatMap(([path, url]): FieldProblem[] => {
    if (url === undefined) return [];
    const message = mediaUrlProblem(url, allowPrivateUrls);
    return message === undefined ? [] : [{ path, message }];
  });
}

/**
 * Media given by URL waits to be fetched and checked; media declared as uploads waits for the client's file until
 * `uploadDeadline`, after which it is rejected with UploadExpired (companion-media-intake.ts).
 */
export function mediaFromUrls(
  urls: MediaUrls,
  uploads: MediaUploads = [],
  uploadDeadline?: string,
): Partial<Record<MediaKind, CompanionMedia>> {
  const media: Partial<Record<MediaKind, CompanionMedia>> = {};
  if (urls.pictureUrl !== undefined) media.picture = { source: 'url', url: urls.pictureUrl, status: 'awaiting' };
  if (urls.videoUrl !== undefined) media.video = { source: 'url', url: urls.videoUrl, status: 'awaiting' };
  if (urls.voiceUrl !== undefined) media.voice = { source: 'url', url: urls.voiceUrl, status: 'awaiting' };
  for (const kind of uploads) {
    if (media[kind] === undefined) media[kind] = { source: 'upload', status: 'awaiting', uploadDeadline };
  }
  return media;
}
