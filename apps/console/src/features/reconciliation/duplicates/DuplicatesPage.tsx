import ReconciliationPage from '../ReconciliationPage';

// Stub for the duplicates tab (/reconciliation/duplicates): the duplicates/merge engineer replaces this file.
export default function DuplicatesPage() {
  return <ReconciliationPage />;
}
