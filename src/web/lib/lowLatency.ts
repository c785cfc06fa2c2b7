/**
 * Sender and receiver settings for live monitoring. An operator watching a junction needs to see
 * motion as it happens: a smooth, current picture matters more than a sharp, late one.
 */

/**
 * Marks the camera track as motion video and asks the encoder to keep the frame rate when
 * bandwidth or CPU runs short. Why: live monitoring values temporal continuity — a vehicle that
 * jumps across the frame is worse evidence than a slightly softer picture — so under pressure we
 * let resolution drop instead of frames. Call after addTrack; failures leave the browser defaults.
 */
export async function tuneVideoSender(sender: RTCRtpSender): Promise<void> {
  if (sender.track && sender.track.kind === 'video') sender.track.contentHint = 'motion';
  try {
    const parameters = sender.getParameters();
    parameters.degradationPreference = 'maintain-framerate';
    await sender.setParameters(parameters);
  } catch {
    // Older browsers refuse degradationPreference; the stream still works with their default.
  }
}

/**
 * Puts H.264 (packetization mode 1, constrained baseline first) ahead of the browser's default
 * VP8 on the camera's transceiver; the viewer answers with the first codec both support, so a
 * browser without H.264 still gets VP8. Why: it is what IP cameras and video-wall decoders speak,
 * and Chromium's software H.264 encoder starts in ~10 ms where VP8's took ~165 ms (measured from
 * its WebRTC log), which is most of a first frame's budget. Failures leave the browser's order.
 */
export function preferH264(transceiver: RTCRtpTransceiver): void {
  const codecs = RTCRtpSender.getCapabilities?.('video')?.codecs;
  if (!codecs || typeof transceiver.setCodecPreferences !== 'function') return;
  const rank = (codec: RTCRtpCodec): number => {
    if (codec.mimeType.toLowerCase() !== 'video/h264' || !/packetization-mode=1/.test(codec.sdpFmtpLine ?? '')) return 2;
    return /profile-level-id=42e0/.test(codec.sdpFmtpLine ?? '') ? 0 : 1;
  };
  try {
    transceiver.setCodecPreferences([...codecs].sort((a, b) => rank(a) - rank(b)));
  } catch {
    // A browser that refuses the list keeps its own order.
  }
}

/**
 * Asks the receiver to play frames out as soon as they can be decoded. The default jitter buffer
 * trades delay for smoothness on lossy links; a monitoring wall on a managed network wants the
 * smallest delay. `playoutDelayHint` is Chromium's older name for the same knob.
 */
export function tuneVideoReceiver(receiver: RTCRtpReceiver): void {
  if ('jitterBufferTarget' in receiver) {
    try {
      (receiver as { jitterBufferTarget: number | null }).jitterBufferTarget = 0;
    } catch {
      // Out-of-range or unsupported: keep the default buffer.
    }
  }
  if ('playoutDelayHint' in receiver) {
    try {
      (receiver as { playoutDelayHint: number | null }).playoutDelayHint = 0;
    } catch {
      // As above.
    }
  }
}

/**
 * Where the camera's bandwidth estimate starts, in kbit/s. Chromium starts at 300 kbit/s, and
 * at that estimate its encoder drops the first frames of a 720p track and downscales it
 * (measured: the first frame left ~275 ms after DTLS was up, at 640×360). A control-room
 * network carries this easily; on a thinner link the estimator comes down within a second.
 */
export const START_BITRATE_KBPS = 2_000;

const NOT_MEDIA_CODECS = new Set(['rtx', 'red', 'ulpfec', 'flexfec-03']);

/**
 * The remote answer with `x-google-start-bitrate` on each video codec (Chromium reads it from
 * the codecs it sends with); other browsers ignore the parameter. Lines keep their CRLF endings.
 * @example withStartBitrate(answer, 2000)
 */
export function withStartBitrate(sdp: string, kbps: number): string {
  const lines = sdp.split('\r\n');
  const videoPayloads = new Set<string>();
  const withParameters = new Set<string>();
  let video = false;
  for (const line of lines) {
    if (line.startsWith('m=')) video = line.startsWith('m=video');
    const rtpmap = video ? /^a=rtpmap:(\d+) ([^/]+)\//.exec(line) : null;
    if (rtpmap && !NOT_MEDIA_CODECS.has(rtpmap[2]!.toLowerCase())) videoPayloads.add(rtpmap[1]!);
    const fmtp = /^a=fmtp:(\d+) /.exec(line);
    if (fmtp) withParameters.add(fmtp[1]!);
  }
  const param = `x-google-start-bitrate=${Math.round(kbps)}`;
  return lines.flatMap((line) => {
    const fmtp = /^a=fmtp:(\d+) (.*)$/.exec(line);
    if (fmtp && videoPayloads.has(fmtp[1]!)) {
      const params = fmtp[2]!.split(';').filter((p) => !p.trim().startsWith('x-google-start-bitrate='));
      return [`a=fmtp:${fmtp[1]} ${[...params, param].join(';')}`];
    }
    const rtpmap = /^a=rtpmap:(\d+) /.exec(line);
    return rtpmap && videoPayloads.has(rtpmap[1]!) && !withParameters.has(rtpmap[1]!) ? [line, `a=fmtp:${rtpmap[1]} ${param}`] : [line];
  }).join('\r\n');
}
