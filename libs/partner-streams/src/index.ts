export * from './field-catalogue';
export * from './agreement';
export * from './pseudonym';
export * from './cloudevent';
export * from './cursor';
export * from './partner-projector';
export * from './schemas';
export * from './partner-relay';
