import 'bootstrap/dist/css/bootstrap.min.css';
import '../styles/theme.css';
import { isKeyRefusal, isZoneId } from '../../shared/index.ts';
import { computeKpis, formatEncryption, NO_VALUE, type StatsEntry } from '../lib/kpis.ts';
import { AlertBanner } from '../shared-ui/alertBanner.ts';
import { confirmAction } from '../shared-ui/dialog.ts';
import { byId } from '../shared-ui/dom.ts';
import { initHeader, zoneFromAddress } from '../shared-ui/header.ts';
import { CameraSession, type CameraSettings } from './cameraSession.ts';
import { thumbnailOf } from './thumbnail.ts';
import { forgetApiKey, looksLikeApiKey, readApiKey, storeApiKey } from './keyStore.ts';
import { readActiveSession } from './resumeStore.ts';
import { DEFAULT_CAMERA, DEFAULT_PRESET, isPresetId, listCameras, TEST_PATTERN, TEST_SCENE } from './videoSource.ts';
import { SCENE_ACTIONS, testSceneSupported, type SceneAction } from './testSceneSource.ts';
import { SCENE_KIND_LABELS } from '../../shared/index.ts';
import { hhmmss } from '../shared-ui/clock.ts';

/**
 * Camera node page: capture, preview and publish one zone. An unattended node resumes by itself
 * after a reload: the tab remembers the live session (and its resume token) in sessionStorage.
 */
const header = initHeader();
const alert = new AlertBanner(byId('camera-alert', HTMLElement));
const cameraSelect = byId('camera-select', HTMLSelectElement);
const presetSelect = byId('preset-select', HTMLSelectElement);
const operatorCount = byId('operator-count', HTMLElement);
const localVideo = byId('local-video', HTMLVideoElement);
const feedMessage = byId('feed-message', HTMLElement);
const zoneLabel = byId('camera-zone', HTMLElement);
const captureLabel = byId('camera-capture', HTMLElement);
const sessionLabel = byId('camera-session', HTMLElement);
const encryptionLabel = byId('camera-encryption', HTMLElement);
const keyInput = byId('api-key-input', HTMLInputElement);
const keyFeedback = byId('api-key-feedback', HTMLElement);
const keyRemember = byId('api-key-remember', HTMLInputElement);
const stateLine = byId('camera-state', HTMLElement);
const startButton = byId('init-session', HTMLButtonElement);
const detectionLabel = byId('camera-detection', HTMLElement);
const privacyLabel = byId('camera-privacy', HTMLElement);
const recordingLabel = byId('camera-recording', HTMLElement);
const sceneLabel = byId('camera-scene', HTMLElement);
const sceneControls = byId('scene-controls', HTMLElement);

const stored = readApiKey();
if (stored) {
  keyInput.value = stored.key;
  keyRemember.checked = stored.remembered;
}
keyInput.addEventListener('input', () => keyInput.classList.remove('is-invalid'));

/** The key typed, or null with an inline message. */
function readKey(): string | null {
  const key = keyInput.value.trim();
  if (looksLikeApiKey(key)) return key;
  keyInput.classList.add('is-invalid');
  keyFeedback.textContent = key === '' ? 'Paste the camera key an administrator created for this camera.' : 'A camera key starts with vk_ followed by 43 characters.';
  keyInput.focus();
  return null;
}

const session = new CameraSession({
  showPreview(stream) {
    localVideo.srcObject = stream;
    if (stream) void localVideo.play().catch(() => undefined);
    feedMessage.hidden = stream !== null;
  },
  camerasAvailable: () => void refreshCameraList(),
  showAlert(code, message, variant) {
    if (isKeyRefusal(code)) {
      forgetApiKey();
      keyInput.value = '';
      keyRemember.checked = false;
    }
    alert.show(code, message, variant);
  },
  hideAlert: (code) => alert.hideIf(code),
  changed: () => render(),
  thumbnail: () => thumbnailOf(localVideo),
});

function settings(): CameraSettings {
  return { deviceId: cameraSelect.value, preset: isPresetId(presetSelect.value) ? presetSelect.value : DEFAULT_PRESET };
}

