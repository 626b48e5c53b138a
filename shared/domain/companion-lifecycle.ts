import type { Companion, CompanionWarning } from './companion.js';

/**
 * The rules of a companion's way through generation: `pending → generationCompleted → readyToUse → completed`, or
 * `failed`. Every step is taken by exactly one conditional write, and a step already taken is never taken again.
 */

/** Failure reasons the generation jobs set (media rejections are the intake's own codes). */
export const GENERATION_FAILURE_CODES = {
  avatar: 'AvatarGenerationFailed',
  voice: 'VoiceProfileFailed',
} as const;

/** Whether the companion's media is ready for generation: every file given was accepted by its check. */
export function mediaReadiness(companion: Companion): 'ready' | 'waiting' | 'rejected' {
  const entries = Object.values(companion.media);
  if (entries.some((m) => m.status === 'rejected')) return 'rejected';
  if (entries.some((m) => m.status !== 'accepted' || m.blobPath === undefined)) return 'waiting';
  return 'ready';
}

/** A companion needs only its views; a digital twin also needs its voice profile. */
export function mayComplete(companion: Companion): boolean {
  return companion.status === 'readyToUse' && (companion.personaType !== 'digitalTwin' || companion.voice?.status === 'ready');
}

/** Later warnings replace earlier ones of the same code, so a repeated job does not pile up copies. */
export function mergeWarnings(existing: readonly CompanionWarning[] | undefined, added: readonly CompanionWarning[]): CompanionWarning[] | undefined {
  const byCode = new Map<string, CompanionWarning>();
  for (const warning of [...(existing ?? []), ...added]) byCode.set(warning.code, { code: warning.code, message: warning.message });
  return byCode.size === 0 ? undefined : [...byCode.values()];
}

/** Failure messages come from engines and services; keep them to a size a companion document and a client can carry. */
export function boundedMessage(message: string, maxLength = 500): string {
  const clean = message.replace(/\s+/g, ' ').trim();
  return clean.length <= maxLength ? clean : `${clean.slice(0, maxLength - 1)}…`;
}
