import { keepPreviousData, useInfiniteQuery } from '@tanstack/react-query'
import { Alert, Button, Card, Checkbox, Flex, Input, Select, Table, Tabs, Typography } from 'antd'
import { useMemo } from 'react'
import { useTranslation } from 'react-i18next'
import { Link, useSearchParams } from 'react-router'
import { listCommissions } from '../../api/endpoints'
import { errorMessage } from '../../api/errors'
import { ENTRY_KINDS, type LedgerEntry } from '../../api/types'
import { CreatorSearchSelect, TABLE_SCROLL } from '../../campaigns/shared'
import { NextStep } from '../../components/NextStep'
import { formatBps, formatMoney } from '../../money'
import { entryFiltersFromSearch, entryFiltersToQuery, entryFiltersToSearch, explainEntry, formatInZone, type EntryFilters } from '../../orders/format'
import { BaseAmount, EntryKindTag, orderKeys, useAllCampaigns, useCreatorNames, useOrgZone } from '../../orders/shared'
import { FxRatesTab } from './FxRatesTab'

const TABS = ['entries', 'fx'] as const

export default function CommissionsPage() {
  const { t } = useTranslation()
  const [params, setParams] = useSearchParams()
  const tab = (TABS as readonly string[]).includes(params.get('tab') ?? '') ? (params.get('tab') as (typeof TABS)[number]) : 'entries'
  return (
    <Card data-testid="page-commissions" title={<span data-testid="page-title">{t('nav.commissions')}</span>}>
      <Tabs
        activeKey={tab}
        onChange={(k) => setParams(k === 'entries' ? {} : { tab: k })}
        destroyOnHidden
        items={[
          { key: 'entries', label: <span data-testid="tab-entries-button">{t('commissions.tabEntries')}</span>, children: <EntriesTab /> },
          { key: 'fx', label: <span data-testid="tab-fx-button">{t('fx.title')}</span>, children: <FxRatesTab /> },
        ]}
      />
    </Card>
  )
}

