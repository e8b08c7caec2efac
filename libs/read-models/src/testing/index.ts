export * from './ledger-fixture';
export * from './indicator-fixture';
export * from './indicator-oracle';
export * from './child-story';
