export type { Decider, DomainEvent } from '@childledger/decider';
