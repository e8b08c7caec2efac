// The shape shared by the pure domain (which implements it) and the event store's command bridge
// (which runs it). A library of its own so that neither has to depend on the other.

/** A domain event as the pure domain produces it. */
export interface DomainEvent<Type extends string = string, Data = Record<string, unknown>> {
  type: Type;
  data: Data;
  schemaVersion?: number;
}

/** The pure part of an aggregate (emmett style): no I/O, no clock, no framework. */
export interface Decider<Command, State, Event extends DomainEvent> {
  initialState(): State;
  evolve(state: State, event: Event): State;
  decide(command: Command, state: State): Event[];
}