function EntriesTab() {
  const { t, i18n } = useTranslation()
  const lang = i18n.language
  const zone = useOrgZone()
  const [params, setParams] = useSearchParams()
  const filters = useMemo(() => entryFiltersFromSearch(params), [params])
  const searchKey = entryFiltersToSearch(filters).toString()
  const campaigns = useAllCampaigns()
  const setFilters = (patch: Partial<EntryFilters>) => setParams(entryFiltersToSearch({ ...filters, ...patch }))
  const list = useInfiniteQuery({
    queryKey: [...orderKeys.commissions, 'list', searchKey],
    queryFn: ({ pageParam }) => listCommissions({ ...entryFiltersToQuery(filters), limit: 50, cursor: pageParam }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
    placeholderData: keepPreviousData,
  })
  const items = list.data?.pages.flatMap((p) => p.items) ?? []
  const total = list.data?.pages[0]?.total
  const creatorName = useCreatorNames(items.map((e) => e.creator_id))
  const filtered = searchKey !== ''

  return (
    <>
      <Flex gap={8} wrap style={{ marginBottom: 12 }} data-testid="commissions-filters">
        <CreatorSearchSelect
          allowClear
          style={{ minWidth: 200, maxWidth: '100%' }}
          placeholder={t('orders.creator')}
          value={filters.creator_id || undefined}
          onChange={(v?: string) => setFilters({ creator_id: v ?? '' })}
          data-testid="commissions-creator-filter"
        />
        <Select
          allowClear
          showSearch={{ optionFilterProp: 'label' }}
          style={{ minWidth: 200, maxWidth: '100%' }}
          placeholder={t('orders.campaign')}
          value={filters.campaign_id || undefined}
          loading={campaigns.isPending}
          onChange={(v?: string) => setFilters({ campaign_id: v ?? '' })}
          options={(campaigns.data?.items ?? []).map((c) => ({ value: c.id, label: c.name }))}
          data-testid="commissions-campaign-filter"
        />
        <Select
          allowClear
          style={{ minWidth: 140 }}
          placeholder={t('commissions.kind')}
          value={filters.kind || undefined}
          onChange={(v?: string) => setFilters({ kind: (v ?? '') as EntryFilters['kind'] })}
          options={ENTRY_KINDS.map((k) => ({ value: k, label: t(`commissions.kinds.${k}`) }))}
          data-testid="commissions-kind-filter"
        />
        <Input
          type="month"
          aria-label={t('commissions.period')}
          title={t('commissions.period')}
          value={filters.period}
          onChange={(e) => setFilters({ period: e.target.value })}
          style={{ width: 170 }}
          data-testid="commissions-period-filter"
        />
        <Checkbox checked={filters.fx_missing} onChange={(e) => setFilters({ fx_missing: e.target.checked })} data-testid="commissions-fx-missing-filter">
          {t('commissions.onlyFxMissing')}
        </Checkbox>
        {filtered && (
          <Button type="link" onClick={() => setParams({})} data-testid="commissions-clear-filters">
            {t('creators.clearFilters')}
          </Button>
        )}
      </Flex>
      {filters.conversion_id && (
        <Alert
          type="info"
          showIcon
          style={{ marginBottom: 12 }}
          title={t('commissions.oneOrder')}
          action={
            <Button size="small" onClick={() => setFilters({ conversion_id: '' })}>
              {t('creators.clearFilters')}
            </Button>
          }
        />
      )}
      {list.isError && <Alert type="error" showIcon title={errorMessage(list.error, t)} style={{ marginBottom: 16 }} />}
      <Table<LedgerEntry>
        rowKey="id"
        data-testid="commissions-table"
        loading={list.isFetching}
        dataSource={items}
        pagination={false}
        scroll={TABLE_SCROLL}
        size="middle"
        onRow={(e) => ({ 'data-testid': `commission-row-${e.kind}` }) as React.HTMLAttributes<HTMLElement>}
        expandable={{
          expandedRowRender: (e) => (
            <Typography.Text style={{ wordBreak: 'break-word' }} data-testid="commission-explanation">
              {explainEntry(e, t)}
            </Typography.Text>
          ),
        }}
        locale={{
          emptyText: filtered ? (
            <NextStep title={t('empty.noMatch')} actions={<Button onClick={() => setParams({})}>{t('creators.clearFilters')}</Button>} />
          ) : (
            <NextStep title={t('commissions.empty')} hint={t('commissions.emptyHint')} actions={<Link to="/orders">{t('nav.orders')}</Link>} />
          ),
        }}
        columns={[
          { title: t('commissions.kind'), dataIndex: 'kind', render: (k: LedgerEntry['kind']) => <EntryKindTag kind={k} /> },
          {
            title: t('orders.creator'),
            dataIndex: 'creator_id',
            render: (id: string) => (
              <Link to={`/creators/${id}`} data-testid="commission-creator">
                {creatorName(id) ?? '…'}
              </Link>
            ),
          },
          {
            title: t('commissions.order'),
            dataIndex: 'conversion_id',
            render: (id: string | null) =>
              id ? (
                <Link to={`/orders?open=${encodeURIComponent(id)}`} data-testid="commission-order">
                  {t('commissions.openOrder')}
                </Link>
              ) : (
                '—'
              ),
          },
          {
            title: t('commissions.amount'),
            key: 'amount',
            align: 'right',
            render: (_, e) => (
              <span style={{ whiteSpace: 'nowrap' }} data-testid="commission-amount">
                {formatMoney(e.amount_minor, e.currency, lang)}
              </span>
            ),
          },
          {
            title: t('commissions.baseAmount'),
            key: 'base',
            align: 'right',
            render: (_, e) => <BaseAmount minor={e.base_amount_minor} currency={e.base_currency} missing={e.fx_missing} />,
          },
          { title: t('commissions.rate'), dataIndex: 'rate_bps', align: 'right', render: (v: number | null) => (v === null ? '—' : formatBps(v, lang)) },
          { title: t('commissions.period'), dataIndex: 'period', render: (v: string) => <span style={{ whiteSpace: 'nowrap' }}>{v}</span> },
          {
            title: t('commissions.createdAt'),
            dataIndex: 'created_at',
            render: (v: string) => <span style={{ whiteSpace: 'nowrap' }}>{formatInZone(v, lang, zone)}</span>,
          },
        ]}
      />
      <Flex justify="space-between" align="center" style={{ marginTop: 16 }} wrap gap={8}>
        <span data-testid="commissions-total">{total !== undefined && t('common.total', { count: total })}</span>
        {list.hasNextPage && (
          <Button onClick={() => void list.fetchNextPage()} loading={list.isFetchingNextPage}>
            {t('common.loadMore')}
          </Button>
        )}
      </Flex>
    </>
  )
}
