/** What a connection declares itself to be at the handshake. */
export const Role = {
  CAMERA: 'camera',
  OPERATOR: 'operator',
} as const;

export type Role = (typeof Role)[keyof typeof Role];

export const ROLES: readonly Role[] = Object.values(Role);