/** One sentence of what this page is doing now, for the person at the camera. */
function describeState(): { state: string; text: string } {
  const zone = session.zone ?? '';
  const name = session.cameraName;
  const watching = session.operatorsConnected;
  const audience = watching === 0 ? 'no operator watching' : watching === 1 ? '1 operator watching' : `${watching} operators watching`;
  switch (session.phase) {
    case 'idle':
      return { state: 'idle', text: 'Not publishing. Enter the zone and this camera\'s key, then press Start publishing.' };
    case 'starting':
      return { state: 'starting', text: `Starting: opening the camera and connecting to the gateway for ${zone}…` };
    case 'publishing':
      if (session.reconnecting) return { state: 'reconnecting', text: `Reconnecting to the gateway to publish ${zone} again; operators already watching keep the picture.` };
      return { state: 'publishing', text: `Publishing to ${zone}${name ? ` as ${name}` : ''} · ${audience}${session.relayed ? ' (through the relay)' : ''}.` };
  }
}

function render(): void {
  const phase = session.phase;
  header.setStatus(session.status);
  header.setActionLabel(phase === 'idle' ? 'Start publishing' : 'Stop publishing');
  startButton.classList.toggle('btn-success', phase === 'idle');
  startButton.classList.toggle('btn-danger', phase !== 'idle');
  const { state, text } = describeState();
  stateLine.dataset.state = state;
  if (stateLine.textContent !== text) stateLine.textContent = text;
  byId('zone-input', HTMLInputElement).readOnly = phase !== 'idle';
  keyInput.readOnly = phase !== 'idle';
  const count = String(session.operatorsConnected);
  if (operatorCount.textContent !== count) operatorCount.textContent = count;
  zoneLabel.textContent = phase === 'idle' ? NO_VALUE : session.zone ?? NO_VALUE;
  if (phase === 'idle') encryptionLabel.textContent = NO_VALUE;
  sessionLabel.textContent = phase === 'publishing' ? (session.reconnecting ? 'reconnecting…' : session.relayed ? 'publishing via relay' : 'publishing') : phase;
  renderDetection();
  const track = session.stream?.getVideoTracks()[0];
  const capture = track?.getSettings();
  captureLabel.textContent =
    capture?.width && capture.height ? `${capture.width}×${capture.height} @ ${Math.round(capture.frameRate ?? 0)} fps` : NO_VALUE;
}

/** What the detector does and sees now, and the test scene's controls when that is the source. */
function renderDetection(): void {
  const privacy = session.privacy;
  const masks = session.phase === 'idle' ? NO_VALUE : privacy.masks === 0 ? 'none'
    : `${privacy.masks} ${privacy.masks === 1 ? 'area' : 'areas'} blacked out${privacy.costMs !== null ? ` · ${privacy.costMs.toFixed(2)} ms per frame` : ''}`;
  if (privacyLabel.textContent !== masks) privacyLabel.textContent = masks;
  // Recording moves a peer-to-peer camera to the relay: whoever runs the camera is told why.
  const recording = session.phase === 'idle' ? NO_VALUE : session.recorded ? 'recorded by the gateway: this camera sends through its relay' : 'not recorded';
  if (recordingLabel.textContent !== recording) recordingLabel.textContent = recording;
  const { state, reason, costMs, open, last } = session.detection;
  const detection = state === 'on' ? `on${costMs !== null ? ` · ${costMs.toFixed(2)} ms per frame` : ''}` : state === 'unavailable' ? `unavailable: ${reason}` : NO_VALUE;
  if (detectionLabel.textContent !== detection) detectionLabel.textContent = detection;
  const now = open.size > 0 ? [...open].map((kind) => SCENE_KIND_LABELS[kind]).join(', ') : state === 'on' ? 'quiet' : NO_VALUE;
  const said = last ? ` · last: ${last.type} at ${hhmmss(last.at)}${last.sent ? '' : ' (not sent)'}` : '';
  sceneLabel.dataset.open = [...open].join(' ');
  if (sceneLabel.textContent !== now + said) sceneLabel.textContent = now + said;
  const scene = session.scene;
  sceneControls.hidden = !scene;
  if (scene) {
    for (const button of sceneControls.querySelectorAll<HTMLButtonElement>('[data-scene-action]')) {
      if (button.hasAttribute('aria-pressed')) button.setAttribute('aria-pressed', String(scene.active.has(button.dataset.sceneAction as SceneAction)));
    }
  }
}

