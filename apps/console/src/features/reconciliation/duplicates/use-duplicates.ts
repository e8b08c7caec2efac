import { InfiniteData, QueryClient, useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { unwrap, useApi } from '../../../api';
import type { Purpose } from '../../../purpose/purpose';
import { mergeRequest, Pair } from './decisions';

const PAGE = 20;

/**
 * The pair and merge lists are read models a subscription keeps: right after a decision they may
 * not show it yet. Read them again now and twice more while the subscription catches up.
 */
function refreshSoon(client: QueryClient, keys: string[][], delays: readonly number[] = [0, 1000, 3000]): void {
  for (const delay of delays) {
    setTimeout(() => {
      for (const queryKey of keys) void client.invalidateQueries({ queryKey });
    }, delay);
  }
}

/** Likely duplicate pairs in the person's jurisdiction, page by page (keyset cursor). */
export function useDuplicatePairs() {
  const api = useApi();
  return useInfiniteQuery({
    queryKey: ['duplicate-pairs'],
    initialPageParam: undefined as string | undefined,
    queryFn: async ({ pageParam }) =>
      unwrap(await api.registry.GET('/api/v1/reconciliation/duplicates', { params: { query: { limit: PAGE, ...(pageParam ? { after: pageParam } : {}) } } })),
    getNextPageParam: (last) => last.next ?? undefined,
  });
}

/** Merges in force (for revert), newest first, page by page. */
export function useMerges() {
  const api = useApi();
  return useInfiniteQuery({
    queryKey: ['merges'],
    initialPageParam: undefined as string | undefined,
    queryFn: async ({ pageParam }) =>
      unwrap(await api.registry.GET('/api/v1/reconciliation/merges', { params: { query: { limit: PAGE, ...(pageParam ? { after: pageParam } : {}) } } })),
    getNextPageParam: (last) => last.next ?? undefined,
  });
}

export function useDuplicatePair(childId: string, otherChildId: string, purpose: Purpose) {
  const api = useApi();
  return useQuery({
    queryKey: ['duplicate-pair', childId, otherChildId, purpose],
    queryFn: async () =>
      unwrap(
        await api.registry.GET('/api/v1/reconciliation/duplicates/{childId}/{otherChildId}', {
          params: { path: { childId, otherChildId }, query: { purpose } },
        }),
      ),
  });
}

export type PairDecision = { kind: 'merge'; survivingChildId: string } | { kind: 'notSame' };

export function useDecidePair() {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: async ({ pair, decision, reason }: { pair: Pair; decision: PairDecision; reason: string }) => {
      if (decision.kind === 'merge') {
        const m = mergeRequest(pair, decision.survivingChildId, reason);
        return unwrap(
          await api.registry.POST('/api/v1/children/{childId}/merge', {
            params: { path: { childId: m.childId }, header: { 'If-Match': m.ifMatch } },
            body: { survivingChildId: m.survivingChildId, reason: m.reason },
          }),
        );
      }
      // The pair's own decision stream: the first decision is written once (the API expects no stream yet).
      return unwrap(
        await api.registry.POST('/api/v1/reconciliation/duplicates/{childId}/{otherChildId}/not-same', {
          params: { path: { childId: pair.childId, otherChildId: pair.otherChildId } },
          body: { reason: reason.trim() },
        }),
      );
    },
    onSuccess: () => refreshSoon(client, [['duplicate-pairs'], ['merges']]),
  });
}

export function useRevertMerge() {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: async ({ childId, reason }: { childId: string; reason: string }) =>
      unwrap(await api.registry.POST('/api/v1/children/{childId}/merge/revert', { params: { path: { childId } }, body: { reason: reason.trim() } })),
    onSuccess: (_result, { childId }) => {
      // The revert is written: the merge is no longer in force, whatever the list read a moment ago says.
      client.setQueryData<InfiniteData<{ items: { childId: string }[] }>>(['merges'], (data) =>
        data ? { ...data, pages: data.pages.map((p) => ({ ...p, items: p.items.filter((m) => m.childId !== childId) })) } : data,
      );
      // Not at once: a read before the subscription caught up would bring the merge back for a moment.
      refreshSoon(client, [['merges'], ['duplicate-pairs']], [1000, 3000, 6000]);
    },
  });
}
