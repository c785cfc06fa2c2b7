import 'bootstrap/dist/css/bootstrap.min.css';
import '../styles/theme.css';
import { isKeyRefusal, isZoneId, Role } from '../../shared/index.ts';
import { computeKpis, formatEncryption, NO_VALUE, type StatsEntry } from '../lib/kpis.ts';
import { AlertBanner } from '../shared-ui/alertBanner.ts';
import { byId } from '../shared-ui/dom.ts';
import { initHeader, zoneFromAddress } from '../shared-ui/header.ts';
import { CameraSession, type CameraSettings } from './cameraSession.ts';
import { forgetApiKey, looksLikeApiKey, readApiKey, storeApiKey } from './keyStore.ts';
import { readActiveSession } from './resumeStore.ts';
import { DEFAULT_CAMERA, DEFAULT_PRESET, isPresetId, listCameras, TEST_PATTERN } from './videoSource.ts';

/**
 * Camera node page: capture, preview and publish one zone. An unattended node resumes by itself
 * after a reload: the tab remembers the live session (and its resume token) in sessionStorage.
 */
const header = initHeader(Role.CAMERA);
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
});

function settings(): CameraSettings {
  return { deviceId: cameraSelect.value, preset: isPresetId(presetSelect.value) ? presetSelect.value : DEFAULT_PRESET };
}

function render(): void {
  const phase = session.phase;
  header.setStatus(session.status);
  header.setActionLabel(phase === 'idle' ? 'Initialise Secure Session' : 'End Session');
  byId('init-session', HTMLButtonElement).classList.toggle('btn-success', phase === 'idle');
  byId('init-session', HTMLButtonElement).classList.toggle('btn-danger', phase !== 'idle');
  byId('zone-input', HTMLInputElement).readOnly = phase !== 'idle';
  keyInput.readOnly = phase !== 'idle';
  const count = String(session.operatorsConnected);
  if (operatorCount.textContent !== count) operatorCount.textContent = count;
  zoneLabel.textContent = phase === 'idle' ? NO_VALUE : session.zone ?? NO_VALUE;
  if (phase === 'idle') encryptionLabel.textContent = NO_VALUE;
  sessionLabel.textContent = phase === 'publishing' ? (session.reconnecting ? 'reconnecting…' : session.relayed ? 'publishing via relay' : 'publishing') : phase;
  const track = session.stream?.getVideoTracks()[0];
  const capture = track?.getSettings();
  captureLabel.textContent =
    capture?.width && capture.height ? `${capture.width}×${capture.height} @ ${Math.round(capture.frameRate ?? 0)} fps` : NO_VALUE;
}

/** Fills #camera-select once labels are known (after permission), keeping the current choice. */
async function refreshCameraList(): Promise<void> {
  if (!navigator.mediaDevices?.enumerateDevices) return;
  const cameras = await listCameras().catch(() => []);
  const chosen = session.settings?.deviceId ?? cameraSelect.value;
  const options = [new Option('Default camera', DEFAULT_CAMERA)];
  for (const camera of cameras) options.push(new Option(camera.label, camera.deviceId));
  options.push(new Option('Test pattern (no camera)', TEST_PATTERN));
  cameraSelect.replaceChildren(...options);
  cameraSelect.value = options.some((option) => option.value === chosen) ? chosen : DEFAULT_CAMERA;
}

header.onSubmit(() => {
  if (session.phase !== 'idle') {
    session.stop();
    return;
  }
  const zone = header.readZone();
  const key = readKey();
  if (!zone || !key) return;
  storeApiKey(key, keyRemember.checked);
  alert.hide();
  void session.start(zone, settings(), key);
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

// `?source=test-pattern` picks the built-in pattern (installers, the latency benchmark).
if (new URLSearchParams(window.location.search).get('source') === TEST_PATTERN) cameraSelect.value = TEST_PATTERN;

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
