import { Route, Routes } from 'react-router-dom';
import ReconciliationPage from './ReconciliationPage';

/** The screens under this feature's path (App.tsx mounts them at /reconciliation/*). */
export default function FeatureRoutes() {
  return (
    <Routes>
      <Route index element={<ReconciliationPage />} />
    </Routes>
  );
}
