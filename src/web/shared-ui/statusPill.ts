export type ConnectionStatus = 'DISCONNECTED' | 'CONNECTED' | 'STREAMING';

/**
 * The header's status pill. STREAMING when at least one peer connection carries video,
 * CONNECTED when signalling is up, DISCONNECTED otherwise.
 */
export function statusOf(signallingUp: boolean, streaming: boolean): ConnectionStatus {
  if (streaming) return 'STREAMING';
  return signallingUp ? 'CONNECTED' : 'DISCONNECTED';
}

export function renderStatus(pill: HTMLElement, status: ConnectionStatus): void {
  if (pill.textContent === status) return;
  pill.textContent = status;
  pill.dataset.status = status.toLowerCase();
}
