// The seeded generator lives in @childledger/random (production code uses it too); re-exported for tests.
export * from '@childledger/random';
export * from './reference-data/reference-csv.reader';
export * from './reference-data/vietnamese-names.reference';
export * from './reference-data/admin-units.reference';
export * from './generator/synthetic-population.generator';
export * from './generator/record-noise';
export * from './generator/test-data.writer';
export * from './factories/child.factory';
