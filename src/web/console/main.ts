import 'bootstrap/dist/css/bootstrap.min.css';
import '../styles/theme.css';
import { isZoneId, Limits, normaliseZoneInput, Role, SCENE_KIND_LABELS, type EvidenceView, type SceneEvent, type SceneKind, type ZoneId } from '../../shared/index.ts';
import { playClip, showPicture } from '../shared-ui/clipPlayer.ts';
import { openClipList } from '../shared-ui/clipList.ts';
import { EventsFirst } from './eventsFirst.ts';
import { askText } from '../shared-ui/dialog.ts';
import { newPeerConnection } from '../lib/peerSession.ts';
import { Prepared } from '../lib/prepared.ts';
import { SignallingSession } from '../lib/SignallingSession.ts';
import { initAccountBar } from '../shared-ui/accountBar.ts';
import { AlertBanner } from '../shared-ui/alertBanner.ts';
import { api, loginUrl } from '../shared-ui/api.ts';
import { hhmm, hhmmss } from '../shared-ui/clock.ts';
import { byId } from '../shared-ui/dom.ts';
import { CONNECTION_LOST, CONNECTION_LOST_MESSAGE, describeError } from '../shared-ui/errorMessages.ts';
import { initHeader } from '../shared-ui/header.ts';
import { statusOf } from '../shared-ui/statusPill.ts';
import { accessWarnings, scheduleWarnings } from './accessWarnings.ts';
import { AlertSound } from './alertSound.ts';
import { ZoneDirectory, type TileCamera } from './directory.ts';
import { KpiSummary } from './kpiSummary.ts';
import { captureStill, downloadStill } from './stills.ts';
import { VideoWall } from './VideoWall.ts';
import { parseWallLayout } from './wallGrid.ts';
import { initWallControls } from './wallControls.ts';
import { WallLayouts, wallDifference } from './wallLayouts.ts';
import { renderDownBanner, Timeline } from './timeline.ts';

/**
 * Operator console: connects on load so the zone directory is live, then puts zones on the video
 * wall from the header (Add to wall) or the directory (Watch).
 */
const header = initHeader();
/** The operator's walls on the gateway (set up once the wall exists; render() tells it of changes). */
let layouts: WallLayouts | null = null;
/** Each zone's open motion and tamper events: the tile's badge. */
const openScenes = new Map<ZoneId, Map<number, SceneKind>>();
const alert = new AlertBanner(byId('console-alert', HTMLElement));
const kpiSummary = new KpiSummary();
const wallEmpty = byId('wall-empty', HTMLElement);
const signalling = new SignallingSession({
  role: Role.OPERATOR,
  hooks: {
    restore() {
      warm.prepare();
      alert.hideIf(CONNECTION_LOST);
      render();
      wall.rewatchAll();
    },
    iceServersRenewed: () => warm.prepare(),
    // Video already flowing peer to peer keeps playing while signalling reconnects.
    down: () => render(),
    lost: () => {
      if (alert.code !== CONNECTION_LOST) {
        alert.show(CONNECTION_LOST, `${CONNECTION_LOST_MESSAGE} (since ${hhmm(Date.now())}; video already flowing keeps playing)`, 'warning');
        sound.play();
      }
    },
    closed: () => alert.show('DISCONNECTED', 'The gateway closed this session. Reload the page to reconnect.'),
    // The session ended (expired, revoked, logged out elsewhere): stop every video and sign in again.
    ended: ({ code }) => endSession(code),
    refused: ({ code, message }) => alert.show(code, describeError(code, {}, message)),
  },
});

// A connection is ready before the operator clicks: its ICE candidates are gathered by then.
const warm = new Prepared<RTCPeerConnection>({
  config: () => signalling.rtcConfig,
  make: newPeerConnection,
  dispose: (pc) => pc.close(),
  usable: (pc) => pc.signalingState !== 'closed',
});

