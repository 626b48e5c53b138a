import type { Companion } from './companion.js';
import { isStandardVoice } from './voices.js';

/**
 * An agent speaks with one of the provider's standard voices (GET /public/voices) or, when its companion is a digital
 * twin, with the twin's own cloned voice, named `twin:<companionId>`.
 */
export const TWIN_VOICE_PREFIX = 'twin:';

export function twinVoiceIdOf(companionId: string): string {
  return `${TWIN_VOICE_PREFIX}${companionId}`;
}

/** What the voice rules need to know of a companion (project and stock companions alike). */
export type VoiceOwner = Pick<Companion, 'id' | 'personaType' | 'voice'>;

export function hasReadyTwinVoice(companion: VoiceOwner): boolean {
  return companion.personaType === 'digitalTwin' && companion.voice?.status === 'ready';
}

/** Why `voiceId` cannot be the voice of an agent of this companion, or undefined when it can. */
export function voiceIdProblem(voiceId: string | undefined, companion: VoiceOwner): string | undefined {
  if (voiceId === undefined) {
    return hasReadyTwinVoice(companion) ? undefined : 'is required unless the companion is a digital twin whose voice is ready';
  }
  if (isStandardVoice(voiceId)) return undefined;
  if (voiceId.startsWith(TWIN_VOICE_PREFIX)) {
    if (voiceId !== twinVoiceIdOf(companion.id)) return "names another companion's voice; an agent may use only its own twin's voice";
    if (companion.personaType !== 'digitalTwin') return 'names a twin voice, but the companion is not a digital twin';
    return hasReadyTwinVoice(companion) ? undefined : "names the twin's voice, which is not ready yet";
  }
  return `must be one of the voices of GET /public/voices or the twin's own voice (${TWIN_VOICE_PREFIX}<companionId>)`;
}

/** The voice a session uses: the agent's, else its twin's own. */
export function effectiveVoiceOf(voiceId: string | undefined, companion: VoiceOwner): string | undefined {
  if (voiceId !== undefined) return voiceId;
  return hasReadyTwinVoice(companion) ? twinVoiceIdOf(companion.id) : undefined;
}
