import {
  cameraConnectionSchema, createCameraSchema, discoverySchema, onvifTargetSchema, type CameraProbe, type CameraStatus, type CameraView, type DiscoveredCamera,
  type EdgeCameraView, type NetworkInterfaceView, type OnvifDescription,
} from '../../shared/index.ts';
import { api, type ApiResult } from '../shared-ui/api.ts';
import { byId, element } from '../shared-ui/dom.ts';
import { actionsCell, cell, confirmingButton, timeCell, when } from '../shared-ui/table.ts';

/**
 * The admin page's IP cameras: test a camera's settings (what it sends, or why it cannot be
 * read), add it, see each camera's status with the reason, remove it. The password field is
 * sent once and never shown back; a camera of the config file is changed there.
 */
type Act = <T>(call: Promise<ApiResult<T>>) => Promise<T | null>;
type Ask = <T>(path: string, body: unknown, pending: string, show: (reply: T) => void) => void;

const STATUS_TEXT: Record<CameraStatus, string> = {
  connecting: 'connecting', live: 'live', auth_failed: 'wrong user or password', unreachable: 'unreachable',
  unsupported_codec: 'unsupported video', stalled: 'stalled', relay_disabled: 'relay disabled', zone_busy: 'zone busy',
};

export function describeVideo(probe: CameraProbe | null): string {
  if (!probe) return '–';
  const gop = probe.gopSeconds === null ? '' : `, GOP ${probe.gopSeconds} s`;
  const audio = probe.audio ? `, audio ${probe.audio} not carried` : '';
  return `${probe.codec}${probe.profile ? ` ${probe.profile}` : ''} ${probe.width}×${probe.height} ${probe.fps ?? '?'} fps${gop}${probe.bFrames ? ', B-frames' : ''}${audio}`;
}

export function renderCameras(cameras: CameraView[], act: Act): void {
  byId('cameras-body', HTMLElement).replaceChildren(...cameras.map((c) => {
    const row = document.createElement('tr');
    row.dataset.zone = c.zone;
    row.dataset.status = c.status;
    const status = cell(STATUS_TEXT[c.status], c.status === 'live' ? 'text-success' : 'text-warning');
    if (c.reason) status.title = c.reason;
    const reason = document.createElement('div');
    reason.className = 'small text-secondary';
    reason.textContent = c.reason ?? '';
    status.append(reason);
    const actions = c.origin === 'config' ? [] : [confirmingButton('Remove', 'remove', () => void act(api('DELETE', `/api/cameras/${c.id}`)))];
    const cpu = `${c.cpuPercent === null ? '' : ` · ffmpeg ${c.cpuPercent} % CPU${c.masked ? ' (re-encoding to burn in privacy masks)' : c.transcode ? ' (transcoding)' : ''}`}${c.detect ? ' · detecting motion and tampering' : ''}`;
    row.append(cell(c.zone), cell(c.name), cell(`${c.url}${c.username ? ` (as ${c.username})` : ''}${c.onvif ? ` · ONVIF ${c.onvif.host}:${c.onvif.port}` : ''}`, 'font-monospace small'),
      cell(`${describeVideo(c.probe)}${cpu}`), status, timeCell(c.since), actionsCell(...actions));
    return row;
  }));
}

/** The cameras edge nodes pull at their sites, with the status and reason each node reports. */
export function renderEdgeCameras(cameras: EdgeCameraView[]): void {
  byId('edge-cameras-body', HTMLElement).replaceChildren(...cameras.map((c) => {
    const row = document.createElement('tr');
    row.dataset.zone = c.zone;
    row.dataset.status = c.status;
    const status = cell(STATUS_TEXT[c.status], c.status === 'live' ? 'text-success' : 'text-warning');
    if (c.reason) status.append(element('div', { className: 'small text-secondary', text: c.reason }));
    row.append(cell(c.zone), cell(c.name), status, timeCell(c.since), cell(c.key));
    return row;
  }));
}

