/**
 * Camera failures the page reports with a code of its own. They never reach the gateway, so they
 * live here and not in src/shared's catalogue.
 */
export const CameraErrorCode = {
  CAMERA_PERMISSION_DENIED: 'CAMERA_PERMISSION_DENIED',
  CAMERA_NOT_FOUND: 'CAMERA_NOT_FOUND',
  CAMERA_IN_USE: 'CAMERA_IN_USE',
  CAMERA_ENDED: 'CAMERA_ENDED',
  CAMERA_FAILED: 'CAMERA_FAILED',
  INSECURE_CONTEXT: 'INSECURE_CONTEXT',
} as const;

export type CameraErrorCode = (typeof CameraErrorCode)[keyof typeof CameraErrorCode];

export interface CameraError {
  readonly code: CameraErrorCode;
  readonly message: string;
}

const MESSAGES: Record<CameraErrorCode, string> = {
  CAMERA_PERMISSION_DENIED:
    'Camera permission was denied. Allow camera access for this site in the browser (the camera icon in the address bar) and try again.',
  CAMERA_NOT_FOUND: 'No camera matching the selection was found. Connect a camera, or choose "Default camera" or another preset.',
  CAMERA_IN_USE: 'The camera is in use by another application or tab, or could not be started. Close the other application and try again.',
  CAMERA_ENDED: 'The camera stopped delivering video (unplugged, or taken by another application). The session has ended.',
  CAMERA_FAILED: 'The camera could not be started.',
  INSECURE_CONTEXT:
    'The camera is only available on a secure page. Open this page over HTTPS (the gateway serves it on its HTTPS port) or from localhost.',
};

export function cameraError(code: CameraErrorCode, detail?: string): CameraError {
  return { code, message: detail ? `${MESSAGES[code]} (${detail})` : MESSAGES[code] };
}

/**
 * Maps what getUserMedia rejected with (a DOMException, by name) to our code and message.
 * @example mediaErrorFor(new DOMException('', 'NotAllowedError')).code // 'CAMERA_PERMISSION_DENIED'
 */
export function mediaErrorFor(error: unknown): CameraError {
  const name = typeof error === 'object' && error !== null && 'name' in error ? String(error.name) : '';
  switch (name) {
    case 'NotAllowedError':
    case 'PermissionDeniedError': // pre-standard Chromium name
    case 'SecurityError':
      return cameraError(CameraErrorCode.CAMERA_PERMISSION_DENIED);
    case 'NotFoundError':
    case 'DevicesNotFoundError':
    case 'OverconstrainedError':
    case 'ConstraintNotSatisfiedError':
      return cameraError(CameraErrorCode.CAMERA_NOT_FOUND);
    case 'NotReadableError':
    case 'TrackStartError':
    case 'AbortError':
      return cameraError(CameraErrorCode.CAMERA_IN_USE);
    default: {
      const message = error instanceof Error ? error.message : String(error);
      return cameraError(CameraErrorCode.CAMERA_FAILED, name ? `${name}: ${message}` : message);
    }
  }
}

/**
 * Whether this page may use the camera at all: browsers expose getUserMedia only in a secure
 * context (HTTPS or localhost). Returns the error to show, or null.
 */
export function mediaSupportError(isSecureContext: boolean, mediaDevices: unknown): CameraError | null {
  const usable = typeof (mediaDevices as { getUserMedia?: unknown } | undefined)?.getUserMedia === 'function';
  return isSecureContext && usable ? null : cameraError(CameraErrorCode.INSECURE_CONTEXT);
}
