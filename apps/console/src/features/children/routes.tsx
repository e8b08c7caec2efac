import { Route, Routes } from 'react-router-dom';
import ChildPage from './ChildPage';
import FindChildPage from './FindChildPage';

/** The screens under this feature's path (App.tsx mounts them at /children/*). */
export default function FeatureRoutes() {
  return (
    <Routes>
      <Route index element={<FindChildPage />} />
      <Route path=":childId" element={<ChildPage />} />
    </Routes>
  );
}
