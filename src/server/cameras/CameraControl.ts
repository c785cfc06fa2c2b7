import { protocolError, PTZ_TIMING, type Ack, type PtzMove, type PtzPreset, type ZoneId } from '../../shared/index.ts';
import type { LiveAccess } from '../access/LiveAccess.ts';
import type { ActivityAudit } from '../audit/ActivityAudit.ts';
import type { AnyPrincipal } from '../auth/Principal.ts';
import type { Logger } from '../observability/logger.ts';
import type { CameraSourceRecord } from '../store/types.ts';
import type { Participant } from '../zones/Participant.ts';
import { TokenBucket } from '../signalling/TokenBucket.ts';
import { onvifOf, type CameraSources } from './CameraSources.ts';
import { NoPtzService, type OnvifPtz } from './onvifPtz.ts';

/** What an operator asks of a camera. */
export type PtzCommand = { action: 'move'; move: PtzMove } | { action: 'stop' } | { action: 'preset'; preset: string } | { action: 'presets' };

/** Who asks: the connection (for its audit entries) and what it is. */
export interface PtzCaller {
  readonly participant: Participant;
  readonly principal: AnyPrincipal;
}

export interface CameraControlOptions {
  sources: CameraSources;
  /** The zone's IP camera record, as the gateway runs it (null: none). */
  recordOf(zone: ZoneId): CameraSourceRecord | null;
  access: LiveAccess;
  activity: ActivityAudit;
  logger: Logger;
}

interface Device {
  /** Changes when the record does: a changed address, profile or password connects anew. */
  readonly version: string;
  readonly ptz: Promise<OnvifPtz>;
  /** Commands to one camera go one at a time; a move asked while one is on its way replaces the one waiting. */
  tail: Promise<unknown>;
}

/** Commands per connection: a held move repeats twice a second; a script cannot flood a camera or the trail. */
export const PTZ_BUDGET = { burst: 20, perSecond: 5 } as const;

const vectorOf = (m: PtzMove) => `${m.pan}/${m.tilt}/${m.zoom}`;

/**
 * Steers IP cameras over ONVIF PTZ for operators whose grant has the control right. The check is
 * made on the live connection at every command; every move (a new direction or speed, not each
 * repeat of a held one), stop and preset is audited, refusals too. A continuous move is sent with
 * the camera's own timeout (PTZ_TIMING.moveMs) and repeated by the console while held, and a
 * connection that goes stops what it moved: no camera is left turning.
 */
export class CameraControl {
  readonly #devices = new Map<number, Device>();
  /** Per connection, the zones it set moving and at what vector. */
  readonly #moving = new Map<string, Map<ZoneId, string>>();
  readonly #budgets = new Map<string, TokenBucket>();

  constructor(private readonly options: CameraControlOptions) {}

  async command(caller: PtzCaller, zone: ZoneId, command: PtzCommand): Promise<Ack<{ presets?: PtzPreset[] }>> {
    const { access, activity } = this.options;
    const detail = command.action === 'move' ? { action: 'move', pan: command.move.pan, tilt: command.move.tilt, zoom: command.move.zoom }
      : command.action === 'preset' ? { action: 'preset', preset: command.preset } : { action: command.action };
    if (!access.mayControl(caller.principal, zone)) {
      const error = access.mayWatch(caller.principal, zone)
        ? protocolError('CONTROL_FORBIDDEN', `Your grant for ${zone} is to watch, not to steer its camera.`)
        : protocolError('ZONE_FORBIDDEN', `You have no grant for ${zone}.`);
      activity.denied('camera.ptz', caller.participant, zone, error, detail);
      return { ok: false, error };
    }
    let budget = this.#budgets.get(caller.participant.id);
    if (!budget) this.#budgets.set(caller.participant.id, (budget = new TokenBucket(PTZ_BUDGET.burst, PTZ_BUDGET.perSecond)));
    if (!budget.take()) return { ok: false, error: protocolError('RATE_LIMITED', 'Too many camera commands; a held move needs one every half second.') };
    const record = this.options.recordOf(zone);
    const onvif = record ? onvifOf(record) : null;
    if (!record || !onvif) return { ok: false, error: protocolError('PTZ_UNAVAILABLE', `${zone}'s camera is not reached over ONVIF: it cannot be steered.`) };
    const moving = this.#moving.get(caller.participant.id);
    if (command.action === 'presets') return this.#run(record, async (ptz) => ({ presets: await ptz.presets() }));
    if (command.action === 'move') {
      const vector = vectorOf(command.move);
      // A held move is repeated every PTZ_TIMING.repeatMs: audited once, when it starts or changes.
      if (moving?.get(zone) !== vector) void activity.acted('camera.ptz', caller.participant, zone, detail);
      if (moving) moving.set(zone, vector);
      else this.#moving.set(caller.participant.id, new Map([[zone, vector]]));
      const { pan, tilt, zoom } = command.move;
      return this.#run(record, (ptz) => ptz.move(pan, tilt, zoom, PTZ_TIMING.moveMs).then(() => ({})));
    }
    moving?.delete(zone);
    void activity.acted('camera.ptz', caller.participant, zone, detail);
    if (command.action === 'stop') return this.#run(record, (ptz) => ptz.stop().then(() => ({})));
    return this.#run(record, (ptz) => ptz.goToPreset(command.preset).then(() => ({})));
  }

  /** The connection went: every camera it left moving is stopped. */
  release(caller: PtzCaller): void {
    const moving = this.#moving.get(caller.participant.id);
    this.#moving.delete(caller.participant.id);
    this.#budgets.delete(caller.participant.id);
    for (const zone of moving?.keys() ?? []) {
      // Not audited as the operator's stop: the move entry and the connection's end say what happened.
      const record = this.options.recordOf(zone);
      if (record && onvifOf(record)) void this.#run(record, (ptz) => ptz.stop().then(() => ({})));
    }
  }

  close(): void {
    this.#devices.clear();
    this.#moving.clear();
    this.#budgets.clear();
  }

  async #run<T extends object>(record: CameraSourceRecord, task: (ptz: OnvifPtz) => Promise<T>): Promise<Ack<T>> {
    const device = this.#device(record);
    const result = device.tail.then(async () => task(await device.ptz));
    device.tail = result.catch(() => undefined);
    try {
      return { ok: true, ...(await result) };
    } catch (error) {
      // The next command connects again: the camera may have rebooted or changed its services.
      if (this.#devices.get(record.id) === device) this.#devices.delete(record.id);
      if (error instanceof NoPtzService) return { ok: false, error: protocolError('PTZ_UNAVAILABLE', `${record.name} answers ONVIF but has no PTZ: it cannot be steered.`) };
      this.options.logger.warn({ zone: record.zone, err: error }, 'PTZ command failed');
      return { ok: false, error: protocolError('PTZ_FAILED', `${record.name} did not carry out the command: ${(error as Error).message}`) };
    }
  }

  #device(record: CameraSourceRecord): Device {
    const version = JSON.stringify([record.onvifAddress, record.onvifProfile, record.username, record.sealedPassword]);
    const known = this.#devices.get(record.id);
    if (known?.version === version) return known;
    const ptz = this.options.sources.connectPtz(record)!;
    ptz.catch(() => undefined);
    const device: Device = { version, ptz, tail: Promise.resolve() };
    this.#devices.set(record.id, device);
    return device;
  }
}
