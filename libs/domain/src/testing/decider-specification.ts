import type { Decider, DomainEvent } from '../shared/decider';
import { RegistryError, RegistryErrorCode, RegistryErrorDetails } from '../shared/registry.error';

/**
 * given(events).when(command).then(events | error), emmett style:
 *
 *   spec.given([childRegistered()]).when(changeResidence('00004')).then([residenceChanged(...)]);
 *   spec.given([]).when(changeResidence('00004')).thenThrows('CHILD_NOT_FOUND', 'childId');
 */
export class DeciderSpecification<Command, State, Event extends DomainEvent> {
  private constructor(private readonly decider: Decider<Command, State, Event>) {}

  static for<Command, State, Event extends DomainEvent>(decider: Decider<Command, State, Event>): DeciderSpecification<Command, State, Event> {
    return new DeciderSpecification(decider);
  }

  given(events: Event[]) {
    const { decider } = this;
    const state = events.reduce((s, e) => decider.evolve(s, e), decider.initialState());
    return {
      when(command: Command) {
        const run = () => decider.decide(command, state);
        return {
          /** The command's events equal `expected`, and the state still evolves with them. */
          then(expected: Event[]): State {
            const produced = run();
            expect(produced).toEqual(expected);
            return produced.reduce((s, e) => decider.evolve(s, e), state);
          },
          /** The command is refused with this code (and field, and details, when given). */
          thenThrows(code: RegistryErrorCode, field?: string, details?: Partial<RegistryErrorDetails>): RegistryError {
            let caught: unknown;
            try {
              run();
            } catch (err) {
              caught = err;
            }
            expect(caught).toBeInstanceOf(RegistryError);
            const error = caught as RegistryError;
            expect({ code: error.code, ...(field === undefined ? {} : { field: error.field }) }).toEqual({ code, ...(field === undefined ? {} : { field }) });
            if (details) expect(error.details).toMatchObject(details);
            return error;
          },
        };
      },
    };
  }
}