const wall = new VideoWall(byId('video-wall', HTMLElement), {
  rtcConfig: () => signalling.rtcConfig,
  takeConnection: () => warm.take(),
  signalling: {
    ...signalling.peerSignalling,
    isReady: () => signalling.ready,
    async watch(zone, resumePeerId) {
      const reply = await signalling.request('zone:watch', resumePeerId === null ? { zone } : { zone, resumePeerId });
      return reply.ok ? { ok: true, state: reply.state, resumed: reply.resumed } : reply;
    },
    async unwatch(zone) {
      await signalling.request('zone:unwatch', { zone });
    },
    reportQuality: (tiles) => signalling.send('quality:report', { tiles }),
  },
  steering: {
    async presets(zone) {
      const reply = await signalling.request('ptz:presets', { zone });
      return reply.ok ? reply.presets : null;
    },
    move: (zone, pan, tilt, zoom) => steer(signalling.request('ptz:move', { zone, pan, tilt, zoom }), zone),
    stop: (zone) => steer(signalling.request('ptz:stop', { zone }), zone),
    goToPreset: (zone, preset) => steer(signalling.request('ptz:preset', { zone, preset }), zone),
  },
  steerable: (zone): boolean => directory.steerable(zone),
  camera: (zone): TileCamera => directory.tileCamera(zone),
  // Recorded (zone, SHA-256) before the file is written: a still that exists was audited.
  onSnapshot(zone, video) {
    void captureStill(video).then(async (still) => {
      if (!still) return alert.show('NO_PICTURE', `${zone} shows no picture to save yet.`, 'warning');
      const reply = await signalling.request('zone:snapshot', { zone, sha256: still.sha256, width: still.width, height: still.height });
      if (!reply.ok) return alert.show(reply.error.code, describeError(reply.error.code, { zone }, reply.error.message));
      downloadStill(still, zone);
    });
  },
  // The gateway cuts it from the camera's ring buffer (pre-roll and post-roll): it takes a few seconds.
  onSaveClip(zone) {
    alert.show('CLIP_SAVING', `Saving a clip of ${zone}: the last seconds and the next few…`, 'warning');
    void api<{ clip: EvidenceView }>('POST', '/api/evidence', { zone }).then((reply) => {
      alert.hideIf('CLIP_SAVING');
      if (!reply.ok) return alert.show(reply.error.code, describeError(reply.error.code, { zone }, reply.error.message));
      playClip(reply.data.clip);
    });
  },
  onListClips(zone) {
    void api<{ clips: EvidenceView[] }>('GET', `/api/evidence?zone=${encodeURIComponent(zone)}&limit=50`).then((reply) => {
      if (!reply.ok) return alert.show(reply.error.code, describeError(reply.error.code, { zone }, reply.error.message));
      openClipList(zone, reply.data.clips);
    });
  },
  onWatchRefused(zone, error) {
    alert.show(error.code, describeError(error.code, { zone }, error.message));
  },
  onChange: () => render(),
});

const directory = new ZoneDirectory(byId('zone-directory', HTMLElement), {
  onWatch: (zone, clickedAt) => watch(zone, clickedAt),
  isOnWall: (zone) => wall.has(zone),
}, { search: byId('directory-search', HTMLInputElement), group: byId('directory-group', HTMLSelectElement) });

/** A camera command the gateway or the camera refused is said, not swallowed. */
function steer(request: Promise<{ ok: true } | { ok: false; error: { code: string; message?: string } }>, zone: ZoneId): void {
  void request.then((reply) => {
    if (!reply.ok) alert.show(reply.error.code, describeError(reply.error.code, { zone }, reply.error.message));
  });
}

function watch(zone: ZoneId, clickedAt: number): void {
  header.setZone(zone);
  wall.add(zone, clickedAt);
}

const downBanner = byId('wall-down', HTMLElement);

function render(): void {
  layouts?.changed();
  renderDownBanner(downBanner, wall.zones.filter((zone) => wall.tile(zone)?.state === 'offline'), wall.zones.length);
  header.setStatus(statusOf(signalling.state, wall.streaming));
  kpiSummary.render(wall.selected);
  wallEmpty.hidden = wall.zones.length > 0;
  directory.refresh();
  // A tile put on the wall while its zone has an event open shows it at once.
  for (const zone of wall.zones) wall.tile(zone)?.setScene(new Set(openScenes.get(zone)?.values() ?? []));
}

header.onSubmit(() => {
  const clickedAt = performance.now();
  const zone = header.readZone();
  if (zone) wall.add(zone, clickedAt);
});

