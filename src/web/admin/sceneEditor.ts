import { detectionSettingsSchema, privacyMasksSchema, type CameraProfileView, type MaskPolygon } from '../../shared/index.ts';
import { api, type ApiResult } from '../shared-ui/api.ts';
import { element } from '../shared-ui/dom.ts';

type Act = <T>(call: Promise<ApiResult<T>>, done?: string) => Promise<T | null>;
type Layer = 'masks' | 'motionZones' | 'ignoreZones';

const LAYERS: Record<Layer, { label: string; fill: string; stroke: string }> = {
  masks: { label: 'Privacy masks (blacked out before encoding: no one sees them)', fill: 'rgba(0,0,0,0.85)', stroke: '#ffffff' },
  motionZones: { label: 'Motion zones (detect only here; none: everywhere)', fill: 'rgba(62,207,142,0.3)', stroke: '#3ecf8e' },
  ignoreZones: { label: 'Ignore zones (never motion: a road, a tree, a flag)', fill: 'rgba(240,180,41,0.3)', stroke: '#f0b429' },
};

/**
 * Privacy masks and detection settings of one zone, drawn over its latest thumbnail (what its
 * camera sends: masked already where masks exist). Click to add a point, close a shape with
 * "Close shape" (or a click near its first point); each layer can be cleared. Saving sends the
 * masks and the settings (both audited); the camera applies them from its next frame.
 */
