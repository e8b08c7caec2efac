import { RegisterChildHandler } from './register-child/register-child.handler';
import { CorrectChildDetailsHandler } from './correct-child-details/correct-child-details.handler';
import { ChangeResidenceHandler } from './change-residence/change-residence.handler';
import { IdentifySpecialCircumstanceHandler } from './identify-special-circumstance/identify-special-circumstance.handler';
import { EndSpecialCircumstanceHandler } from './end-special-circumstance/end-special-circumstance.handler';
import { IdentifyRiskHandler } from './identify-risk/identify-risk.handler';
import { ResolveRiskHandler } from './resolve-risk/resolve-risk.handler';
import { LinkNationalIdHandler } from './link-national-id/link-national-id.handler';
import { UnlinkNationalIdHandler } from './unlink-national-id/unlink-national-id.handler';
import { RequestIdentityReviewHandler } from './request-identity-review/request-identity-review.handler';
import { RecordNoNationalRecordHandler } from './record-no-national-record/record-no-national-record.handler';
import { MergeChildRecordsHandler } from './merge-child-records/merge-child-records.handler';
import { RevertMergeHandler } from './revert-merge/revert-merge.handler';
import { ErasePersonalDataHandler } from './erase-personal-data/erase-personal-data.handler';
import { OpenCaseHandler } from './open-case/open-case.handler';
import { AssessCaseHandler } from './assess-case/assess-case.handler';
import { PlanInterventionHandler } from './plan-intervention/plan-intervention.handler';
import { DeliverInterventionHandler } from './deliver-intervention/deliver-intervention.handler';
import { ReferCaseHandler } from './refer-case/refer-case.handler';
import { ReviewCaseHandler } from './review-case/review-case.handler';
import { CloseCaseHandler } from './close-case/close-case.handler';
import { ReopenCaseHandler } from './reopen-case/reopen-case.handler';
import { AssignCaseHandler } from './assign-case/assign-case.handler';

export * from './register-child/register-child.command';
export * from './correct-child-details/correct-child-details.command';
export * from './change-residence/change-residence.command';
export * from './identify-special-circumstance/identify-special-circumstance.command';
export * from './end-special-circumstance/end-special-circumstance.command';
export * from './identify-risk/identify-risk.command';
export * from './resolve-risk/resolve-risk.command';
export * from './link-national-id/link-national-id.command';
export * from './unlink-national-id/unlink-national-id.command';
export * from './request-identity-review/request-identity-review.command';
export * from './record-no-national-record/record-no-national-record.command';
export * from './merge-child-records/merge-child-records.command';
export * from './revert-merge/revert-merge.command';
export * from './erase-personal-data/erase-personal-data.command';
export * from './open-case/open-case.command';
export * from './assess-case/assess-case.command';
export * from './plan-intervention/plan-intervention.command';
export * from './deliver-intervention/deliver-intervention.command';
export * from './refer-case/refer-case.command';
export * from './review-case/review-case.command';
export * from './close-case/close-case.command';
export * from './reopen-case/reopen-case.command';
export * from './assign-case/assign-case.command';
/** Every command handler of the registry, for the module to provide. */
export const REGISTRY_COMMAND_HANDLERS = [
  RegisterChildHandler,
  CorrectChildDetailsHandler,
  ChangeResidenceHandler,
  IdentifySpecialCircumstanceHandler,
  EndSpecialCircumstanceHandler,
  IdentifyRiskHandler,
  ResolveRiskHandler,
  LinkNationalIdHandler,
  UnlinkNationalIdHandler,
  RequestIdentityReviewHandler,
  RecordNoNationalRecordHandler,
  MergeChildRecordsHandler,
  RevertMergeHandler,
  ErasePersonalDataHandler,
  OpenCaseHandler,
  AssessCaseHandler,
  PlanInterventionHandler,
  DeliverInterventionHandler,
  ReferCaseHandler,
  ReviewCaseHandler,
  CloseCaseHandler,
  ReopenCaseHandler,
  AssignCaseHandler,
];
