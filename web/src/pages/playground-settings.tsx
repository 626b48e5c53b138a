/**
 * The Playground's advanced settings: try a session with another voice, other instructions or other inactivity
 * limits than the agent's, without changing the agent. A session with any change is opened as an inline connection
 * (`POST /public/connections`) carrying the agent's configuration with the changes; otherwise as the agent's own.
 */
import { api, type Json } from '../api';
import { CheckboxField, SelectField, TextField, useLoad } from '../ui';

export interface SessionSettings {
  readonly voiceId: string;
  readonly instructions: string;
  readonly idleTimeoutSeconds: string;
  readonly disableIdleTimeout: boolean;
  readonly maxSessionSeconds: string;
}

const DEFAULT_IDLE_SECONDS = 180;
const DEFAULT_MAX_SECONDS = 3600;

export function settingsOf(agent: Json | undefined): SessionSettings {
  return {
    voiceId: (agent?.voiceId as string | undefined) ?? '',
    instructions: (agent?.providerSettings?.instructions as string | undefined) ?? '',
    idleTimeoutSeconds: String(agent?.idleTimeoutSeconds ?? DEFAULT_IDLE_SECONDS),
    disableIdleTimeout: agent?.disableIdleTimeout === true,
    maxSessionSeconds: String(agent?.maxSessionSeconds ?? DEFAULT_MAX_SECONDS),
  };
}

function changed(agent: Json, settings: SessionSettings): boolean {
  const base = settingsOf(agent);
  return (Object.keys(base) as (keyof SessionSettings)[]).some((key) => base[key] !== settings[key]);
}

/** The inline connection's body for the agent with the changed settings, or undefined when nothing changed. */
export function inlineConnectionBody(agent: Json, settings: SessionSettings): Record<string, unknown> | undefined {
  if (!changed(agent, settings)) return undefined;
  const number = (text: string, label: string): number => {
    const value = Number(text);
    if (!Number.isInteger(value)) throw new Error(`${label} must be a whole number of seconds.`);
    return value;
  };
  const providerSettings: Record<string, unknown> = { ...(agent.providerSettings ?? {}) };
  if (settings.instructions.trim() === '') delete providerSettings.instructions;
  else providerSettings.instructions = settings.instructions;
  const body: Record<string, unknown> = {
    companionId: agent.companionId,
    providerConfig: { ...(settings.voiceId === '' ? {} : { voiceId: settings.voiceId }), settings: providerSettings },
    functions: agent.functions ?? [],
    faqCollections: agent.faqCollections ?? [],
    disableIdleTimeout: settings.disableIdleTimeout,
    maxSessionSeconds: number(settings.maxSessionSeconds, 'The longest session'),
  };
  if (!settings.disableIdleTimeout) body.idleTimeoutSeconds = number(settings.idleTimeoutSeconds, 'The idle timeout');
  if (agent.language !== undefined) body.language = agent.language;
  if (agent.knowledgeBaseId !== undefined) body.knowledgeBaseId = agent.knowledgeBaseId;
  return body;
}

export function SessionSettingsFields(props: { projectId: string; agent: Json; value: SessionSettings; onChange: (value: SessionSettings) => void }) {
  const voices = useLoad(() => api<{ items: Json[] }>('GET', '/public/voices', { project: props.projectId }), [props.projectId]);
  const set = <K extends keyof SessionSettings>(key: K, value: SessionSettings[K]): void => props.onChange({ ...props.value, [key]: value });
  const voiceOptions = [
    ...(props.agent.voiceId === undefined ? [{ value: '', label: 'The twin’s own voice' }] : []),
    ...(voices.data?.items ?? []).map((voice) => ({ value: voice.id as string, label: `${voice.name as string} — ${voice.description as string}` })),
  ];
  const isChanged = changed(props.agent, props.value);
  return (
    <div class="playground-settings">
      <p class="muted">
        These apply to this Playground session only; the agent stays as it is.{' '}
        {isChanged ? <strong>Changed: the session opens with these settings.</strong> : 'Now: the agent’s own settings.'}
      </p>
      {voiceOptions.length > 0 ? <SelectField label="Session voice" value={props.value.voiceId} onChange={(v) => set('voiceId', v)} options={voiceOptions} /> : null}
      <TextField label="Session instructions" multiline rows={4} value={props.value.instructions} onInput={(v) => set('instructions', v)} hint="System instructions added to the persona." />
      <CheckboxField label="No idle timeout" checked={props.value.disableIdleTimeout} onChange={(v) => set('disableIdleTimeout', v)} />
      {props.value.disableIdleTimeout ? null : (
        <TextField
          label="Idle timeout (seconds)"
          type="number"
          value={props.value.idleTimeoutSeconds}
          onInput={(v) => set('idleTimeoutSeconds', v)}
          hint="30–3600. Warnings come 60, 30 and 10 seconds before the session closes."
        />
      )}
      <TextField label="Longest session (seconds)" type="number" value={props.value.maxSessionSeconds} onInput={(v) => set('maxSessionSeconds', v)} hint="60–14400." />
      <button type="button" class="plain" disabled={!isChanged} onClick={() => props.onChange(settingsOf(props.agent))}>
        Use the agent’s settings
      </button>
    </div>
  );
}
