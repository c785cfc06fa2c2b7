export * from './api.ts';
export * from './auditCatalogue.ts';
export * from './errors.ts';
export * from './limits.ts';
export * from './protocol.ts';
export * from './roles.ts';
export * from './zoneId.ts';
export * from './cameraSources.ts';
