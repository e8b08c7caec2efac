import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { RegistrySchemas, unwrap, useApi } from '../../api';
import type { Purpose } from '../../purpose/purpose';

export type ReviewSummary = RegistrySchemas['schemas']['IdentityReviewSummaryDto'];
export type IdentityReview = RegistrySchemas['schemas']['IdentityReviewDto'];
export type Decision = { kind: 'accept'; personalId: string } | { kind: 'reject' } | { kind: 'noRecord' };

const PAGE = 20;

/** The officer's queue, page by page (keyset cursor from the API). */
export function useReviewQueue(commune: string | undefined) {
  const api = useApi();
  return useInfiniteQuery({
    queryKey: ['identity-reviews', commune ?? null],
    initialPageParam: undefined as string | undefined,
    queryFn: async ({ pageParam }) =>
      unwrap(
        await api.registry.GET('/api/v1/reconciliation/reviews', {
          params: { query: { limit: String(PAGE), ...(commune ? { commune } : {}), ...(pageParam ? { after: pageParam } : {}) } },
        }),
      ),
    getNextPageParam: (last) => last.next ?? undefined,
  });
}

export function useIdentityReview(childId: string | undefined, purpose: Purpose) {
  const api = useApi();
  return useQuery({
    queryKey: ['identity-review', childId, purpose],
    enabled: childId !== undefined,
    queryFn: async () =>
      unwrap(await api.registry.GET('/api/v1/reconciliation/reviews/{childId}', { params: { path: { childId: childId! }, query: { purpose } } })),
  });
}

export function useDecide() {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: async ({ review, decision, reason }: { review: IdentityReview; decision: Decision; reason: string }) => {
      const path = { childId: review.childId };
      const header = { 'If-Match': `"${review.revision}"` };
      if (decision.kind === 'accept')
        return unwrap(
          await api.registry.POST('/api/v1/reconciliation/reviews/{childId}/accept', {
            params: { path, header },
            body: { personalId: decision.personalId, reason },
          }),
        );
      if (decision.kind === 'reject')
        return unwrap(await api.registry.POST('/api/v1/reconciliation/reviews/{childId}/reject', { params: { path, header }, body: { reason } }));
      return unwrap(await api.registry.POST('/api/v1/reconciliation/reviews/{childId}/no-national-record', { params: { path, header }, body: { reason } }));
    },
    onSuccess: () => void client.invalidateQueries({ queryKey: ['identity-reviews'] }),
  });
}
