import { normaliseZoneInput, retentionSchema, type EvidenceView } from '../../shared/index.ts';
import { api, type ApiResult } from '../shared-ui/api.ts';
import { whileBusy } from '../shared-ui/busy.ts';
import { byId } from '../shared-ui/dom.ts';
import { actionButton, actionsCell, cell, timeCell } from '../shared-ui/table.ts';
import { playClip } from '../shared-ui/clipPlayer.ts';

type Act = <T>(call: Promise<ApiResult<T>>, done?: string) => Promise<T | null>;

/** The admin page's evidence: every clip with its hash and hold, and each camera's retention. */
export function renderEvidence(clips: readonly EvidenceView[], act: Act): void {
  byId('evidence-body', HTMLElement).replaceChildren(...clips.map((c) => {
    const row = document.createElement('tr');
    row.dataset.evidence = String(c.id);
    const seconds = Math.round((Date.parse(c.endedAt) - Date.parse(c.startedAt)) / 1000);
    row.append(cell(c.zone, 'font-monospace'), timeCell(c.startedAt), cell(`${seconds} s`), cell(`${(c.bytes / 1024 / 1024).toFixed(1)} MB`),
      cell(`${c.sha256.slice(0, 16)}…`, 'font-monospace small'), cell(c.held ? 'legal hold' : '–', c.held ? 'text-warning' : ''),
      actionsCell(
        actionButton('Play', 'play', () => playClip(c), 'outline-light'),
        actionButton(c.held ? 'Release hold' : 'Hold', 'hold', () => void act(api('PUT', `/api/evidence/${c.id}/hold`, { held: !c.held }), c.held ? 'Released: retention may delete it.' : 'Under legal hold: retention never deletes it.'), 'outline-warning'),
      ));
    row.cells[4]!.title = c.sha256;
    return row;
  }));
}

export function initRetentionForm(act: Act, invalid: (message: string) => void): void {
  const form = byId('retention-form', HTMLFormElement);
  const number = (id: string) => {
    const text = byId(id, HTMLInputElement).value.trim();
    return text === '' ? null : Number(text);
  };
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const zone = normaliseZoneInput(byId('retention-zone', HTMLInputElement).value);
    const parsed = retentionSchema.safeParse({ days: number('retention-days'), megabytes: number('retention-mb') });
    if (!zone) return invalid('zone: enter the zone of the camera');
    if (!parsed.success) return invalid(`${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}`);
    void whileBusy(form, () => act(api('PUT', `/api/camera-profiles/${encodeURIComponent(zone)}/retention`, parsed.data), `${zone}: retention set.`)).then((done) => {
      if (done) form.reset();
    });
  });
}
