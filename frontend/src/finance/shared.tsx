// Pieces the finance screens share: who may do what, the periods query, status tags and a month picker.
import { LockOutlined, UnlockOutlined } from '@ant-design/icons'
import { useQuery } from '@tanstack/react-query'
import { Select, Tag, type SelectProps } from 'antd'
import { useTranslation } from 'react-i18next'
import { useCan } from '../auth/session'
import { financeKeys, listPeriods, type PayoutStatus, type PeriodStatus } from './api'

/**
 * The URL's query as it is now. React Router renders a navigation in a transition, so the params a
 * render saw can be older than the address bar when two filter changes come quickly; a change made
 * from these keeps the other one.
 */
export function currentSearch(): URLSearchParams {
  return new URLSearchParams(window.location.search)
}

/** Finance's rights, from the capabilities GET /me sends (never role names). */
export function useFinanceRights() {
  const can = useCan()
  return {
    close: can('periods:close'),
    // Re-opening is for owners only: the one capability only owners hold stands for it.
    reopen: can('owners:manage'),
    payouts: can('payouts:manage'),
    reports: can('reports:read'),
    adjust: can('finance:approve'),
    audit: can('audit:read'),
  }
}

export function usePeriods() {
  return useQuery({ queryKey: financeKeys.periods, queryFn: listPeriods, staleTime: 10_000 })
}

export function PeriodStatusTag({ status }: { status: PeriodStatus }) {
  const { t } = useTranslation()
  return status === 'closed' ? (
    <Tag color="default" icon={<LockOutlined />} data-testid="period-status-closed">
      {t('periods.statuses.closed')}
    </Tag>
  ) : (
    <Tag color="green" icon={<UnlockOutlined />} data-testid="period-status-open">
      {t('periods.statuses.open')}
    </Tag>
  )
}

export function PayoutStatusTag({ status }: { status: PayoutStatus }) {
  const { t } = useTranslation()
  return (
    <Tag color={status === 'paid' ? 'blue' : 'gold'} data-testid={`payout-status-${status}`}>
      {t(`payouts.statuses.${status}`)}
    </Tag>
  )
}

/**
 * A month from the organization's periods (latest first), each with its status; `only` keeps the
 * closed (or open) ones. A value that is not in the list (typed in the URL) is still shown.
 */
export function PeriodSelect({ only, ...props }: { only?: PeriodStatus } & SelectProps<string>) {
  const { t } = useTranslation()
  const periods = usePeriods()
  const items = (periods.data?.items ?? []).filter((p) => !only || p.status === only)
  const options = items.map((p) => ({
    value: p.period,
    label: `${p.period} · ${t(`periods.statuses.${p.status}`)}${p.period === periods.data?.current ? ` · ${t('periods.current')}` : ''}`,
  }))
  if (props.value && !options.some((o) => o.value === props.value)) options.unshift({ value: props.value, label: props.value })
  return (
    <Select<string>
      showSearch={{ optionFilterProp: 'label' }}
      loading={periods.isPending}
      placeholder={t('periods.pick')}
      options={options}
      notFoundContent={only === 'closed' ? t('periods.noneClosed') : undefined}
      style={{ minWidth: 200, maxWidth: '100%' }}
      {...props}
    />
  )
}
