import { useQueries, useQuery } from '@tanstack/react-query'
import { useMemo } from 'react'
import { getCreator, listEnrolments } from '../../api/endpoints'
import type { Account, Enrolment } from '../../api/types'
import { queryKeys } from '../../auth/session'
import { campaignKeys } from '../../campaigns/shared'
import { usePlatformName } from '../../creators/shared'

/**
 * The campaign's enrolments with, for each enrolled creator, their accounts: the tabs name creators
 * and accounts from here, and offer them in their forms.
 */
export function useCampaignPeople(campaignId: string) {
  const enrolments = useQuery({ queryKey: campaignKeys.enrolments(campaignId), queryFn: () => listEnrolments(campaignId) })
  const items: Enrolment[] = useMemo(() => enrolments.data?.items ?? [], [enrolments.data])
  const creators = useQueries({
    queries: items.map((e) => ({ queryKey: queryKeys.creator(e.creator_id), queryFn: () => getCreator(e.creator_id), staleTime: 30_000 })),
  })
  const accounts = new Map<string, Account>()
  const accountsOf = new Map<string, Account[]>()
  for (const c of creators) {
    if (!c.data) continue
    accountsOf.set(c.data.id, c.data.accounts)
    for (const a of c.data.accounts) accounts.set(a.id, a)
  }
  const names = new Map(items.map((e) => [e.creator_id, e.creator_name]))
  // "TikTok @mia", as sellers write it, not the platform's key.
  const platformName = usePlatformName()
  const label = (a: Account) => `${platformName(a.platform)} @${a.handle}`
  return {
    enrolments,
    items,
    creatorName: (id: string) => names.get(id) ?? id,
    accountLabel: (id: string | null) => {
      if (!id) return '—'
      const a = accounts.get(id)
      return a ? label(a) : id
    },
    accountOption: label,
    accountsOf: (creatorId: string | undefined) => (creatorId ? (accountsOf.get(creatorId) ?? []) : []),
    creatorOptions: items.filter((e) => e.status !== 'removed' && e.status !== 'declined').map((e) => ({ value: e.creator_id, label: e.creator_name })),
  }
}

export type CampaignPeople = ReturnType<typeof useCampaignPeople>
