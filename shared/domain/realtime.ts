import type { AssembledSession } from './session-assembly.js';
import type { JsonObject } from './json-object.js';
import type { Session } from './session.js';
import { isStandardVoice } from './voices.js';
import type { TurnDetection } from './agent.js';

/**
 * What a client of an audio session needs to talk to the Azure OpenAI realtime model directly: a short-lived client
 * secret minted by the service with the session's assembled instructions, tools and voice already set, and where to
 * connect with it. The client runs explicit functions and the knowledge search through `function-calls` and reports
 * `activity`; the service never sees its audio.
 */
export interface RealtimeCredentials {
  /** The realtime deployment the secret is for. */
  readonly deployment: string;
  /** The ephemeral key: `Authorization: Bearer <clientSecret>` on the calls below. */
  readonly clientSecret: string;
  readonly expiresAt: string;
  /** WebRTC: POST the SDP offer here (Content-Type: application/sdp). */
  readonly webrtcUrl: string;
  /** WebSocket: connect here. */
  readonly websocketUrl: string;
}

/** Mints realtime credentials for a session; undefined when its API key has no realtime deployment. */
export interface RealtimeMinter {
  mint(session: Pick<Session, 'projectId' | 'keyId' | 'hosting' | 'assembled' | 'id'>): Promise<RealtimeCredentials | undefined>;
}

/**
 * The realtime session configuration of an assembled session, in the Realtime API's shape (GA): function tools are
 * flat (`{type, name, description, parameters}`), the voice and turn detection sit under `audio`. A twin's own voice
 * is an Azure AI Speech voice the realtime model cannot speak with, so it is left to the model's default there.
 */
export function realtimeSessionConfigOf(assembled: AssembledSession, deployment: string): JsonObject {
  const input: Record<string, unknown> = {};
  if (assembled.turnDetection !== undefined) input['turn_detection'] = turnDetectionOf(assembled.turnDetection);
  if (assembled.noiseReduction !== undefined) input['noise_reduction'] = { type: assembled.noiseReduction };
  const output: Record<string, unknown> = {};
  if (assembled.voice !== undefined && isStandardVoice(assembled.voice)) output['voice'] = assembled.voice;
  return {
    type: 'realtime',
    model: deployment,
    instructions: assembled.instructions,
    tools: assembled.tools.map((tool) => ({
      type: 'function',
      name: tool.function.name,
      ...(tool.function.description === undefined ? {} : { description: tool.function.description }),
      parameters: tool.function.parameters,
    })),
    tool_choice: 'auto',
    ...(Object.keys(input).length === 0 && Object.keys(output).length === 0
      ? {}
      : { audio: { ...(Object.keys(input).length === 0 ? {} : { input }), ...(Object.keys(output).length === 0 ? {} : { output }) } }),
  };
}

/** The agent's turn detection in the Realtime API's field names. */
function turnDetectionOf(detection: TurnDetection): JsonObject {
  const common = {
    ...(detection.createResponse === undefined ? {} : { create_response: detection.createResponse }),
    ...(detection.interruptResponse === undefined ? {} : { interrupt_response: detection.interruptResponse }),
  };
  if (detection.type === 'semantic_vad') {
    return { type: 'semantic_vad', ...(detection.eagerness === undefined ? {} : { eagerness: detection.eagerness }), ...common };
  }
  return {
    type: 'server_vad',
    ...(detection.threshold === undefined ? {} : { threshold: detection.threshold }),
    ...(detection.prefixPaddingMs === undefined ? {} : { prefix_padding_ms: detection.prefixPaddingMs }),
    ...(detection.silenceDurationMs === undefined ? {} : { silence_duration_ms: detection.silenceDurationMs }),
    ...common,
  };
}