export function initCameraForm(act: Act, invalid: (message: string) => void): void {
  const value = (id: string) => byId(id, HTMLInputElement).value;
  const connection = () => ({
    url: value('camera-url').trim(), username: value('camera-user') || undefined, password: value('camera-password') || undefined,
    transport: byId('camera-transport', HTMLSelectElement).value,
  });
  const result = byId('camera-test-result', HTMLElement);
  /** What ONVIF said, while the URL is still the one it gave: the camera is added with its ONVIF endpoint (PTZ). */
  let found: { host: string; port: number; profile: string; streamUrl: string } | null = null;
  /** Asks the gateway to reach the camera (it takes seconds), saying so meanwhile, then `show`s what came back. */
  const ask: Ask = <T>(path: string, body: unknown, pending: string, show: (reply: T) => void): void => {
    result.hidden = false;
    result.textContent = pending;
    void api<T>('POST', path, body).then((reply) => {
      if (reply.ok) show(reply.data);
      else result.textContent = `${reply.error.code}: ${reply.error.message}`;
    });
  };
  byId('camera-test', HTMLButtonElement).addEventListener('click', () => {
    const parsed = cameraConnectionSchema.safeParse(connection());
    if (!parsed.success) return invalid(`${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}`);
    ask<{ probe: CameraProbe | null; status: CameraStatus; reason: string | null }>('/api/cameras/test', parsed.data, 'Reading the camera for a few seconds…', ({ probe, status, reason }) => {
      result.dataset.status = status;
      result.textContent = probe ? `${describeVideo(probe)}: ${reason ?? 'plays as sent.'}` : `${STATUS_TEXT[status]}: ${reason ?? ''}`;
    });
  });
  initDiscovery(ask, invalid);
  byId('camera-onvif', HTMLButtonElement).addEventListener('click', () => {
    const parsed = onvifTargetSchema.safeParse({
      host: value('camera-onvif-host').trim(), port: Number(value('camera-onvif-port') || 80),
      username: value('camera-user') || undefined, password: value('camera-password') || undefined,
    });
    if (!parsed.success) return invalid(`${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}`);
    ask<{ onvif: OnvifDescription | null; status: CameraStatus; reason: string | null }>('/api/cameras/onvif', parsed.data, 'Asking the camera over ONVIF…', ({ onvif, status, reason }) => {
      result.dataset.status = onvif ? 'onvif' : status;
      if (!onvif) {
        result.textContent = `${STATUS_TEXT[status]}: ${reason ?? ''}`;
        return;
      }
      byId('camera-url', HTMLInputElement).value = onvif.streamUrl;
      found = { host: parsed.data.host, port: parsed.data.port, profile: onvif.profile, streamUrl: onvif.streamUrl };
      const chosen = onvif.profiles.find((p) => p.token === onvif.profile);
      const clock = Math.abs(onvif.clockOffsetSeconds) > 5 ? `; its clock is ${onvif.clockOffsetSeconds > 0 ? '+' : ''}${onvif.clockOffsetSeconds} s off` : '';
      result.textContent = `${[onvif.manufacturer, onvif.model].filter(Boolean).join(' ') || 'ONVIF camera'}: ${chosen?.name ?? onvif.profile} ${chosen?.width ?? '?'}×${chosen?.height ?? '?'} ${chosen?.encoding ?? ''}, stream ${onvif.streamUrl}${clock}. Test the connection, then add it.`;
    });
  });
  byId('camera-form', HTMLFormElement).addEventListener('submit', (event) => {
    event.preventDefault();
    const onvif = found && found.streamUrl === connection().url ? { host: found.host, port: found.port, profile: found.profile } : undefined;
    const parsed = createCameraSchema.safeParse({
      ...connection(), zone: value('camera-zone').trim().toUpperCase(), name: value('camera-name'), transcode: byId('camera-transcode', HTMLInputElement).checked,
      detect: byId('camera-detect', HTMLInputElement).checked,
      ...(onvif ? { onvif } : {}),
    });
    if (!parsed.success) return invalid(`${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}`);
    void act(api('POST', '/api/cameras', parsed.data)).then((done) => {
      if (!done) return;
      byId('camera-form', HTMLFormElement).reset();
      found = null;
      result.hidden = true;
    });
  });
}

/**
 * ONVIF discovery: the admin picks the gateway's interface on the camera network, the cameras
 * there say where they are, and "Use" puts one's address in the ONVIF fields (then "Find stream").
 */
function initDiscovery(ask: Ask, invalid: (message: string) => void): void {
  const select = byId('camera-discover-interface', HTMLSelectElement);
  const list = byId('camera-discovered', HTMLElement);
  void api<{ interfaces: NetworkInterfaceView[] }>('GET', '/api/cameras/interfaces').then((reply) => {
    if (reply.ok) select.replaceChildren(...reply.data.interfaces.map((i) => new Option(`${i.name} (${i.address})`, i.name)));
  });
  const row = (camera: DiscoveredCamera): HTMLElement => {
    const item = element('li', { className: 'list-group-item d-flex justify-content-between align-items-center', attributes: { 'data-discovered': `${camera.host}:${camera.port}` } });
    const what = [camera.name, camera.hardware].filter(Boolean).join(' · ') || 'ONVIF camera';
    const use = element('button', { className: 'btn btn-sm btn-outline-success', text: 'Use', attributes: { type: 'button', 'data-action': 'use' } });
    use.addEventListener('click', () => {
      byId('camera-onvif-host', HTMLInputElement).value = camera.host;
      byId('camera-onvif-port', HTMLInputElement).value = String(camera.port);
      byId('camera-name', HTMLInputElement).value ||= camera.name ?? '';
    });
    item.append(element('span', { text: `${what} at ${camera.host}:${camera.port}${camera.location ? ` (${camera.location})` : ''}` }), use);
    return item;
  };
  byId('camera-discover', HTMLButtonElement).addEventListener('click', () => {
    const parsed = discoverySchema.safeParse({ interface: select.value });
    if (!parsed.success) return invalid('Choose the network the cameras are on.');
    ask<{ cameras: DiscoveredCamera[] }>('/api/cameras/discover', parsed.data, `Asking the cameras on ${parsed.data.interface}…`, ({ cameras }) => {
      byId('camera-test-result', HTMLElement).textContent = `${cameras.length} ONVIF ${cameras.length === 1 ? 'camera' : 'cameras'} answered on ${parsed.data.interface}.`;
      list.hidden = cameras.length === 0;
      list.replaceChildren(...cameras.map(row));
    });
  });
}
