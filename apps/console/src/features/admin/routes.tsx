import { Route, Routes } from 'react-router-dom';
import AdminPage from './AdminPage';

/** The screens under this feature's path (App.tsx mounts them at /admin/*). */
export default function FeatureRoutes() {
  return (
    <Routes>
      <Route index element={<AdminPage />} />
    </Routes>
  );
}
