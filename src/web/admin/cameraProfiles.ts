import { cameraProfileSchema, normaliseZoneInput, type CameraProfileView } from '../../shared/index.ts';
import { api, type ApiResult } from '../shared-ui/api.ts';
import { whileBusy } from '../shared-ui/busy.ts';
import { byId } from '../shared-ui/dom.ts';
import { actionButton, actionsCell, cell, confirmingButton, timeCell } from '../shared-ui/table.ts';
import { openSceneEditor } from './sceneEditor.ts';

/**
 * The admin page's named cameras: each zone's camera with the name, place and group operators
 * see in their directory. Edit fills the form; Forget drops a camera that is gone for good.
 */
type Act = <T>(call: Promise<ApiResult<T>>, done?: string) => Promise<T | null>;

const FIELDS = ['name', 'location', 'group', 'description'] as const;
const field = (name: string) => byId(`profile-${name}`, HTMLInputElement);
// A typo is NaN, which the schema refuses with a message.
const coordinate = (name: 'latitude' | 'longitude'): number | null => {
  const text = field(name).value.trim().replace(',', '.');
  return text === '' ? null : Number(text);
};

function edit(profile: CameraProfileView): void {
  field('zone').value = profile.zone;
  for (const name of FIELDS) field(name).value = profile[name] ?? '';
  field('latitude').value = profile.latitude === null ? '' : String(profile.latitude);
  field('longitude').value = profile.longitude === null ? '' : String(profile.longitude);
  field('name').focus();
}

export function renderCameraProfiles(profiles: readonly CameraProfileView[], act: Act): void {
  byId('profiles-body', HTMLElement).replaceChildren(...profiles.map((p) => {
    const row = document.createElement('tr');
    row.dataset.zone = p.zone;
    const name = cell(p.name ?? (p.keyLabel ? `${p.keyLabel} (key label)` : '–'));
    const place = cell([p.location, p.latitude !== null ? `${p.latitude.toFixed(5)}, ${p.longitude!.toFixed(5)}` : null].filter(Boolean).join(' · ') || '–');
    if (p.description) place.title = p.description;
    const seen = p.lastSeenAt ? timeCell(p.lastSeenAt) : cell('never');
    const key = cell(p.keyRevoked ? `${p.keyLabel ?? '?'} (revoked)` : p.keyLabel ?? '–', p.keyRevoked ? 'text-danger' : '');
    row.append(cell(p.zone, 'font-monospace'), name, place, cell(p.group ?? '–'), seen, key, actionsCell(
      actionButton('Edit', 'edit', () => edit(p), 'outline-light'),
      actionButton(`Masks & detection${p.masks.length ? ` (${p.masks.length})` : ''}`, 'scene', () => openSceneEditor(p, act), 'outline-light'),
      recordButton(p, act),
      confirmingButton('Forget', 'forget', () => void act(api('DELETE', `/api/camera-profiles/${p.zone}`), `${p.zone} forgotten.`)),
    ));
    return row;
  }));
}

/**
 * Evidence recording on or off: the camera keeps its last ~30 s for clips. A camera node that
 * publishes itself then sends through the relay even with no viewer: the button says so.
 */
function recordButton(p: CameraProfileView, act: Act): HTMLButtonElement {
  const button = actionButton(p.record ? 'Recording ●' : 'Record', 'record', () => void act(
    api('PUT', `/api/camera-profiles/${p.zone}/recording`, { record: !p.record }),
    p.record ? `${p.zone} is no longer recorded.` : `${p.zone} is recorded: its camera keeps ~30 s for clips${p.ipCamera ? '' : ' and now sends through the relay'}.`,
  ), p.record ? 'danger' : 'outline-light');
  button.setAttribute('aria-pressed', String(p.record));
  button.title = p.record
    ? 'Recorded: clips of events and operators\' clicks. Click to stop.'
    : `Keep the last ~30 s for clips${p.ipCamera ? '' : ' (the camera then sends its video through the gateway\'s relay, viewers or not)'}.`;
  return button;
}

export function initCameraProfileForm(act: Act, invalid: (message: string) => void): void {
  const form = byId('profile-form', HTMLFormElement);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const zone = normaliseZoneInput(field('zone').value);
    const parsed = cameraProfileSchema.safeParse({
      ...Object.fromEntries(FIELDS.map((name) => [name, field(name).value])),
      latitude: coordinate('latitude'),
      longitude: coordinate('longitude'),
    });
    if (!zone) return invalid('zone: enter the zone of the camera');
    if (!parsed.success) return invalid(`${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}`);
    void whileBusy(form, () => act(api('PUT', `/api/camera-profiles/${encodeURIComponent(zone)}`, parsed.data), `${zone} saved.`)).then((done) => {
      if (done) form.reset();
    });
  });
}
