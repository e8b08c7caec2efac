export * from './purpose';
export * from './case-content';
export * from './read-audit';
