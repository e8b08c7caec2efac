export * from './administrative-unit.model';
export * from './administrative-units';
export * from './load-administrative-units';
export * from './fold-vietnamese';