// The whole directory arrives once per connection (also after a reconnect), then only deltas.
signalling.on('zone:directory', ({ zones }) => {
  directory.render(zones);
  wall.directoryChanged();
});
signalling.on('zone:updated', (update) => {
  directory.update(update);
  wall.directoryChanged();
});
signalling.on('zone:state', ({ zone, state, reason }) => wall.zoneState(zone, state, reason));
// The timeline: a click on an event puts its zone on the wall, or selects its tile.
const timeline = new Timeline((zone) => watch(zone, performance.now()), {
  acknowledge: (event) => void acknowledge(event),
  annotate: (event) => void annotate(event),
  play: (event) => { if (event.clipId !== null) playClip({ id: event.clipId, zone: event.zone, camera: event.camera }); },
  snapshot: (event) => showPicture(`${event.zone}${event.camera ? ` · ${event.camera}` : ''} · ${SCENE_KIND_LABELS[event.kind]} at ${hhmmss(event.startedAt)}`, `/api/events/${event.id}/snapshot`),
});
const sound = new AlertSound(byId('sound-toggle', HTMLButtonElement));
const eventsFirst = new EventsFirst(byId('events-first', HTMLButtonElement));
/** Events older than this are history (the recent ones sent at connect): shown, not sounded. */
const FRESH_EVENT_MS = 10_000;
signalling.on('timeline:events', ({ events }) => {
  timeline.add(events);
  const fresh = events.some((e) => e.kind === 'camera.offline' && wall.has(e.zone) && Date.now() - Date.parse(e.at) < FRESH_EVENT_MS);
  if (fresh) sound.play();
});
signalling.on('scene:events', ({ events, change }) => {
  timeline.addScene(events);
  for (const event of events) {
    const open = openScenes.get(event.zone) ?? new Map<number, SceneKind>();
    if (event.endedAt === null) open.set(event.id, event.kind); else open.delete(event.id);
    openScenes.set(event.zone, open);
    wall.tile(event.zone)?.setScene(new Set(open.values()));
  }
  // A new tamper of a camera on the wall is sounded (motion is too common to sound).
  if (change === 'new' && events.some((e) => e.kind !== 'motion' && wall.has(e.zone))) sound.play();
  if (change === 'new' && eventsFirst.enabled) {
    const onWall = events.filter((e) => wall.has(e.zone)).map((e) => e.zone);
    if (onWall.length > 0) wall.arrange(onWall);
  }
});
signalling.on('signal:offer', ({ zone, peerId, sdp, via }) => wall.acceptOffer(zone, peerId, sdp, via === 'relay' ? 'relay' : 'p2p'));
signalling.on('signal:candidate', ({ zone, peerId, candidate }) => wall.addRemoteCandidate(zone, peerId, candidate));
// A grant was withdrawn: the gateway already cut the view; close the tile's connection too.
signalling.on('zone:revoked', ({ zone, error }) => {
  wall.remove(zone);
  alert.show(error.code, `Access to ${zone} was withdrawn; its view was closed.`);
});

async function annotate(event: SceneEvent): Promise<void> {
  const note = await askText({
    name: 'event-note', title: `A note on ${event.zone}`, body: 'What was it, what was done (kept with the event and in the audit trail).',
    confirmLabel: 'Save note', label: 'Note', maxLength: Limits.maxEventNoteLength, value: event.note ?? '',
  });
  if (!note) return;
  const reply = await signalling.request('event:annotate', { id: event.id, note });
  if (reply.ok) timeline.addScene([reply.event]);
  else alert.show(reply.error.code, describeError(reply.error.code, { zone: event.zone }, reply.error.message));
}

async function acknowledge(event: SceneEvent): Promise<void> {
  const reply = await signalling.request('event:acknowledge', { id: event.id });
  if (reply.ok) timeline.addScene([reply.event]);
  else alert.show(reply.error.code, describeError(reply.error.code, { zone: event.zone }, reply.error.message));
}

function endSession(code: string): void {
  signalling.close();
  wall.close();
  warm.close();
  render();
  alert.show(code, `${describeError(code)} Taking you to the sign-in page…`);
  setTimeout(() => window.location.assign(loginUrl('/')), 1_500);
}

window.addEventListener('pagehide', () => {
  wall.close();
  warm.close();
});
const address = new URLSearchParams(window.location.search);
const controls = initWallControls(wall, address);
layouts = new WallLayouts({
  wall,
  apply(layout) {
    controls.setLayout(parseWallLayout(layout.grid));
    const { add, remove } = wallDifference(wall.zones, layout);
    for (const zone of remove) wall.remove(zone);
    for (const zone of add) wall.add(zone, null);
    wall.arrange(layout.zones);
  },
  refused: (code, message) => alert.show(code, describeError(code, {}, message)),
});
// A wall opened by address (a kiosk screen): /?zones=CBD-01,CBD-02&grid=4&kiosk; else /?layout=<name>, else the wall as last left.
for (const zone of (address.get('zones') ?? '').split(',').map(normaliseZoneInput)) {
  if (isZoneId(zone)) wall.add(zone, null);
}
void layouts.restore(address);
void initAccountBar('console').then((me) => {
  if (!me) return;
  if (me.user.role === 'admin') byId('layout-shared-box', HTMLElement).hidden = false;
  // A grant or the sign-in ending on its own is said a quarter of an hour ahead.
  scheduleWarnings(accessWarnings(me), (warning) => alert.show(warning.code, warning.message, 'warning'));
});
render();
