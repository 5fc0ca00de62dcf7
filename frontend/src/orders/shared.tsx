// Pieces the orders, commissions and shops screens share: query keys, status/rule/kind tags, the
// organization's zone, names of creators and campaigns by id, and who may do what.
import { WarningOutlined } from '@ant-design/icons'
import { useQueries, useQuery } from '@tanstack/react-query'
import { Tag, Tooltip } from 'antd'
import { useTranslation } from 'react-i18next'
import { getCreator, listCampaigns } from '../api/endpoints'
import type { AttributionRule, ConversionStatus, EntryKind, Money } from '../api/types'
import { queryKeys, useCan, useMe } from '../auth/session'
import { formatMoney } from '../money'

export const orderKeys = {
  conversions: ['conversions'] as const,
  conversion: (id: string) => ['conversions', 'one', id] as const,
  commissions: ['commissions'] as const,
  fxRates: ['fx-rates'] as const,
  stores: ['stores'] as const,
}

export const CONVERSION_STATUS_COLORS: Record<ConversionStatus, string> = {
  pending: 'gold',
  approved: 'green',
  paid: 'blue',
  rejected: 'red',
  reversed: 'default',
}

export function ConversionStatusTag({ status }: { status: ConversionStatus }) {
  const { t } = useTranslation()
  return (
    <Tag color={CONVERSION_STATUS_COLORS[status]} data-testid={`order-status-${status}`}>
      {t(`orders.statuses.${status}`)}
    </Tag>
  )
}

const RULE_COLORS: Record<AttributionRule, string> = {
  creator: 'geekblue',
  account: 'purple',
  promo_code: 'magenta',
  click: 'cyan',
  link: 'blue',
  manual: 'orange',
}

/** The attribution rule that matched, or "unattributed". */
export function RuleTag({ rule }: { rule: AttributionRule | null }) {
  const { t } = useTranslation()
  if (!rule) {
    return (
      <Tag color="warning" data-testid="order-rule-none">
        {t('orders.unattributed')}
      </Tag>
    )
  }
  return (
    <Tag color={RULE_COLORS[rule] ?? 'default'} data-testid={`order-rule-${rule}`}>
      {t(`orders.rules.${rule}`)}
    </Tag>
  )
}

export function EntryKindTag({ kind }: { kind: EntryKind }) {
  const { t } = useTranslation()
  const color = kind === 'commission' ? 'green' : kind === 'reversal' ? 'red' : 'blue'
  return (
    <Tag color={color} data-testid={`entry-kind-${kind}`}>
      {t(`commissions.kinds.${kind}`)}
    </Tag>
  )
}

/** A base-currency amount, or a warning tag when the day had no FX rate. */
export function BaseAmount({ minor, currency, missing }: { minor: number | null; currency: string; missing: boolean }) {
  const { t, i18n } = useTranslation()
  if (missing || minor === null) {
    return (
      <Tooltip title={t('commissions.fxMissingHint', { base: currency })}>
        <Tag color="warning" icon={<WarningOutlined />} data-testid="fx-missing">
          {t('commissions.fxMissing')}
        </Tag>
      </Tooltip>
    )
  }
  return <span style={{ whiteSpace: 'nowrap' }}>{formatMoney(minor, currency, i18n.language)}</span>
}

/** Amounts in several currencies, each formatted: "$8.10 + ¥12"; "—" for none. */
export function MoneyList({ list, testid }: { list: readonly Money[]; testid?: string }) {
  const { i18n } = useTranslation()
  const text = list.length ? list.map((m) => formatMoney(m.amount_minor, m.currency, i18n.language)).join(' + ') : '—'
  return (
    <span style={{ whiteSpace: 'nowrap' }} data-testid={testid}>
      {text}
    </span>
  )
}

/** The organization's time zone (the browser's until /me answers). */
export function useOrgZone(): string | undefined {
  return useMe().data?.org.timezone
}

/** Finance's decisions (approve, reject) and the ingesters' writes (new order, refund, attribution). */
export function useOrderRights() {
  const can = useCan()
  return {
    decide: can('finance:approve'),
    ingest: can('finance:approve') || can('creators:write'),
    stores: can('settings:manage'),
    fx: can('finance:approve'),
  }
}

/** Display names of creators by id (each fetched once and cached with the creator page's key). */
export function useCreatorNames(ids: readonly (string | null | undefined)[]): (id: string) => string | undefined {
  const unique = [...new Set(ids.filter((x): x is string => !!x))]
  const found = useQueries({
    queries: unique.map((id) => ({ queryKey: queryKeys.creator(id), queryFn: () => getCreator(id), staleTime: 60_000 })),
  })
  return (id) => found.find((q) => q.data?.id === id)?.data?.display_name
}

/** Every campaign (a seller runs dozens at most: one page of 500), for filters and pickers. */
export function useAllCampaigns() {
  return useQuery({ queryKey: ['campaigns', 'all'], queryFn: () => listCampaigns({ limit: 500 }), staleTime: 30_000 })
}
