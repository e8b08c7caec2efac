import type { RegisteredChildState } from '@childledger/domain';
import { parseStatedDate, type ChildRecordInput } from '@childledger/matching';

/** The child record as the engine reads it: the current state of the stream, nothing else. */
export function childRecordInput(child: RegisteredChildState, communeCode: string = child.residence.communeCode): ChildRecordInput {
  return {
    recordRef: child.childId,
    fullName: child.fullName ?? '',
    dateOfBirth: parseStatedDate(child.dateOfBirth),
    sex: child.sex,
    personalId: child.personalId,
    fatherFullName: child.fatherName,
    motherFullName: child.motherName,
    commune: communeCode,
  };
}
