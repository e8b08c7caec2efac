export * from './dead-letters';
export * from './poison-events';
export * from './subscription-status';
