/**
 * Size limits sized for WebRTC signalling, not for file transfer.
 * A Chrome offer with audio+video and simulcast is ~6-10 KB; 64 KiB leaves room and no more.
 */
export const Limits = {
  /** Largest SDP (offer or answer) relayed, in characters. */
  sdpMaxLength: 64 * 1024,
  /** Largest ICE candidate line (RFC 8839 lines are ~100-200 characters). */
  candidateMaxLength: 1024,
  /** Largest Socket.IO packet the server accepts; bigger packets close the connection. */
  maxPacketBytes: 96 * 1024,
  /** Zones one operator connection may watch at once (a 4x4 video wall). */
  maxWatchedZones: 16,
  /** Peer ids are opaque; clients never build them. */
  peerIdMaxLength: 64,
  /** Camera API keys are `vk_` + 43 base64url characters; anything much longer is not one. */
  apiKeyMaxLength: 128,
  /** Resume tokens let a reconnecting camera take its own zone back. */
  resumeTokenLength: 43,
  /**
   * ICE candidates one end may trickle to a peer per description (offer, answer or restart).
   * A browser gathers a handful per network interface; a thousand is an attack.
   */
  maxCandidatesPerDescription: 64,
  /**
   * What the gateway holds for one connection that it could not hand to the network yet (text
   * counted in characters). A client that stops reading passes it within a second of relaying and
   * is disconnected (`SEND_BUFFER_FULL`), so one stalled console cannot grow the gateway's memory.
   */
  maxPendingSendBytes: 1024 * 1024,
  /** The same bound in packets, for floods of small ones. */
  maxPendingSendPackets: 4_096,
  /** Peers a camera may ask to keep when it publishes again (its live connections). */
  maxResumePeers: 256,
  /** A directory thumbnail a camera node sends (a small JPEG, ~5–15 KB at 192×108), in bytes. */
  maxThumbnailBytes: 32 * 1024,
  /** Directory thumbnails' width in pixels, wherever they are made (camera page, gateway, edge node). */
  thumbnailWidth: 192,
  /** An operator's note on an event, in characters. */
  maxEventNoteLength: 500,
} as const;

/** Timings shared by server and clients, in milliseconds. */
export const Timing = {
  /**
   * Engine.IO heartbeat: a dead link is noticed within interval + timeout (20 s). Tighter values
   * dropped healthy clients under load (bench: 3,885 of 10,000 at 5 s + 5 s); a camera that
   * reconnects sooner takes its zone back at once with its resume token.
   */
  pingIntervalMs: 10_000,
  pingTimeoutMs: 10_000,
  /** Directory updates are coalesced so a burst of joins costs one push. */
  directoryCoalesceMs: 100,
  /** A camera node sends its directory thumbnail this often; the gateway takes one per zone per half of it at most. */
  thumbnailIntervalMs: 5_000,
  /** Consoles send their tiles' network quality upstream this often (for /metrics). */
  qualityReportIntervalMs: 5_000,
  /** A zone's quality figures older than this are dropped (the console went quiet). */
  qualityStaleMs: 15_000,
  /**
   * After a gateway restart, how long a peer the camera asked to keep waits for its viewer to
   * claim it too (both reconnect with jittered backoff of up to 5 s); then the camera is told the
   * viewer left. A viewer's claim waits for its camera as long as the view lasts.
   */
  resumeGraceMs: 15_000,
  /**
   * When a zone moves to the relay, a viewer keeps its peer-to-peer connection playing until its
   * relay connection shows a picture (it then sends `signal:close`); after this long the old
   * connection is closed whatever the viewer said.
   */
  relaySwitchMs: 10_000,
  /**
   * A tile whose connection is still not up this long after its offer starts its view again
   * (unwatch, watch: a new pairing, new connections at both ends). Seen once in a while among 16
   * connections set up at once with the relay: one stays "connecting" and nothing else would end it.
   */
  viewStuckMs: 12_000,
} as const;
