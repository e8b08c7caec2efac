import { lazy, Suspense } from 'react';
import { Route, Routes } from 'react-router-dom';
import ReviewsPage from './ReviewsPage';

// The duplicates tab belongs to the duplicates/merge work (files under duplicates/).
const DuplicatesPage = lazy(() => import('./duplicates/DuplicatesPage'));
const IncompletePage = lazy(() => import('./incomplete/IncompletePage'));

/** The screens under this feature's path (App.tsx mounts them at /reconciliation/*). */
export default function FeatureRoutes() {
  return (
    <Routes>
      <Route index element={<ReviewsPage />} />
      <Route path="reviews/:childId?" element={<ReviewsPage />} />
      <Route
        path="incomplete"
        element={
          <Suspense>
            <IncompletePage />
          </Suspense>
        }
      />
      <Route
        path="duplicates/*"
        element={
          <Suspense>
            <DuplicatesPage />
          </Suspense>
        }
      />
    </Routes>
  );
}
