// The dashboard (/dashboard): GMV, commission, clicks, orders and the conversion rate over a range
// of days (GET /api/v1/insights/dashboard), per day, platform, campaign, creator and account; the
// orders waiting for someone; and the platform risk panel. The charts (ECharts) are a lazy chunk:
// the figures paint first.
import { InfoCircleOutlined } from '@ant-design/icons'
import { keepPreviousData, useQuery } from '@tanstack/react-query'
import { Alert, Button, Card, Col, Empty, Flex, Input, Row, Segmented, Skeleton, Space, Statistic, Table, Tooltip, Typography } from 'antd'
import type { ColumnsType } from 'antd/es/table'
import { lazy, Suspense, useCallback, useMemo, useState, type ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import { Link, useSearchParams } from 'react-router'
import { getDashboard, listConversions } from '../api/endpoints'
import { errorMessage } from '../api/errors'
import type { Dashboard, NamedFigure } from '../api/types'
import { can, useMe } from '../auth/session'
import { FullPageSpin } from '../components/FullPageSpin'
import { NextStep } from '../components/NextStep'
import { PlatformTag, platformName, usePlatforms } from '../creators/shared'
import {
  customRangeProblem,
  dailySeries,
  daysBetween,
  hasActivity,
  platformSlices,
  presetRange,
  RANGE_PRESETS,
  rangeFromParams,
  rangeParams,
  shareBps,
  todayIn,
  type DayRange,
  type RangePreset,
} from '../dashboard/figures'
import { ExposurePanel } from '../dashboard/ExposurePanel'
import { currencyName } from '../format'
import { useNarrow } from '../layout/useNarrow'
import { formatBps, formatMoney } from '../money'

// One chunk for both charts (and ECharts): loaded after the figures are on screen.
const DailyChart = lazy(() => import('../dashboard/charts').then((m) => ({ default: m.DailyChart })))
const PlatformChart = lazy(() => import('../dashboard/charts').then((m) => ({ default: m.PlatformChart })))

const CHART_HEIGHT = 300

function RangePicker({ range, onChange }: { range: DayRange; onChange: (r: DayRange) => void }) {
  const { t } = useTranslation()
  const [custom, setCustom] = useState<{ from: string; to: string } | null>(null)
  const editing = custom ?? (range.preset === 'custom' ? { from: range.from, to: range.to } : null)
  const problem = editing ? customRangeProblem(editing.from, editing.to) : null
  const value = editing ? 'custom' : range.preset
  return (
    <Flex gap={8} wrap align="center" data-testid="dashboard-range">
      <Segmented<RangePreset | 'custom'>
        value={value}
        onChange={(v) => {
          if (v === 'custom') setCustom({ from: range.from, to: range.to })
          else {
            setCustom(null)
            onChange({ preset: v, from: '', to: '' })
          }
        }}
        options={[
          ...RANGE_PRESETS.map((d) => ({ value: d, label: <span data-testid={`range-${d}`}>{t('dashboard.range.days', { days: d })}</span> })),
          { value: 'custom' as const, label: <span data-testid="range-custom">{t('dashboard.range.custom')}</span> },
        ]}
      />
      {editing && (
        <Space.Compact>
          <Input
            type="date"
            aria-label={t('dashboard.range.from')}
            value={editing.from}
            onChange={(e) => setCustom({ ...editing, from: e.target.value })}
            data-testid="range-from"
            style={{ width: 150 }}
          />
          <Input
            type="date"
            aria-label={t('dashboard.range.to')}
            value={editing.to}
            onChange={(e) => setCustom({ ...editing, to: e.target.value })}
            data-testid="range-to"
            style={{ width: 150 }}
          />
          <Tooltip title={problem ? t(`dashboard.range.${problem}`) : undefined}>
            <Button
              type="primary"
              disabled={problem !== null}
              onClick={() => {
                onChange({ preset: 'custom', from: editing.from, to: editing.to })
                setCustom(null)
              }}
              data-testid="range-apply"
            >
              {t('dashboard.range.apply')}
            </Button>
          </Tooltip>
        </Space.Compact>
      )}
    </Flex>
  )
}

function Kpi({ testid, title, help, value, to, wide }: { testid: string; title: string; help?: string; value: ReactNode; to?: string; wide?: boolean }) {
  // Amounts get wider cards than counts: two amounts and five counts share a laptop's row; on a
  // phone each amount takes a row and the counts go two by two.
  return (
    <Card size="small" data-testid={testid} style={{ minWidth: 0, flex: wide ? '1 1 190px' : '1 1 120px' }}>
      <Statistic
        title={
          <Space size={4}>
            <span>{title}</span>
            {help && (
              <Tooltip title={help}>
                <InfoCircleOutlined aria-label={help} />
              </Tooltip>
            )}
          </Space>
        }
        value={0}
        formatter={() =>
          to ? (
            <Link to={to} data-testid={`${testid}-value`}>
              {value}
            </Link>
          ) : (
            <span data-testid={`${testid}-value`}>{value}</span>
          )
        }
        styles={{ content: { fontSize: 20, overflowWrap: 'anywhere' } }}
      />
    </Card>
  )
}

function Kpis({ data }: { data: Dashboard }) {
  const { t, i18n } = useTranslation()
  const lang = i18n.language
  const count = new Intl.NumberFormat(lang)
  const c = data.currency
  return (
    <Flex wrap gap={12} data-testid="dashboard-kpis">
      <Kpi wide testid="kpi-gmv" title={t('dashboard.kpi.gmv')} help={t('dashboard.kpi.gmvHelp', { currency: c })} value={formatMoney(data.totals.gmv_minor, c, lang)} />
      <Kpi wide testid="kpi-commission" title={t('dashboard.kpi.commission')} value={formatMoney(data.totals.commission_minor, c, lang)} />
      <Kpi testid="kpi-clicks" title={t('dashboard.kpi.clicks')} help={t('dashboard.kpi.clicksHelp')} value={count.format(data.totals.clicks)} />
      <Kpi testid="kpi-conversions" title={t('dashboard.kpi.conversions')} value={count.format(data.totals.conversions)} />
      <Kpi
        testid="kpi-rate"
        title={t('dashboard.kpi.conversionRate')}
        help={t('dashboard.kpi.conversionRateHelp')}
        value={data.totals.clicks > 0 ? formatBps(data.totals.conversion_rate_bps, lang) : '—'}
      />
      <Kpi
        testid="kpi-pending"
        title={t('dashboard.kpi.pending')}
        help={t('dashboard.kpi.pendingHelp')}
        value={count.format(data.pending_approvals)}
        to="/orders?status=pending&attributed=true"
      />
      <Kpi
        testid="kpi-unattributed"
        title={t('dashboard.kpi.unattributed')}
        help={t('dashboard.kpi.unattributedHelp')}
        value={count.format(data.unattributed)}
        to="/orders?attributed=false"
      />
    </Flex>
  )
}

/** The GMV, commission, orders, clicks and rate columns of a breakdown table. */
function useFigureColumns(currency: string, totalGmv: number): ColumnsType<NamedFigure> {
  const { t, i18n } = useTranslation()
  const lang = i18n.language
  const count = new Intl.NumberFormat(lang)
  return [
    {
      title: t('dashboard.kpi.gmv'),
      dataIndex: 'gmv_minor',
      align: 'right',
      render: (v: number) => (
        <Flex vertical align="flex-end" data-testid="figure-gmv">
          <span style={{ whiteSpace: 'nowrap' }}>{formatMoney(v, currency, lang)}</span>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {formatBps(shareBps(v, totalGmv), lang)}
          </Typography.Text>
        </Flex>
      ),
    },
    {
      title: t('dashboard.kpi.commission'),
      dataIndex: 'commission_minor',
      align: 'right',
      render: (v: number) => <span style={{ whiteSpace: 'nowrap' }}>{formatMoney(v, currency, lang)}</span>,
    },
    // Phones keep the name, GMV and commission; the counts come from 576 px up.
    { title: t('dashboard.kpi.conversions'), dataIndex: 'conversions', align: 'right', responsive: ['sm'], render: (v: number) => count.format(v) },
    { title: t('dashboard.kpi.clicks'), dataIndex: 'clicks', align: 'right', responsive: ['sm'], render: (v: number) => count.format(v) },
    {
      title: t('dashboard.kpi.conversionRate'),
      dataIndex: 'conversion_rate_bps',
      align: 'right',
      responsive: ['sm'],
      render: (v: number, f) => (f.clicks > 0 ? formatBps(v, lang) : '—'),
    },
  ]
}

function Breakdown({
  testid,
  title,
  rows,
  first,
  empty,
  currency,
  totalGmv,
}: {
  testid: string
  title: string
  rows: NamedFigure[]
  first: ColumnsType<NamedFigure>
  empty: ReactNode
  currency: string
  totalGmv: number
}) {
  const figures = useFigureColumns(currency, totalGmv)
  return (
    <Card title={title} data-testid={testid} styles={{ body: { paddingTop: 8 } }}>
      <Table<NamedFigure>
        rowKey="key"
        size="small"
        pagination={false}
        dataSource={rows}
        scroll={{ x: 'max-content' }}
        columns={[...first, ...figures]}
        onRow={(r) => ({ 'data-testid': `${testid}-row-${r.key}` }) as React.HTMLAttributes<HTMLElement>}
        locale={{ emptyText: empty }}
      />
    </Card>
  )
}

export default function DashboardPage() {
  const { t, i18n } = useTranslation()
  const lang = i18n.language
  const me = useMe()
  const narrow = useNarrow()
  const [params, setParams] = useSearchParams()
  const platforms = usePlatforms()
  const today = todayIn(me.data?.org.timezone)
  const range = rangeFromParams(params, today)
  const dashboard = useQuery({
    queryKey: ['dashboard', range.from, range.to],
    queryFn: () => getDashboard(range.from, range.to),
    enabled: !!me.data,
    placeholderData: keepPreviousData,
  })
  const data = dashboard.data
  const series = useMemo(() => (data ? dailySeries(data.days, data.from, data.to, data.currency) : null), [data])
  const quiet = !!series && !hasActivity(series)
  // An empty range: no orders at all (connect a shop, import a file), or just none in these days?
  const anyOrder = useQuery({ queryKey: ['dashboard', 'any-order'], queryFn: () => listConversions({ limit: 1 }), enabled: quiet })
  const slices = useMemo(() => (data ? platformSlices(data.platforms, data.totals.gmv_minor) : []), [data])
  const catalogue = platforms.data?.items
  const sliceName = useCallback(
    (key: string) => (key === '' ? t('dashboard.noPlatform') : platformName(key, catalogue, lang)),
    [catalogue, lang, t],
  )
  const chartCurrency = data?.currency
  const chartLabels = useMemo(
    () => ({
      title: t('dashboard.daily'),
      gmv: chartCurrency ? `${t('dashboard.kpi.gmv')} (${chartCurrency})` : t('dashboard.kpi.gmv'),
      clicks: t('dashboard.kpi.clicks'),
      conversions: t('dashboard.kpi.conversions'),
    }),
    [t, chartCurrency],
  )

  if (me.isPending) return <FullPageSpin />
  if (me.isError) return <Alert type="error" showIcon title={errorMessage(me.error, t)} />
  const { user, org } = me.data
  const ingest = can(me.data, 'finance:approve') || can(me.data, 'creators:write')
  const connect = can(me.data, 'settings:manage')
  const setRange = (r: DayRange) => setParams(rangeParams(r.preset === 'custom' ? r : presetRange(r.preset, today)), { replace: true })
  const chartFallback = <Skeleton active paragraph={{ rows: 6 }} style={{ minHeight: CHART_HEIGHT }} />

  let daily: ReactNode
  if (!data || !series) daily = <Skeleton active paragraph={{ rows: 6 }} />
  else if (quiet && (anyOrder.isPending || anyOrder.isError)) daily = <Skeleton active paragraph={{ rows: 6 }} />
  else if (quiet && anyOrder.data?.total === 0)
    daily = (
      <NextStep
        testid="dashboard-no-orders"
        title={t('dashboard.noOrders')}
        hint={ingest || connect ? t('dashboard.noOrdersHint') : t('empty.askColleague')}
        actions={
          (ingest || connect) && (
            <>
              {connect && <Link to="/settings/stores">{t('dashboard.connectShop')}</Link>}
              {ingest && <Link to="/orders">{t('dashboard.importOrders')}</Link>}
              {ingest && <Link to="/links">{t('dashboard.makeLinks')}</Link>}
            </>
          )
        }
      />
    )
  else if (quiet)
    daily = (
      <NextStep
        testid="dashboard-quiet"
        title={t('dashboard.quiet')}
        hint={t('dashboard.quietHint')}
        actions={range.preset !== 90 && <Button onClick={() => setRange({ preset: 90, from: '', to: '' })}>{t('dashboard.showLonger')}</Button>}
      />
    )
  else
    daily = (
      <Suspense fallback={chartFallback}>
        <DailyChart series={series} currency={data.currency} lang={lang} labels={chartLabels} height={CHART_HEIGHT} />
      </Suspense>
    )

  const totalGmv = data?.totals.gmv_minor ?? 0
  const currency = data?.currency ?? org.base_currency

  return (
    <Flex vertical gap={narrow ? 12 : 16} data-testid="page-dashboard" style={{ minWidth: 0 }}>
      <Card
        title={<span data-testid="page-title">{t('nav.dashboard')}</span>}
        extra={<RangePicker range={range} onChange={setRange} />}
      >
        <Typography.Paragraph type="secondary" style={{ marginBottom: 12 }} data-testid="dashboard-welcome">
          {t('dashboard.welcome', { name: user.name })} · <span data-testid="dashboard-org-name">{org.name}</span> ·{' '}
          <span data-testid="dashboard-currency" title={currencyName(org.base_currency, lang)}>
            {org.base_currency} — {currencyName(org.base_currency, lang)}
          </span>{' '}
          · <span data-testid="dashboard-timezone">{org.timezone}</span>
          {data && (
            <>
              {' · '}
              <span data-testid="dashboard-range-label">{t('dashboard.range.label', { from: data.from, to: data.to })}</span>
            </>
          )}
        </Typography.Paragraph>
        {dashboard.isError && <Alert type="error" showIcon title={errorMessage(dashboard.error, t)} style={{ marginBottom: 12 }} />}
        {data ? <Kpis data={data} /> : !dashboard.isError && <Skeleton active paragraph={{ rows: 2 }} />}
      </Card>

      <Row gutter={[16, 16]}>
        <Col xs={24} xl={15}>
          <Card title={t('dashboard.daily')} data-testid="dashboard-daily" style={{ height: '100%' }}>
            {daily}
          </Card>
        </Col>
        <Col xs={24} xl={9}>
          <Card title={t('dashboard.byPlatform')} data-testid="dashboard-platforms" style={{ height: '100%' }}>
            {!data ? (
              <Skeleton active paragraph={{ rows: 6 }} />
            ) : slices.length === 0 ? (
              <Empty
                image={Empty.PRESENTED_IMAGE_SIMPLE}
                description={<span data-testid="dashboard-platforms-empty">{t('dashboard.platformEmpty')}</span>}
              />
            ) : (
              <Suspense fallback={chartFallback}>
                <PlatformChart title={t('dashboard.byPlatform')} slices={slices} name={sliceName} currency={data.currency} lang={lang} narrow={narrow} height={CHART_HEIGHT} />
              </Suspense>
            )}
          </Card>
        </Col>
      </Row>

      <ExposurePanel days={Math.max(1, daysBetween(range.from, range.to))} />

      <Row gutter={[16, 16]}>
        <Col xs={24} xl={12}>
          <Breakdown
            testid="dashboard-creators"
            title={t('dashboard.topCreators')}
            rows={data?.top_creators ?? []}
            currency={currency}
            totalGmv={totalGmv}
            empty={
              <NextStep
                title={t('dashboard.creatorsEmpty')}
                hint={t('dashboard.creatorsEmptyHint')}
                actions={<Link to="/creators">{t('nav.creators')}</Link>}
              />
            }
            first={[
              {
                title: t('dashboard.creator'),
                dataIndex: 'name',
                render: (name: string, r) => (
                  <Link to={`/creators/${r.key}`} data-testid="top-creator-link">
                    {name || '—'}
                  </Link>
                ),
              },
            ]}
          />
        </Col>
        <Col xs={24} xl={12}>
          <Breakdown
            testid="dashboard-campaigns"
            title={t('dashboard.byCampaign')}
            rows={data?.campaigns ?? []}
            currency={currency}
            totalGmv={totalGmv}
            empty={
              <NextStep
                title={t('dashboard.campaignsEmpty')}
                hint={t('dashboard.campaignsEmptyHint')}
                actions={<Link to="/campaigns">{t('nav.campaigns')}</Link>}
              />
            }
            first={[
              {
                title: t('dashboard.campaign'),
                dataIndex: 'name',
                render: (name: string, r) => (
                  <Link to={`/campaigns/${r.key}`} data-testid="campaign-link">
                    {name || '—'}
                  </Link>
                ),
              },
            ]}
          />
        </Col>
      </Row>

      <Breakdown
        testid="dashboard-accounts"
        title={t('dashboard.topAccounts')}
        rows={data?.accounts ?? []}
        currency={currency}
        totalGmv={totalGmv}
        empty={<NextStep title={t('dashboard.accountsEmpty')} hint={t('dashboard.accountsEmptyHint')} actions={<Link to="/links">{t('nav.links')}</Link>} />}
        first={[
          {
            title: t('dashboard.account'),
            dataIndex: 'name',
            render: (name: string, r) => (
              <Space size={4} wrap={false}>
                {r.platform && <PlatformTag platform={r.platform} />}
                {r.creator_id ? (
                  <Link to={`/creators/${r.creator_id}`} data-testid="top-account-link">
                    {name}
                  </Link>
                ) : (
                  name
                )}
              </Space>
            ),
          },
        ]}
      />
    </Flex>
  )
}
