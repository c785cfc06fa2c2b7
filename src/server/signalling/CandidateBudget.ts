import type { PeerId } from '../../shared/index.ts';

/** Peers one connection keeps a count for; older ones are long gone (a camera's viewers come and go). */
const PEERS_TRACKED = 1_024;

/**
 * How many ICE candidates one connection has sent to each of its peers since its last
 * description for that peer (an offer, an answer, or a restart request, which brings both).
 * A browser trickles a handful; past the limit the sender is refused, so a thousand candidates
 * never reach the other end.
 */
export class CandidateBudget {
  readonly #sent = new Map<PeerId, number>();

  constructor(private readonly perDescription: number) {}

  /** Counts one more candidate to `peerId`; false once the description's budget is spent. */
  take(peerId: PeerId): boolean {
    const sent = this.#sent.get(peerId) ?? 0;
    if (sent >= this.perDescription) return false;
    this.#sent.delete(peerId);
    this.#sent.set(peerId, sent + 1);
    if (this.#sent.size > PEERS_TRACKED) this.#sent.delete(this.#sent.keys().next().value!);
    return true;
  }

  /** A new description for `peerId`: its candidates start from zero. */
  reset(peerId: PeerId): void {
    this.#sent.delete(peerId);
  }
}
