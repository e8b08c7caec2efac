import { Route, Routes } from 'react-router-dom';
import InspectionPage from './InspectionPage';

/** The screens under this feature's path (App.tsx mounts them at /inspection/*). */
export default function FeatureRoutes() {
  return (
    <Routes>
      <Route index element={<InspectionPage />} />
    </Routes>
  );
}
