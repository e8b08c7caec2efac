import { ComingSoon } from '../../app/ComingSoon';

export interface ChildActionsProps {
  childId: string;
  /** The record's revision as last read (sent as If-Match). */
  revision: number;
  /** Called after a command is written, so the page reads the record again. */
  onWritten(): void;
}

/** The actions on a child's record: correct details, record a move, identify or end circumstances and risks. */
export function ChildActions(_: ChildActionsProps) {
  return <ComingSoon />;
}
