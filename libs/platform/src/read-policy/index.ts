export * from './purpose';
export * from './case-content';
export * from './read-audit';
export * from './purpose.decorators';
