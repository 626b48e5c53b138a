/**
 * The Playground's voice conversation: the browser talks to the platform's realtime model itself, over WebRTC, with
 * the short-lived client secret the connection answered (`realtime`). The microphone goes up, the model's voice comes
 * down into an audio element, and the `oai-events` data channel carries the transcripts and the tool calls, whose
 * results go back on it. The session itself was opened, and is ended, through the backend.
 */

export interface RealtimeCredentials {
  readonly webrtcUrl: string;
  readonly clientSecret: string;
}

export interface RealtimeFunctionCall {
  readonly callId: string;
  readonly name: string;
  readonly arguments: string;
}

export interface VoiceCallHandlers {
  onConnected(): void;
  /** What the user said, as the model transcribed it. */
  onUserTranscript(text: string): void;
  /** What the agent said. */
  onAgentTranscript(text: string): void;
  /** The user started speaking: they are still there. */
  onSpeech(): void;
  onFunctionCall(call: RealtimeFunctionCall): void;
  onError(message: string): void;
  /** The call ended from the other side or the network. */
  onDisconnected(): void;
}

type ServerEvent = { readonly type: string } & Record<string, unknown>;

export class VoiceCall {
  private closed = false;

  private constructor(
    private readonly peer: RTCPeerConnection,
    private readonly channel: RTCDataChannel,
    private readonly microphone: MediaStream,
    private readonly speaker: HTMLAudioElement,
  ) {}

  /** Asks for the microphone, offers the call to the realtime model and returns once it answered. */
  static async start(credentials: RealtimeCredentials, handlers: VoiceCallHandlers): Promise<VoiceCall> {
    const microphone = await navigator.mediaDevices.getUserMedia({ audio: true });
    const peer = new RTCPeerConnection();
    const speaker = new Audio();
    speaker.autoplay = true;
    peer.ontrack = (event) => {
      speaker.srcObject = event.streams[0] ?? new MediaStream([event.track]);
    };
    for (const track of microphone.getAudioTracks()) peer.addTrack(track, microphone);
    const channel = peer.createDataChannel('oai-events');
    const call = new VoiceCall(peer, channel, microphone, speaker);
    channel.onopen = () => handlers.onConnected();
    channel.onmessage = (message) => call.dispatch(String(message.data), handlers);
    peer.onconnectionstatechange = () => {
      if (!call.closed && (peer.connectionState === 'failed' || peer.connectionState === 'closed')) handlers.onDisconnected();
    };
    try {
      const offer = await peer.createOffer();
      await peer.setLocalDescription(offer);
      const response = await fetch(credentials.webrtcUrl, {
        method: 'POST',
        headers: { authorization: `Bearer ${credentials.clientSecret}`, 'content-type': 'application/sdp' },
        body: offer.sdp ?? '',
      });
      if (!response.ok) throw new Error(`The realtime model did not take the call (${response.status}).`);
      await peer.setRemoteDescription({ type: 'answer', sdp: await response.text() });
    } catch (error) {
      call.close();
      throw error;
    }
    return call;
  }

  private dispatch(data: string, handlers: VoiceCallHandlers): void {
    let event: ServerEvent;
    try {
      event = JSON.parse(data) as ServerEvent;
    } catch {
      return;
    }
    const text = (value: unknown): string => (typeof value === 'string' ? value : '');
    switch (event.type) {
      case 'input_audio_buffer.speech_started':
        handlers.onSpeech();
        break;
      case 'conversation.item.input_audio_transcription.completed':
        if (text(event['transcript']).trim() !== '') handlers.onUserTranscript(text(event['transcript']).trim());
        break;
      // The GA name and the preview's.
      case 'response.output_audio_transcript.done':
      case 'response.audio_transcript.done':
        if (text(event['transcript']).trim() !== '') handlers.onAgentTranscript(text(event['transcript']).trim());
        break;
      case 'response.function_call_arguments.done':
        handlers.onFunctionCall({ callId: text(event['call_id']), name: text(event['name']), arguments: text(event['arguments']) || '{}' });
        break;
      case 'error': {
        const error = event['error'] as { message?: unknown } | undefined;
        handlers.onError(text(error?.message) || 'The realtime model reported an error.');
        break;
      }
      default:
        break;
    }
  }

  /** A tool's result goes back to the model, which then answers. */
  sendFunctionOutput(callId: string, output: string): void {
    if (this.closed || this.channel.readyState !== 'open') return;
    this.channel.send(JSON.stringify({ type: 'conversation.item.create', item: { type: 'function_call_output', call_id: callId, output } }));
    this.channel.send(JSON.stringify({ type: 'response.create' }));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const track of this.microphone.getTracks()) track.stop();
    this.speaker.srcObject = null;
    this.channel.close();
    this.peer.close();
  }
}
