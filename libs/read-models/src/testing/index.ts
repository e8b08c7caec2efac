export * from './ledger-fixture';
export * from './indicator-fixture';
