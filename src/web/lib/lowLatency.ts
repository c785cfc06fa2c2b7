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
