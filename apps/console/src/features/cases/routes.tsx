import { Route, Routes } from 'react-router-dom';
import CaseListPage from './CaseListPage';

/** The screens under this feature's path (App.tsx mounts them at /cases/*). */
export default function FeatureRoutes() {
  return (
    <Routes>
      <Route index element={<CaseListPage />} />
    </Routes>
  );
}
