import { Route, Routes } from 'react-router-dom';
import FindChildPage from './FindChildPage';

/** The screens under this feature's path (App.tsx mounts them at /children/*). */
export default function FeatureRoutes() {
  return (
    <Routes>
      <Route index element={<FindChildPage />} />
    </Routes>
  );
}
