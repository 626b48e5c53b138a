import type {
  AvatarViewName,
  Companion,
  CompanionMedia,
  CompanionStatus,
  CompanionWarning,
  MediaKind,
  StockCompanion,
  VoiceProfileStatus,
} from './companion.js';
import { companionAssetPath, previewViewOf } from './companion-asset-paths.js';
import { quoteEtag } from './etag.js';

/** A media entry as clients see it: where it came from and how its check went, never where it is stored. */
export interface PublicCompanionMedia {
  readonly source: CompanionMedia['source'];
  readonly url?: string | undefined;
  readonly status: CompanionMedia['status'];
  readonly failureCode?: string | undefined;
}

export interface PublicAvatarView {
  /** The route that serves the image (`GET /public/companions/{id}/assets/{view}`, with the API key). */
  readonly url: string;
  readonly contentType: string;
  readonly width: number;
  readonly height: number;
}

/**
 * The companion object of API.md, as sent outside the service by anything other than an HTTP response (webhook
 * events). HTTP responses get the same fields from their response schema, which drops internal ones.
 */
export interface PublicCompanion {
  readonly id: string;
  readonly personaType: Companion['personaType'];
  readonly firstName: string;
  readonly lastName: string;
  readonly description: string;
  readonly headline: string;
  readonly gender?: Companion['gender'];
  readonly ethnicity?: string | undefined;
  readonly version: Companion['version'];
  readonly tags: Readonly<Record<string, string>>;
  readonly externalClientId?: string | undefined;
  readonly status: CompanionStatus;
  readonly failureReason?: string | undefined;
  readonly warnings?: CompanionWarning[] | undefined;
  readonly previewUrl?: string | undefined;
  readonly avatar: { readonly views: Partial<Record<AvatarViewName, PublicAvatarView>> };
  readonly voice?: { readonly status: VoiceProfileStatus; readonly failureReason?: string | undefined } | undefined;
  readonly media: Partial<Record<MediaKind, PublicCompanionMedia>>;
  readonly stock?: true | undefined;
  readonly created: string;
  readonly updated: string;
  readonly etag: string;
}

function mapValues<K extends string, A, B>(record: Partial<Record<K, A>>, map: (value: A) => B): Partial<Record<K, B>> {
  const out: Partial<Record<K, B>> = {};
  for (const [key, value] of Object.entries(record) as [K, A | undefined][]) {
    if (value !== undefined) out[key] = map(value);
  }
  return out;
}

/** Views as clients see them: each with the route that serves it, never its storage path. */
export function publicAvatarViewsOf(
  companionId: string,
  views: Partial<Record<AvatarViewName, { readonly contentType: string; readonly width: number; readonly height: number }>>,
): Partial<Record<AvatarViewName, PublicAvatarView>> {
  const out: Partial<Record<AvatarViewName, PublicAvatarView>> = {};
  for (const [name, view] of Object.entries(views) as [AvatarViewName, (typeof views)[AvatarViewName]][]) {
    if (view !== undefined) out[name] = { url: companionAssetPath(companionId, name), contentType: view.contentType, width: view.width, height: view.height };
  }
  return out;
}

/** The stored preview (stock companions), else the route of the view a client shows first. */
export function previewUrlOf(companionId: string, previewUrl: string | undefined, views: Partial<Record<AvatarViewName, unknown>>): string | undefined {
  if (previewUrl !== undefined) return previewUrl;
  const view = previewViewOf(views);
  return view === undefined ? undefined : companionAssetPath(companionId, view);
}

export function publicCompanionOf(companion: Companion | StockCompanion): PublicCompanion {
  return {
    id: companion.id,
    personaType: companion.personaType,
    firstName: companion.firstName,
    lastName: companion.lastName,
    description: companion.description,
    headline: companion.headline,
    gender: companion.gender,
    ethnicity: companion.ethnicity,
    version: companion.version,
    tags: { ...companion.tags },
    externalClientId: companion.externalClientId,
    status: companion.status,
    failureReason: companion.failureReason,
    warnings: companion.warnings?.map((w) => ({ code: w.code, message: w.message })),
    previewUrl: previewUrlOf(companion.id, companion.previewUrl, companion.avatar.views),
    avatar: { views: publicAvatarViewsOf(companion.id, companion.avatar.views) },
    voice: companion.voice === undefined ? undefined : { status: companion.voice.status, failureReason: companion.voice.failureReason },
    media: mapValues(companion.media, (m) => ({ source: m.source, url: m.url, status: m.status, failureCode: m.failureCode })),
    stock: 'stock' in companion ? true : undefined,
    created: companion.created,
    updated: companion.updated,
    etag: quoteEtag(companion.etag),
  };
}
