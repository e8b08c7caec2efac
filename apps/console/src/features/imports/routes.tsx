import { Route, Routes } from 'react-router-dom';
import ImportPage from './ImportPage';

/** The screens under this feature's path (App.tsx mounts them at /imports/*). */
export default function FeatureRoutes() {
  return (
    <Routes>
      <Route index element={<ImportPage />} />
    </Routes>
  );
}
