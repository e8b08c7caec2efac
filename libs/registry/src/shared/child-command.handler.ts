import { ChildCommand, childDecider, ChildEvent, ChildState, Decider } from '@childledger/domain';
import type { Actor } from '@childledger/event-store';
import { DeciderCommandHandler } from '@childledger/platform';
import type { ChildRegistryCommand, RegistryCommandResult } from './registry-command';
import type { RegistryHandlerDeps } from './registry-handler.deps';
import { runRegistryCommand } from './run-registry-command';

/**
 * A command on a child's stream. The user's role is checked first; then, on the state just loaded,
 * their jurisdiction over the child's residence (before `decide`, so that a refusal says nothing
 * about a record outside it). A registration is checked on the residence it records, after `decide`
 * has validated it. The unit the user acts for goes into the events' actor.
 */
export abstract class ChildCommandHandler<C extends ChildRegistryCommand<ChildCommand>>
  extends DeciderCommandHandler<ChildCommand, ChildState, ChildEvent, C>{
  protected constructor(protected readonly deps: RegistryHandlerDeps) {
    super(deps.store, childDecider);
  }

  /** Checks that need other streams (a merge's surviving record); none by default. */
  protected async precheck(_envelope: C): Promise<void> {
    return undefined;
  }

  override async execute(envelope: C): Promise<RegistryCommandResult<ChildEvent>> {
    const { user } = envelope.request;
    const { policy } = this.deps;
    policy.requireRole(user, envelope.command.type);
    await this.precheck(envelope);
    const actor: Actor = { userId: user.userId, role: user.role };
    const setUnit = (unit: string | undefined) => {
      if (unit === undefined) delete actor.unit;
      else actor.unit = unit;
    };
    const inner = this.decider;
    const guarded: Decider<ChildCommand, ChildState, ChildEvent> = {
      initialState: inner.initialState,
      evolve: inner.evolve,
      decide(command, state) {
        if (state.status !== 'unregistered') setUnit(policy.authorize(user, state.residence));
        const events = inner.decide(command, state);
        const first = events[0];
        if (first?.type === 'ChildRegistered') setUnit(policy.authorize(user, first.data.residence));
        return events;
      },
    };
    return runRegistryCommand(this.deps, envelope, guarded, actor, this.maxRetries, { expectNewStream: envelope.command.type === 'RegisterChild' });
  }
}
