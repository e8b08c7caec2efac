import { CreateReadModels1795470000000 } from './1795470000000-create-read-models';
import { AddCaseNextDue1795470000001 } from './1795470000001-add-case-next-due';
import { AddIndicatorDeltas1795470000002 } from './1795470000002-add-indicator-deltas';
import { CreateChildSearch1795470000010 } from './1795470000010-create-child-search';
import { CreateDuplicatePairs1795470000020 } from './1795470000020-create-duplicate-pairs';
import { AddCaseAssignee1795470000030 } from './1795470000030-add-case-assignee';
import { AddIndicatorBreakdowns1795470000045 } from './1795470000045-add-indicator-breakdowns';
import { IndicatorCellsWide1795470000046 } from './1795470000046-indicator-cells-wide';
import { IndexMergedChildren1795470000060 } from './1795470000060-index-merged-children';
import { IndicatorMergedRecords1795470000061 } from './1795470000061-indicator-merged-records';
import { CreateIndicatorPublications1795470000070 } from './1795470000070-create-indicator-publications';
import { ReferenceVersionFiles1795470000080 } from './1795470000080-reference-version-files';

export {
  CreateReadModels1795470000000,
  AddCaseNextDue1795470000001,
  AddIndicatorDeltas1795470000002,
  CreateChildSearch1795470000010,
  CreateDuplicatePairs1795470000020,
  AddCaseAssignee1795470000030,
  AddIndicatorBreakdowns1795470000045,
  IndicatorCellsWide1795470000046,
  IndexMergedChildren1795470000060,
  IndicatorMergedRecords1795470000061,
  CreateIndicatorPublications1795470000070,
  ReferenceVersionFiles1795470000080,
};

/** The read models' tables, in order (after the event store's). */
export const READ_MODEL_MIGRATIONS = [
  CreateReadModels1795470000000,
  AddCaseNextDue1795470000001,
  AddIndicatorDeltas1795470000002,
  CreateChildSearch1795470000010,
  CreateDuplicatePairs1795470000020,
  AddCaseAssignee1795470000030,
  AddIndicatorBreakdowns1795470000045,
  IndicatorCellsWide1795470000046,
  IndexMergedChildren1795470000060,
  IndicatorMergedRecords1795470000061,
  CreateIndicatorPublications1795470000070,
  ReferenceVersionFiles1795470000080,
];
