import { ChildCommand, childDecider, ChildEvent, ChildState, Decider, RegistryError } from '@childledger/domain';
import type { Actor } from '@childledger/event-store';
import { DeciderCommandHandler } from '@childledger/platform';
import type { AuthenticatedUser } from '@childledger/platform';
import type { AccessPolicy } from './access-policy';
import type { ChildRegistryCommand, RegistryCommandResult } from './registry-command';
import type { RegistryHandlerDeps } from './registry-handler.deps';
import { runRegistryCommand } from './run-registry-command';

/** What a child command on a record outside the caller's jurisdiction answers: exactly what a missing record answers. */
export function childNotFound(field = 'childId'): RegistryError {
  return new RegistryError('CHILD_NOT_FOUND', 'no child is registered under this id', field);
}

/**
 * The child decider with the caller's jurisdiction checked inside `decide`, on the state just
 * folded (so a retry after a concurrent write checks again): a record outside it answers like a
 * missing one; a registration is checked on the residence it records, after `decide` has validated
 * it, and refused naming the rule. `actor.unit` is set to the unit the user acts for. Every child
 * command goes through this, from HTTP, an import or the reconciliation workbench.
 */
export function jurisdictionGuardedChildDecider(policy: AccessPolicy, user: AuthenticatedUser, actor: Actor): Decider<ChildCommand, ChildState, ChildEvent> {
  const setUnit = (unit: string | undefined) => {
    if (unit === undefined) delete actor.unit;
    else actor.unit = unit;
  };
  const inner = childDecider;
  return {
    initialState: inner.initialState,
    evolve: inner.evolve,
    decide(command, state) {
      if (state.status !== 'unregistered') {
        const j = policy.jurisdiction(user, state.residence);
        if (!j.allowed) {
          // A registration under an id that is taken says so (the id is the caller's); anything else reads as missing.
          if (command.type === 'RegisterChild') throw new RegistryError('CHILD_ALREADY_REGISTERED', 'this child is already registered', 'childId');
          throw childNotFound();
        }
        setUnit(j.unit);
      }
      const events = inner.decide(command, state);
      const first = events[0];
      if (first?.type === 'ChildRegistered') setUnit(policy.authorize(user, first.data.residence));
      return events;
    },
  };
}

/**
 * A command on a child's stream. The user's role is checked first; then, on the state just loaded,
 * their jurisdiction over the child's residence (`jurisdictionGuardedChildDecider`). The unit the
 * user acts for goes into the events' actor.
 */
export abstract class ChildCommandHandler<C extends ChildRegistryCommand<ChildCommand>> extends DeciderCommandHandler<ChildCommand, ChildState, ChildEvent, C> {
  protected constructor(protected readonly deps: RegistryHandlerDeps) {
    super(deps.store, childDecider);
  }

  /** Checks that need other streams (a merge's surviving record); none by default. */
  protected async precheck(_envelope: C): Promise<void> {
    return undefined;
  }

  override async execute(envelope: C): Promise<RegistryCommandResult<ChildEvent>> {
    const { user } = envelope.request;
    this.deps.policy.requireRole(user, envelope.command.type);
    await this.precheck(envelope);
    const actor: Actor = { userId: user.userId, role: user.role };
    const guarded = jurisdictionGuardedChildDecider(this.deps.policy, user, actor);
    return runRegistryCommand(this.deps, envelope, guarded, actor, this.maxRetries, { expectNewStream: envelope.command.type === 'RegisterChild' });
  }
}
