import { Card, Tabs } from 'antd'
import { useTranslation } from 'react-i18next'
import { useSearchParams } from 'react-router'
import { AdjustmentsTab } from './AdjustmentsTab'
import { BatchesTab } from './BatchesTab'
import { PeriodsTab } from './PeriodsTab'

const TABS = ['periods', 'batches', 'adjustments'] as const
type TabKey = (typeof TABS)[number]

/**
 * /payouts (结算): the month-end work of finance — close the month (账期), batch and pay what is
 * owed (付款批次, payout files), and record adjustments (调整). Statements and the workbook are on
 * /reports, the ledger and FX rates on /commissions.
 */
export default function PayoutsPage() {
  const { t } = useTranslation()
  const [params, setParams] = useSearchParams()
  const tab: TabKey = (TABS as readonly string[]).includes(params.get('tab') ?? '') ? (params.get('tab') as TabKey) : 'periods'
  return (
    <Card data-testid="page-payouts" title={<span data-testid="page-title">{t('nav.payouts')}</span>}>
      <Tabs
        activeKey={tab}
        onChange={(k) => setParams(k === 'periods' ? {} : { tab: k })}
        destroyOnHidden
        items={TABS.map((k) => ({
          key: k,
          label: <span data-testid={`tab-${k}-button`}>{t(`finance.tabs.${k}`)}</span>,
          children: k === 'periods' ? <PeriodsTab /> : k === 'batches' ? <BatchesTab /> : <AdjustmentsTab />,
        }))}
      />
    </Card>
  )
}
