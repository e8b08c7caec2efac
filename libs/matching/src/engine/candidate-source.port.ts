import type { ChildRecordInput, ResidentInput } from '../model/person.model';

/**
 * Where candidate residents come from: an in-memory index, a batch file, or the national database's
 * search by demographic criteria. The engine only scores what it is given.
 */
export interface CandidateSource {
  findCandidates(record: ChildRecordInput): Promise<readonly ResidentInput[]>;
}
