import { ReloadOutlined } from '@ant-design/icons'
import { useQuery } from '@tanstack/react-query'
import { Alert, Button, Descriptions, Flex, Table, Typography } from 'antd'
import { useTranslation } from 'react-i18next'
import { campaignReport } from '../../api/endpoints'
import { errorMessage } from '../../api/errors'
import type { Campaign, CampaignReport } from '../../api/types'
import { formatMoneyList } from '../../campaigns/plan'
import { TABLE_SCROLL, campaignKeys } from '../../campaigns/shared'

/** GMV ÷ cost (bps: 20000 sold twice the cost) as a multiple, "2.00×"; "—" without a cost. */
function returnText(bps: number | null, lang: string): string {
  if (bps === null) return '—'
  return `${new Intl.NumberFormat(lang, { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(bps / 10000)}×`
}

type CreatorLine = CampaignReport['creators'][number]
type AccountLine = CampaignReport['accounts'][number]

export function ReportTab({ campaign }: { campaign: Campaign }) {
  const { t, i18n } = useTranslation()
  const lang = i18n.language
  const report = useQuery({ queryKey: campaignKeys.report(campaign.id), queryFn: () => campaignReport(campaign.id) })
  const num = (n: number) => n.toLocaleString(lang)
  const money = (list: CreatorLine['gmv']) => <span style={{ whiteSpace: 'nowrap' }}>{formatMoneyList(list, lang)}</span>
  const r = report.data
  const counts = [
    { key: 'posts', title: t('campaigns.report.posts'), render: (_: unknown, l: CreatorLine | AccountLine) => `${num(l.posts)} / ${num(l.deliverables)}` },
    { key: 'views', title: t('campaigns.posts.views'), align: 'right' as const, render: (_: unknown, l: CreatorLine | AccountLine) => num(l.views) },
    {
      key: 'clicks',
      title: t('links.clicks'),
      align: 'right' as const,
      render: (_: unknown, l: CreatorLine | AccountLine) => <span data-testid="report-clicks">{num(l.clicks)}</span>,
    },
    { key: 'conversions', title: t('campaigns.report.conversions'), align: 'right' as const, render: (_: unknown, l: CreatorLine | AccountLine) => num(l.conversions) },
    { key: 'gmv', title: t('campaigns.report.gmv'), render: (_: unknown, l: CreatorLine | AccountLine) => money(l.gmv) },
    { key: 'commission', title: t('campaigns.report.commission'), render: (_: unknown, l: CreatorLine | AccountLine) => money(l.commission) },
  ]
  return (
    <div data-testid="tab-report">
      <Flex justify="end" style={{ marginBottom: 8 }}>
        <Button icon={<ReloadOutlined />} onClick={() => void report.refetch()} loading={report.isFetching} data-testid="report-refresh">
          {t('campaigns.report.refresh')}
        </Button>
      </Flex>
      {report.isError && <Alert type="error" showIcon title={errorMessage(report.error, t)} />}
      {r && (
        <>
          <Descriptions
            bordered
            size="small"
            column={{ xs: 1, sm: 2, lg: 4 }}
            data-testid="report-totals"
            items={[
              { key: 'clicks', label: t('links.clicks'), children: <span data-testid="report-total-clicks">{num(r.totals.clicks)}</span> },
              { key: 'posts', label: t('campaigns.report.posts'), children: <span data-testid="report-total-posts">{`${num(r.totals.posts)} / ${num(r.totals.deliverables)}`}</span> },
              { key: 'views', label: t('campaigns.posts.views'), children: num(r.totals.views) },
              { key: 'conversions', label: t('campaigns.report.conversions'), children: num(r.totals.conversions) },
              { key: 'gmv', label: t('campaigns.report.gmv'), children: money(r.totals.gmv) },
              { key: 'commission', label: t('campaigns.report.commission'), children: money(r.totals.commission) },
              { key: 'samples', label: t('campaigns.report.samplesCost'), children: <span data-testid="report-total-samples">{formatMoneyList(r.totals.samples_cost, lang)}</span> },
              { key: 'fees', label: t('campaigns.report.fees'), children: money(r.totals.fees) },
              { key: 'cost', label: t('campaigns.report.cost'), children: <span data-testid="report-total-cost">{formatMoneyList(r.totals.cost, lang)}</span> },
              { key: 'return', label: t('campaigns.report.return'), children: returnText((r.totals as { return_bps: number | null }).return_bps, lang) },
            ]}
          />
          <Typography.Title level={5} style={{ marginTop: 16 }}>
            {t('campaigns.report.byCreator')}
          </Typography.Title>
          <Table<CreatorLine>
            rowKey="creator_id"
            size="small"
            data-testid="report-creators"
            dataSource={r.creators}
            pagination={false}
            scroll={TABLE_SCROLL}
            columns={[
              { key: 'name', title: t('campaigns.creators.creator'), dataIndex: 'creator_name' },
              ...counts,
              { key: 'cost', title: t('campaigns.report.cost'), render: (_: unknown, l: CreatorLine) => money(l.cost) },
            ]}
          />
          <Typography.Title level={5} style={{ marginTop: 16 }}>
            {t('campaigns.report.byAccount')}
          </Typography.Title>
          <Table<AccountLine>
            rowKey="account_id"
            size="small"
            data-testid="report-accounts"
            dataSource={r.accounts}
            pagination={false}
            scroll={TABLE_SCROLL}
            columns={[{ key: 'account', title: t('campaigns.account'), render: (_: unknown, l: AccountLine) => `${l.platform} @${l.handle}` }, ...counts]}
          />
        </>
      )}
    </div>
  )
}
