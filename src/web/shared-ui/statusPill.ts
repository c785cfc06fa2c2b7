import type { SignallingState } from '../lib/SignallingSession.ts';

export type ConnectionStatus = 'DISCONNECTED' | 'UNREACHABLE' | 'CONNECTED' | 'STREAMING';

/**
 * The header's status pill. UNREACHABLE while the gateway cannot be reached after it was (video
 * already flowing peer to peer goes on meanwhile: the tiles show it); otherwise STREAMING when at
 * least one peer connection carries video, CONNECTED when signalling is up, DISCONNECTED.
 */
export function statusOf(signalling: SignallingState, streaming: boolean): ConnectionStatus {
  if (signalling === 'lost') return 'UNREACHABLE';
  if (streaming) return 'STREAMING';
  return signalling === 'up' ? 'CONNECTED' : 'DISCONNECTED';
}

export function renderStatus(pill: HTMLElement, status: ConnectionStatus): void {
  if (pill.textContent === status) return;
  pill.textContent = status;
  pill.dataset.status = status.toLowerCase();
}