export function openSceneEditor(profile: CameraProfileView, act: Act): void {
  const shapes: Record<Layer, MaskPolygon[]> = { masks: [...profile.masks], motionZones: [...profile.detection.motionZones], ignoreZones: [...profile.detection.ignoreZones] };
  let layer: Layer = 'masks';
  let drawing: [number, number][] = [];

  const dialog = element('dialog', { className: 'vigil-dialog scene-editor', attributes: { 'data-dialog': 'scene-editor', 'aria-label': `Masks and detection of ${profile.zone}` } });
  const title = element('h2', { className: 'vigil-dialog-title', text: `${profile.zone}${profile.displayName ? ` · ${profile.displayName}` : ''}: masks and detection` });
  const layerSelect = element('select', { className: 'form-select form-select-sm', attributes: { 'aria-label': 'What to draw', 'data-field': 'layer' } });
  for (const [value, { label }] of Object.entries(LAYERS)) layerSelect.append(new Option(label, value));
  const canvas = element('canvas', { className: 'scene-canvas', attributes: { width: '640', height: '360', 'aria-label': 'The camera\'s picture: click to add a point', role: 'img' } });
  const picture = new Image();
  picture.src = `/api/thumbnails/${profile.zone}?t=${Date.now()}`;
  const close = element('button', { className: 'btn btn-outline-light btn-sm', text: 'Close shape', attributes: { type: 'button', 'data-action': 'close-shape' } });
  const clear = element('button', { className: 'btn btn-outline-light btn-sm', text: 'Clear this layer', attributes: { type: 'button', 'data-action': 'clear-layer' } });
  const threshold = element('input', { className: 'form-control form-control-sm', attributes: { type: 'number', min: '5', max: '120', step: '1', value: String(profile.detection.threshold), 'data-field': 'threshold', 'aria-label': 'Change threshold (luma, 5–120)' } });
  const minArea = element('input', { className: 'form-control form-control-sm', attributes: { type: 'number', min: '0.05', max: '50', step: '0.05', value: String(+(profile.detection.minArea * 100).toFixed(2)), 'data-field': 'min-area', 'aria-label': 'Minimum area, % of the watched picture' } });
  const settings = element('div', { className: 'scene-settings' });
  settings.append(element('label', { text: 'Threshold' }), threshold, element('label', { text: 'Minimum area %' }), minArea);
  const feedback = element('p', { className: 'form-text', attributes: { role: 'status' } });
  // An IP camera's masks are the gateway's to burn in: the admin should know what that costs.
  const where = element('p', {
    className: 'form-text', attributes: { 'data-field': 'mask-where' },
    text: profile.ipCamera
      ? 'An IP camera: the gateway burns its masks in. With masks, its ffmpeg decodes and re-encodes the camera (more CPU, about 0.1 s more delay), and its picture restarts for 1–2 s when they change.'
      : 'Burned in at the camera node, before its encoder: nothing unmasked leaves it.',
  });
  const actions = element('div', { className: 'vigil-dialog-actions' });
  const cancel = element('button', { className: 'btn btn-outline-light btn-sm', text: 'Cancel', attributes: { type: 'button', 'data-action': 'cancel' } });
  const save = element('button', { className: 'btn btn-primary btn-sm', text: 'Save', attributes: { type: 'button', 'data-action': 'confirm' } });
  actions.append(cancel, save);
  const tools = element('div', { className: 'scene-tools' });
  tools.append(layerSelect, close, clear);
  dialog.append(title, tools, canvas, where, settings, feedback, actions);
  document.body.append(dialog);

  const ctx = canvas.getContext('2d')!;
  const draw = () => {
    ctx.fillStyle = '#000';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    if (picture.complete && picture.naturalWidth > 0) ctx.drawImage(picture, 0, 0, canvas.width, canvas.height);
    for (const name of Object.keys(LAYERS) as Layer[]) {
      for (const shape of shapes[name]) path(shape, LAYERS[name].fill, LAYERS[name].stroke);
    }
    if (drawing.length > 0) path(drawing, 'rgba(255,255,255,0.15)', '#ffffff', false);
    feedback.textContent = `${shapes.masks.length} masks · ${shapes.motionZones.length} motion zones · ${shapes.ignoreZones.length} ignore zones${drawing.length ? ` · drawing: ${drawing.length} points` : ''}`;
  };
  const path = (points: readonly (readonly [number, number])[], fill: string, stroke: string, closed = true) => {
    ctx.beginPath();
    points.forEach(([x, y], i) => (i === 0 ? ctx.moveTo(x * canvas.width, y * canvas.height) : ctx.lineTo(x * canvas.width, y * canvas.height)));
    if (closed) {
      ctx.closePath();
      ctx.fillStyle = fill;
      ctx.fill();
    }
    ctx.strokeStyle = stroke;
    ctx.lineWidth = 2;
    ctx.stroke();
  };
  const finish = () => {
    if (drawing.length >= 3) shapes[layer].push(drawing);
    drawing = [];
    draw();
  };
  picture.onload = draw;
  picture.onerror = draw;
  canvas.addEventListener('click', (event) => {
    const box = canvas.getBoundingClientRect();
    const point: [number, number] = [clamp((event.clientX - box.left) / box.width), clamp((event.clientY - box.top) / box.height)];
    const first = drawing[0];
    if (first && drawing.length >= 3 && Math.hypot((first[0] - point[0]) * box.width, (first[1] - point[1]) * box.height) < 10) return finish();
    drawing.push(point);
    draw();
  });
  layerSelect.addEventListener('change', () => {
    finish();
    layer = layerSelect.value as Layer;
  });
  close.addEventListener('click', finish);
  clear.addEventListener('click', () => {
    shapes[layer] = [];
    drawing = [];
    draw();
  });
  cancel.addEventListener('click', () => dialog.close());
  dialog.addEventListener('close', () => dialog.remove());
  save.addEventListener('click', () => {
    finish();
    const masks = privacyMasksSchema.safeParse({ masks: shapes.masks });
    const detection = detectionSettingsSchema.safeParse({ threshold: Number(threshold.value), minArea: Number(minArea.value) / 100, motionZones: shapes.motionZones, ignoreZones: shapes.ignoreZones });
    const problem = !masks.success ? masks.error.issues[0] : !detection.success ? detection.error.issues[0] : null;
    if (problem) {
      feedback.textContent = `${problem.path.join('.')}: ${problem.message}`;
      return;
    }
    void (async () => {
      const zone = encodeURIComponent(profile.zone);
      const savedMasks = await act(api('PUT', `/api/camera-profiles/${zone}/masks`, masks.data!));
      const savedDetection = savedMasks && (await act(api('PUT', `/api/camera-profiles/${zone}/detection`, detection.data!), `${profile.zone}: masks and detection saved; its camera applies them from its next frame.`));
      if (savedDetection) dialog.close();
    })();
  });
  dialog.showModal();
  draw();
}

const clamp = (value: number) => Math.min(1, Math.max(0, Math.round(value * 1000) / 1000));
