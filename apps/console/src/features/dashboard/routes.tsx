import { Route, Routes } from 'react-router-dom';
import DashboardPage from './DashboardPage';

/** The screens under this feature's path (App.tsx mounts them at /dashboard/*). */
export default function FeatureRoutes() {
  return (
    <Routes>
      <Route index element={<DashboardPage />} />
    </Routes>
  );
}
