import type { EvidenceView } from '../../shared/index.ts';
import { hhmmss } from './clock.ts';
import { element } from './dom.ts';

/**
 * Plays an evidence clip from the gateway in a modal `<dialog>`, with its time span, its SHA-256
 * (what the audit trail recorded) and a download link. Playing and downloading are each audited
 * by the gateway; the clip never leaves for anyone whose grants do not cover its zone.
 */
export function playClip(clip: Pick<EvidenceView, 'id' | 'zone'> & Partial<EvidenceView>): void {
  const dialog = element('dialog', { className: 'vigil-dialog clip-dialog', attributes: { 'data-dialog': 'clip', 'aria-label': `Clip of ${clip.zone}` } });
  const title = element('h2', { className: 'vigil-dialog-title', text: `${clip.zone}${clip.camera ? ` · ${clip.camera}` : ''}${clip.startedAt && clip.endedAt ? ` · ${hhmmss(clip.startedAt)}–${hhmmss(clip.endedAt)}` : ''}` });
  const video = element('video', { className: 'clip-video', attributes: { controls: '', autoplay: '', muted: '', playsinline: '', poster: `/api/evidence/${clip.id}/snapshot.jpg`, src: `/api/evidence/${clip.id}/clip.mp4` } });
  video.muted = true;
  const facts = element('p', { className: 'vigil-dialog-body clip-facts', text: clip.sha256 ? `SHA-256 ${clip.sha256}` : '' });
  const actions = element('div', { className: 'vigil-dialog-actions' });
  const download = element('a', { className: 'btn btn-outline-light btn-sm', text: 'Download', attributes: { href: `/api/evidence/${clip.id}/clip.mp4?download=1`, download: '' } });
  const close = element('button', { className: 'btn btn-primary btn-sm', text: 'Close', attributes: { type: 'button', 'data-action': 'cancel' } });
  actions.append(download, close);
  dialog.append(title, video, facts, actions);
  document.body.append(dialog);
  close.addEventListener('click', () => dialog.close());
  dialog.addEventListener('close', () => {
    video.removeAttribute('src');
    video.load();
    dialog.remove();
  });
  dialog.showModal();
  close.focus();
}

/** An event's snapshot (the picture the camera node sent with it), in the same kind of dialog; the gateway audits the look. */
export function showPicture(title: string, src: string): void {
  const dialog = element('dialog', { className: 'vigil-dialog clip-dialog', attributes: { 'data-dialog': 'picture', 'aria-label': title } });
  const picture = element('img', { className: 'clip-video', attributes: { src, alt: title } });
  const actions = element('div', { className: 'vigil-dialog-actions' });
  const close = element('button', { className: 'btn btn-primary btn-sm', text: 'Close', attributes: { type: 'button', 'data-action': 'cancel' } });
  actions.append(close);
  dialog.append(element('h2', { className: 'vigil-dialog-title', text: title }), picture, actions);
  document.body.append(dialog);
  close.addEventListener('click', () => dialog.close());
  dialog.addEventListener('close', () => dialog.remove());
  dialog.showModal();
  close.focus();
}
