/** Rejection of work that was queued on a peer connection that has since closed. */
export class QueueClosedError extends Error {
  constructor() {
    super('The peer connection was closed before this step ran.');
    this.name = 'QueueClosedError';
  }
}

/**
 * Runs tasks one at a time, in the order they were queued. An RTCPeerConnection must not see
 * addIceCandidate while setRemoteDescription is still pending, nor two offers interleaved; every
 * operation on one connection goes through its queue. A failing task does not stop the ones after it.
 */
export class PeerQueue {
  #tail: Promise<unknown> = Promise.resolve();
  #closed = false;

  get closed(): boolean {
    return this.#closed;
  }

  run<T>(task: () => T | Promise<T>): Promise<T> {
    const result = this.#tail.then(() => {
      if (this.#closed) throw new QueueClosedError();
      return task();
    });
    this.#tail = result.catch(() => undefined);
    return result;
  }

  /** Tasks still waiting are rejected with QueueClosedError; the one running finishes. Idempotent. */
  close(): void {
    this.#closed = true;
  }
}
