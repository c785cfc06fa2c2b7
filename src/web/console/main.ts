import 'bootstrap/dist/css/bootstrap.min.css';
import '../styles/theme.css';
import { Role, type ZoneId } from '../../shared/index.ts';
import { createSignallingSocket, handshakeErrorCode, request, type RequestResult } from '../lib/signallingClient.ts';
import { RtcConfigHolder } from '../lib/rtcConfig.ts';
import { newPeerConnection } from '../lib/peerSession.ts';
import { Prepared } from '../lib/prepared.ts';
import { initAccountBar } from '../shared-ui/accountBar.ts';
import { AlertBanner } from '../shared-ui/alertBanner.ts';
import { loginUrl } from '../shared-ui/api.ts';
import { byId } from '../shared-ui/dom.ts';
import { CONNECTION_LOST, CONNECTION_LOST_MESSAGE, describeError } from '../shared-ui/errorMessages.ts';
import { initHeader } from '../shared-ui/header.ts';
import { statusOf } from '../shared-ui/statusPill.ts';
import { ZoneDirectory } from './directory.ts';
import { KpiSummary } from './kpiSummary.ts';
import { VideoWall } from './VideoWall.ts';

/**
 * Operator console: connects on load so the zone directory is live, then puts zones on the video
 * wall from the header (Initialise) or the directory (Watch).
 */
const header = initHeader(Role.OPERATOR);
const alert = new AlertBanner(byId('console-alert', HTMLElement));
const kpiSummary = new KpiSummary();
const wallEmpty = byId('wall-empty', HTMLElement);
const socket = createSignallingSocket(Role.OPERATOR);

const rtc = new RtcConfigHolder();
// A connection is ready before the operator clicks: its ICE candidates are gathered by then.
const warm = new Prepared<RTCPeerConnection>({
  config: () => rtc.current,
  make: newPeerConnection,
  dispose: (pc) => pc.close(),
  usable: (pc) => pc.signalingState !== 'closed',
});
let ready = false;
/** Signalling was up once on this page: a disconnect since then means the gateway is unreachable. */
let everConnected = false;

/** Signalling messages of a peer that no longer exists are refused; that is expected, not news. */
function quietly(label: string) {
  return (reply: RequestResult<'signal:answer' | 'signal:candidate' | 'signal:restart'>): void => {
    if (!reply.ok && reply.error.code !== 'PEER_UNKNOWN' && reply.error.code !== 'NOT_CONNECTED') {
      console.warn(`vigil: ${label} refused: ${reply.error.code}`);
    }
  };
}

const wall = new VideoWall(byId('video-wall', HTMLElement), {
  rtcConfig: () => rtc.current,
  takeConnection: () => warm.take(),
  signalling: {
    isReady: () => ready,
    async watch(zone, resumePeerId) {
      const reply = await request(socket, 'zone:watch', resumePeerId === null ? { zone } : { zone, resumePeerId });
      return reply.ok ? { ok: true, state: reply.state, resumed: reply.resumed } : reply;
    },
    unwatch(zone) {
      void request(socket, 'zone:unwatch', { zone });
    },
    reportQuality(tiles) {
      void request(socket, 'quality:report', { tiles }).then(quietly('quality report'));
    },
    answer(peerId, sdp) {
      void request(socket, 'signal:answer', { peerId, sdp }).then(quietly('answer'));
    },
    candidate(peerId, candidate) {
      void request(socket, 'signal:candidate', { peerId, candidate }).then(quietly('candidate'));
    },
    restart(peerId) {
      void request(socket, 'signal:restart', { peerId }).then(quietly('ICE restart request'));
    },
  },
  onWatchRefused(zone, error) {
    alert.show(error.code, describeError(error.code, { zone }, error.message));
  },
  onChange: () => render(),
});

const directory = new ZoneDirectory(byId('zone-directory', HTMLElement), {
  onWatch: (zone, clickedAt) => watch(zone, clickedAt),
  isOnWall: (zone) => wall.has(zone),
});

function watch(zone: ZoneId, clickedAt: number): void {
  header.setZone(zone);
  wall.add(zone, clickedAt);
}

function render(): void {
  header.setStatus(statusOf(socket.connected ? 'up' : everConnected && socket.active ? 'lost' : 'off', wall.streaming));
  kpiSummary.render(wall.selected);
  wallEmpty.hidden = wall.zones.length > 0;
  directory.refresh();
}

header.onSubmit(() => {
  const clickedAt = performance.now();
  const zone = header.readZone();
  if (zone) wall.add(zone, clickedAt);
});

socket.on('session:ready', (session) => {
  rtc.fromSession(session);
  warm.prepare();
  ready = true;
  everConnected = true;
  alert.hideIf(CONNECTION_LOST);
  render();
  wall.rewatchAll();
});
// The whole directory arrives once per connection (also after a reconnect), then only deltas.
socket.on('zone:directory', ({ zones }) => directory.render(zones));
socket.on('zone:updated', (update) => directory.update(update));
socket.on('zone:state', ({ zone, state, reason }) => wall.zoneState(zone, state, reason));
socket.on('signal:offer', ({ zone, peerId, sdp }) => wall.acceptOffer(zone, peerId, sdp));
socket.on('signal:candidate', ({ zone, peerId, candidate }) => wall.addRemoteCandidate(zone, peerId, candidate));
socket.on('vigil:error', ({ event, error }) => console.warn(`vigil: ${event} refused: ${error.code}`));
socket.on('ice:servers', ({ iceServers }) => {
  rtc.renew(iceServers);
  warm.prepare();
});
// A grant was withdrawn: the gateway already cut the view; close the tile's connection too.
socket.on('zone:revoked', ({ zone, error }) => {
  wall.remove(zone);
  alert.show(error.code, `Access to ${zone} was withdrawn; its view was closed.`);
});
// The session ended (expired, revoked, logged out elsewhere): stop every video and sign in again.
socket.on('session:ended', ({ error }) => endSession(error.code));

const SIGN_IN_AGAIN = new Set(['AUTH_REQUIRED', 'SESSION_EXPIRED', 'SESSION_REVOKED']);
function endSession(code: string): void {
  socket.removeAllListeners();
  socket.disconnect();
  wall.close();
  warm.close();
  render();
  alert.show(code, `${describeError(code)} Taking you to the sign-in page…`);
  setTimeout(() => window.location.assign(loginUrl('/')), 1_500);
}

// Video already flowing peer to peer keeps playing while signalling reconnects.
socket.on('disconnect', (reason) => {
  ready = false;
  render();
  if (reason === 'io server disconnect') alert.show('DISCONNECTED', 'The gateway closed this session. Reload the page to reconnect.');
  else if (reason !== 'io client disconnect') alert.show(CONNECTION_LOST, CONNECTION_LOST_MESSAGE, 'warning');
});
socket.on('connect_error', (error) => {
  const code = handshakeErrorCode(error);
  if (code && SIGN_IN_AGAIN.has(code)) endSession(code);
  else if (code) alert.show(code, describeError(code, {}, error.message));
  else alert.show(CONNECTION_LOST, CONNECTION_LOST_MESSAGE, 'warning');
  render();
});

window.addEventListener('pagehide', () => {
  wall.close();
  warm.close();
});
void initAccountBar('console');
render();
