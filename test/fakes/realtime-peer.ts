import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';

/**
 * The far end of an Azure OpenAI realtime WebRTC call, for browser tests. Node has no WebRTC stack, so the peer is a
 * page (`pageUrl`) the test opens in the same browser: this server hands it each SDP offer and returns its answer (the
 * `POST …/realtime/calls` exchange), and relays the `oai-events` data channel both ways: `send` puts a server event
 * on the channel, `events` lists what the client sent. The page answers with an audio track of its own (a tone).
 */
export interface FakeRealtimePeer {
  /** The page that plays the realtime model's side; open it in the browser before a call. */
  readonly pageUrl: string;
  /** Answers an SDP offer through the page; rejects when no page is connected. */
  answer(offerSdp: string): Promise<string>;
  /** Puts a server event on the current call's data channel. */
  send(event: Record<string, unknown>): Promise<void>;
  /** Client events received on the data channel so far. */
  events(): readonly Record<string, unknown>[];
  /** Resolves with the first client event (from `from` on) that matches. */
  waitForEvent(match: (event: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** Resolves once the data channel of the current call is open. */
  waitForOpenChannel(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

const PAGE = `<!doctype html><html><head><meta charset="utf-8"><title>realtime peer</title></head><body>
<p id="state">waiting</p>
<script>
const ws = new WebSocket('ws://' + location.host + '/peer');
let pc, channel;
const state = (text) => { document.getElementById('state').textContent = text; };
ws.onmessage = async (message) => {
  const msg = JSON.parse(message.data);
  if (msg.type === 'offer') {
    if (pc) pc.close();
    pc = new RTCPeerConnection();
    const audio = new AudioContext();
    const tone = audio.createOscillator();
    const out = audio.createMediaStreamDestination();
    tone.connect(out);
    tone.start();
    for (const track of out.stream.getAudioTracks()) pc.addTrack(track, out.stream);
    pc.ondatachannel = (event) => {
      channel = event.channel;
      channel.onopen = () => { state('open'); ws.send(JSON.stringify({ type: 'open' })); };
      channel.onmessage = (e) => ws.send(JSON.stringify({ type: 'client-event', event: JSON.parse(e.data) }));
    };
    await pc.setRemoteDescription({ type: 'offer', sdp: msg.sdp });
    await pc.setLocalDescription(await pc.createAnswer());
    // Non-trickle, as the realtime API answers: the answer carries the candidates gathered (at most 3 s of gathering).
    if (pc.iceGatheringState !== 'complete') {
      await Promise.race([
        new Promise((resolve) => pc.addEventListener('icegatheringstatechange', () => { if (pc.iceGatheringState === 'complete') resolve(); })),
        new Promise((resolve) => setTimeout(resolve, 3000)),
      ]);
    }
    ws.send(JSON.stringify({ type: 'answer', id: msg.id, sdp: pc.localDescription.sdp }));
  } else if (msg.type === 'server-event' && channel) {
    channel.send(JSON.stringify(msg.event));
  }
};
ws.onopen = () => state('connected');
</script></body></html>`;

export async function startFakeRealtimePeer(): Promise<FakeRealtimePeer> {
  let page: WebSocket | undefined;
  let channelOpen = false;
  const pending = new Map<string, (sdp: string) => void>();
  const received: Record<string, unknown>[] = [];
  const listeners = new Set<() => void>();
  const notify = (): void => listeners.forEach((listener) => listener());

  const server = http.createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(PAGE);
      return;
    }
    res.writeHead(404).end();
  });
  const sockets = new WebSocketServer({ server, path: '/peer' });
  sockets.on('connection', (socket) => {
    page = socket;
    socket.on('message', (data) => {
      const msg = JSON.parse(String(data)) as { type: string; id?: string; sdp?: string; event?: Record<string, unknown> };
      if (msg.type === 'answer' && msg.id !== undefined) pending.get(msg.id)?.(msg.sdp ?? '');
      if (msg.type === 'open') channelOpen = true;
      if (msg.type === 'client-event' && msg.event !== undefined) received.push(msg.event);
      notify();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  const pageUrl = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}/`;

  const until = (done: () => boolean, what: string, timeoutMs: number): Promise<void> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        if (!done()) return;
        clearTimeout(timer);
        listeners.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        listeners.delete(check);
        reject(new Error(`realtime peer: ${what} did not happen in ${timeoutMs} ms`));
      }, timeoutMs);
      listeners.add(check);
      check();
    });

  return {
    pageUrl,
    async answer(offerSdp) {
      if (page === undefined) throw new Error('realtime peer: no page is connected');
      const id = randomUUID();
      channelOpen = false;
      const answered = new Promise<string>((resolve) => pending.set(id, resolve));
      page.send(JSON.stringify({ type: 'offer', id, sdp: offerSdp }));
      return answered;
    },
    async send(event) {
      if (page === undefined) throw new Error('realtime peer: no page is connected');
      page.send(JSON.stringify({ type: 'server-event', event }));
    },
    events: () => [...received],
    async waitForEvent(match, timeoutMs = 15_000) {
      let found: Record<string, unknown> | undefined;
      await until(() => (found = received.find(match)) !== undefined, 'the expected client event', timeoutMs);
      return found!;
    },
    waitForOpenChannel: (timeoutMs = 15_000) => until(() => channelOpen, 'the data channel opening', timeoutMs),
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of sockets.clients) client.terminate();
        sockets.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