sceneControls.addEventListener('click', (event) => {
  const button = (event.target as HTMLElement).closest<HTMLButtonElement>('[data-scene-action]');
  const action = button?.dataset.sceneAction as SceneAction | undefined;
  const scene = session.scene;
  if (!button || !action || !SCENE_ACTIONS.includes(action) || !scene) return;
  scene.set(action, action === 'walk' ? true : !scene.active.has(action));
  render();
});

/** Fills #camera-select once labels are known (after permission), keeping the current choice. */
async function refreshCameraList(): Promise<void> {
  if (!navigator.mediaDevices?.enumerateDevices) return;
  const cameras = await listCameras().catch(() => []);
  const chosen = session.settings?.deviceId ?? cameraSelect.value;
  const options = [new Option('Default camera', DEFAULT_CAMERA)];
  for (const camera of cameras) options.push(new Option(camera.label, camera.deviceId));
  options.push(new Option('Test pattern (no camera)', TEST_PATTERN));
  if (testSceneSupported()) options.push(new Option('Test scene (detection check)', TEST_SCENE));
  cameraSelect.replaceChildren(...options);
  cameraSelect.value = options.some((option) => option.value === chosen) ? chosen : DEFAULT_CAMERA;
}

/** Asks before ending a live feed: operators watching it lose the picture. */
function confirmStop(action: string): Promise<boolean> {
  if (session.phase === 'idle') return Promise.resolve(true);
  const watching = session.operatorsConnected;
  return confirmAction({
    name: 'stop-publishing',
    title: `Stop publishing ${session.zone ?? ''}?`,
    body: `${action} ends this camera's feed${watching > 0 ? `: ${watching} operator${watching === 1 ? '' : 's'} watching lose the picture` : ''}. Operators see the camera as offline until it publishes again.`,
    confirmLabel: 'Stop publishing',
    cancelLabel: 'Keep publishing',
  });
}

header.onSubmit(() => {
  if (session.phase !== 'idle') {
    void confirmStop('Stopping').then((stop) => { if (stop) session.stop(); });
    return;
  }
  const zone = header.readZone();
  const key = readKey();
  if (!zone || !key) return;
  storeApiKey(key, keyRemember.checked);
  alert.hide();
  void session.start(zone, settings(), key);
});

// Leaving for the Control Centre closes this page's feed: ask first while it is live.
byId('control-centre-link', HTMLAnchorElement).addEventListener('click', (event) => {
  if (session.phase === 'idle') return;
  event.preventDefault();
  void confirmStop('Opening the Control Centre in this tab').then((leave) => {
    if (!leave) return;
    session.stop();
    window.location.assign('/');
  });
});

const onSettingsChanged = (): void => void session.changeSettings(settings());
cameraSelect.addEventListener('change', onSettingsChanged);
presetSelect.addEventListener('change', onSettingsChanged);
navigator.mediaDevices?.addEventListener?.('devicechange', () => {
  if (session.phase !== 'idle') void refreshCameraList();
});

// The negotiated encryption of one operator's connection, refreshed with the other figures.
setInterval(() => {
  render();
  void session.sampleConnectedPeer().then((report) => {
    const kpis = report ? computeKpis([...report.values()] as StatsEntry[]) : null;
    encryptionLabel.textContent = kpis ? formatEncryption(kpis) : NO_VALUE;
  });
}, 1_000);

if (!testSceneSupported()) cameraSelect.querySelector(`option[value="${TEST_SCENE}"]`)?.remove();
// `?source=test-pattern` picks the built-in pattern (installers, the latency benchmark); `?source=test-scene` the detection check.
const askedSource = new URLSearchParams(window.location.search).get('source');
if (askedSource === TEST_PATTERN || (askedSource === TEST_SCENE && testSceneSupported())) cameraSelect.value = askedSource;

// A reload of a live camera node resumes publishing the same zone with no one at the keyboard.
const resumed = readActiveSession(isZoneId);
const addressed = zoneFromAddress();
if (resumed && stored && (addressed === '' || addressed === resumed.zone)) {
  header.setZone(resumed.zone);
  if ([...cameraSelect.options].some((option) => option.value === resumed.deviceId)) cameraSelect.value = resumed.deviceId;
  presetSelect.value = resumed.preset;
  void session.start(resumed.zone, { deviceId: resumed.deviceId, preset: resumed.preset }, stored.key);
}
render();
