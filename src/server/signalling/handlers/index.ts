import type { HandlerTable } from '../types.ts';
import { cameraPublish, cameraSettings, cameraStatus, cameraThumbnail, cameraUnpublish } from './cameraHandlers.ts';
import { ptzMove, ptzPreset, ptzPresets, ptzStop } from './ptzHandlers.ts';
import { cameraScene, eventAcknowledge, eventAnnotate } from './sceneHandlers.ts';
import { qualityReport } from './qualityHandlers.ts';
import { signalAnswer, signalCandidate, signalClose, signalOffer, signalRestart } from './signalHandlers.ts';
import { zoneList, zoneSnapshot, zoneUnwatch, zoneWatch } from './zoneHandlers.ts';

/** One handler per client event; the type makes a missing one a compile error. */
export const handlers: HandlerTable = {
  'camera:publish': cameraPublish,
  'camera:unpublish': cameraUnpublish,
  'camera:status': cameraStatus,
  'camera:thumbnail': cameraThumbnail,
  'camera:settings': cameraSettings,
  'camera:scene': cameraScene,
  'event:acknowledge': eventAcknowledge,
  'event:annotate': eventAnnotate,
  'zone:watch': zoneWatch,
  'zone:unwatch': zoneUnwatch,
  'zone:list': zoneList,
  'zone:snapshot': zoneSnapshot,
  'signal:offer': signalOffer,
  'signal:answer': signalAnswer,
  'signal:candidate': signalCandidate,
  'signal:restart': signalRestart,
  'signal:close': signalClose,
  'quality:report': qualityReport,
  'ptz:presets': ptzPresets,
  'ptz:move': ptzMove,
  'ptz:stop': ptzStop,
  'ptz:preset': ptzPreset,
};
