import { Route, Routes } from 'react-router-dom';
import CaseListPage from './CaseListPage';
import CasePage from './CasePage';

/** The screens under this feature's path (App.tsx mounts them at /cases/*). */
export default function FeatureRoutes() {
  return (
    <Routes>
      <Route index element={<CaseListPage />} />
      <Route path=":caseId" element={<CasePage />} />
    </Routes>
  );
}
