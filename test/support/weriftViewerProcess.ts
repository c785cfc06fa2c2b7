/**
 * A child process (of the relay bench, or a test) holding non-browser viewers (test/support/weriftViewer.ts:
 * an operator socket and a werift peer counting frames by RTP marker bits). Kept out of the
 * bench's own process, which also runs the gateway's signalling and drives Chromium: dozens of
 * SRTP receivers there would slow both and so the figures being measured.
 */
import { connect } from './clients.ts';
import { WeriftViewer } from './weriftViewer.ts';

export type ViewerCommand =
  /** `zone`: the one to watch, when not the process's WERIFT_VIEWERS_ZONE. */
  | { type: 'add'; count: number; zone?: string }
  | { type: 'sample' }
  | { type: 'close' };

export interface ViewerSample {
  /** Date.now() and this process's CPU (user + system) in µs since it started. */
  at: number;
  cpuMicros: number;
  viewers: { zone: string; frames: number; keyframes: number; packets: number; bytes: number; firstFrameMs: number | null; state: string; via: string | undefined }[];
}

export type ViewerReport =
  | { type: 'ready' }
  | { type: 'added'; failed: string[] }
  | ({ type: 'sample' } & ViewerSample)
  | { type: 'closed' };

const url = process.env.WERIFT_VIEWERS_URL!;
const cookie = process.env.WERIFT_VIEWERS_COOKIE!;
const zone = process.env.WERIFT_VIEWERS_ZONE!;
const viewers: { viewer: WeriftViewer; watchedAt: number }[] = [];
const send = (report: ViewerReport) => process.send?.(report);

async function add(count: number, zone: string): Promise<string[]> {
  const failed: string[] = [];
  await Promise.all(Array.from({ length: count }, async () => {
    try {
      const viewer = new WeriftViewer(await connect(url, 'operator', { extraHeaders: { cookie } }), zone);
      const watchedAt = Date.now();
      const reply = (await viewer.watch()) as { ok: boolean; error?: unknown };
      if (!reply.ok) throw new Error(`zone:watch refused: ${JSON.stringify(reply.error)}`);
      viewers.push({ viewer, watchedAt });
    } catch (error) {
      failed.push(error instanceof Error ? error.message : String(error));
    }
  }));
  return failed;
}

function sample(): ViewerSample {
  const cpu = process.cpuUsage();
  return {
    at: Date.now(),
    cpuMicros: cpu.user + cpu.system,
    viewers: viewers.map(({ viewer, watchedAt }) => ({
      zone: viewer.zone,
      frames: viewer.frames,
      keyframes: viewer.keyframes,
      packets: viewer.packets,
      bytes: viewer.bytes,
      firstFrameMs: viewer.firstFrameAt === null ? null : viewer.firstFrameAt - watchedAt,
      state: viewer.connectionState,
      via: viewer.offers.at(-1)?.via,
    })),
  };
}

process.on('message', (command: ViewerCommand) => {
  if (command.type === 'add') void add(command.count, command.zone ?? zone).then((failed) => send({ type: 'added', failed }));
  else if (command.type === 'sample') send({ type: 'sample', ...sample() });
  else if (command.type === 'close') {
    void Promise.allSettled(viewers.map(({ viewer }) => viewer.close())).then(() => {
      send({ type: 'closed' });
      process.exit(0);
    });
  }
});
process.on('disconnect', () => process.exit(0));
send({ type: 'ready' });
