/**
 * The evidence ring buffer's format, written by an IP camera's ffmpeg (FfmpegPullOptions.ringDir)
 * and by the relay's recorder of a browser camera (RtpRecorder), read by RingBuffer: MPEG-TS
 * segments of RING_SEGMENT_SECONDS cut at keyframes, the last RING_SEGMENTS kept, listed as they
 * complete in `segments.csv` (one fewer than kept: the name being rewritten is never listed).
 */
export const RING_SEGMENT_SECONDS = 2;
export const RING_SEGMENTS = 16;

/** The segment muxer's options. */
export const ringOptions = (ringDir: string): [string, string][] => [
  ['segment_time', String(RING_SEGMENT_SECONDS)], ['segment_wrap', String(RING_SEGMENTS)], ['segment_list', `${ringDir}/segments.csv`],
  ['segment_list_type', 'csv'], ['segment_list_size', String(RING_SEGMENTS - 1)], ['reset_timestamps', '1'], ['segment_format', 'mpegts'],
];
export const ringFile = (ringDir: string): string => `${ringDir}/seg%02d.ts`;
/** The ring buffer as one output of an ffmpeg command line. */
export const ringArgs = (ringDir: string): string[] => ['-f', 'segment', ...ringOptions(ringDir).flatMap(([key, value]) => [`-${key}`, value]), ringFile(ringDir)];
