import type { EvidenceView } from '../../shared/index.ts';
import { playClip } from './clipPlayer.ts';
import { hhmmss } from './clock.ts';
import { element } from './dom.ts';

/**
 * One camera's evidence clips, newest first, in a modal `<dialog>`: when, how long, what cut it
 * (an event or an operator's click) and whether it is under legal hold; Play opens the clip
 * player, Download saves it (each audited by the gateway). Only clips of zones the viewer may
 * watch are ever listed.
 */
export function openClipList(zone: string, clips: readonly EvidenceView[]): void {
  const dialog = element('dialog', { className: 'vigil-dialog clip-list-dialog', attributes: { 'data-dialog': 'clip-list', 'aria-label': `Clips of ${zone}` } });
  const title = element('h2', { className: 'vigil-dialog-title', text: `Clips of ${zone}` });
  const body = element('div', { className: 'vigil-dialog-body clip-list' });
  if (clips.length === 0) {
    body.append(element('p', { text: `No clips of ${zone} yet. Its clips are kept when an admin turns Record on for it (Admin → Named cameras), or for an IP camera with detection.` }));
  } else {
    const list = element('ul', { className: 'list-unstyled clip-rows' });
    for (const clip of clips) {
      const seconds = Math.round((Date.parse(clip.endedAt) - Date.parse(clip.startedAt)) / 1000);
      const row = element('li', { className: 'clip-row', attributes: { 'data-evidence': String(clip.id) } });
      const what = clip.eventId !== null ? `event #${clip.eventId}` : `saved by ${clip.createdBy}`;
      row.append(element('span', { className: 'clip-when', text: `${hhmmss(clip.startedAt)}–${hhmmss(clip.endedAt)} · ${seconds} s · ${what}${clip.held ? ' · legal hold' : ''}` }));
      const play = element('button', { className: 'btn btn-outline-light btn-sm', text: 'Play', attributes: { type: 'button', 'data-action': 'play', 'aria-label': `Play the clip of ${hhmmss(clip.startedAt)}` } });
      play.addEventListener('click', () => {
        dialog.close();
        playClip(clip);
      });
      const download = element('a', { className: 'btn btn-outline-light btn-sm', text: 'Download', attributes: { href: `/api/evidence/${clip.id}/clip.mp4?download=1`, download: '', 'data-action': 'download' } });
      row.append(play, download);
      list.append(row);
    }
    body.append(list);
  }
  const actions = element('div', { className: 'vigil-dialog-actions' });
  const close = element('button', { className: 'btn btn-primary btn-sm', text: 'Close', attributes: { type: 'button', 'data-action': 'cancel' } });
  actions.append(close);
  dialog.append(title, body, actions);
  document.body.append(dialog);
  close.addEventListener('click', () => dialog.close());
  dialog.addEventListener('close', () => dialog.remove());
  dialog.showModal();
  close.focus();
}
