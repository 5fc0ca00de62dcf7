import type { ButtonProps } from 'antd'
import { CheckOutlined, CloseOutlined, FilterOutlined, PlusOutlined, UploadOutlined } from '@ant-design/icons'
import { keepPreviousData, useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query'
import { Alert, App as AntApp, Badge, Button, Card, Flex, Input, Modal, Select, Space, Table, Tooltip, Typography } from 'antd'
import { useMemo, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { Link, useSearchParams } from 'react-router'
import { decideConversions, listConversions } from '../../api/endpoints'
import { errorMessage } from '../../api/errors'
import { CONVERSION_STATUSES, type BulkDecision, type BulkResult, type Conversion } from '../../api/types'
import { CreatorSearchSelect, TABLE_SCROLL } from '../../campaigns/shared'
import { NextStep } from '../../components/NextStep'
import { PlatformTag, usePlatformOptions } from '../../creators/shared'
import { formatMoney } from '../../money'
import {
  activeOrderFilters,
  bulkFilterFor,
  commissionOf,
  formatInZone,
  orderFiltersFromSearch,
  orderFiltersToQuery,
  orderFiltersToSearch,
  type OrderFilters,
} from '../../orders/format'
import { ConversionStatusTag, MoneyList, orderKeys, RuleTag, useAllCampaigns, useOrderRights, useOrgZone } from '../../orders/shared'
import { NewOrderModal } from './NewOrderModal'
import { OrderDrawer } from './OrderDrawer'
import { OrderImportModal } from './OrderImportModal'

type Action = 'approve' | 'reject'

export default function OrdersPage() {
  const { t, i18n } = useTranslation()
  const lang = i18n.language
  const { message } = AntApp.useApp()
  const queryClient = useQueryClient()
  const rights = useOrderRights()
  const zone = useOrgZone()
  const [params, setParams] = useSearchParams()
  const filters = useMemo(() => orderFiltersFromSearch(params), [params])
  const searchKey = orderFiltersToSearch(filters).toString()
  const [qInput, setQInput] = useState({ key: filters.q, value: filters.q })
  const [showFilters, setShowFilters] = useState(activeOrderFilters(filters) > 0)
  const [selected, setSelected] = useState<{ key: string; ids: string[] }>({ key: searchKey, ids: [] })
  const selectedIds = selected.key === searchKey ? selected.ids : []
  const [deciding, setDeciding] = useState<{ action: Action; scope: 'selected' | 'all' } | null>(null)
  const [reason, setReason] = useState('')
  const [openId, setOpenId] = useState<string | null>(params.get('open'))
  const [creating, setCreating] = useState(false)
  const [importing, setImporting] = useState(false)
  const campaigns = useAllCampaigns()
  const platformOptions = usePlatformOptions()

  // From the latest URL, not the last render's filters: two quick changes (to, then from) both stay.
  const setFilters = (patch: Partial<OrderFilters>) => setParams((prev) => orderFiltersToSearch({ ...orderFiltersFromSearch(prev), ...patch }))

  const list = useInfiniteQuery({
    queryKey: [...orderKeys.conversions, 'list', searchKey],
    queryFn: ({ pageParam }) => listConversions({ ...orderFiltersToQuery(filters), limit: 50, cursor: pageParam }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
    placeholderData: keepPreviousData,
  })
  const items = list.data?.pages.flatMap((p) => p.items) ?? []
  const total = list.data?.pages[0]?.total

  const decide = useMutation({
    mutationFn: (body: BulkDecision) => decideConversions(body),
    onSuccess: (res: BulkResult, body) => {
      message.success(t(body.action === 'approve' ? 'orders.bulkApproved' : 'orders.bulkRejected', { changed: res.changed, skipped: res.skipped }))
      setDeciding(null)
      setReason('')
      setSelected({ key: searchKey, ids: [] })
      void queryClient.invalidateQueries({ queryKey: orderKeys.conversions })
      void queryClient.invalidateQueries({ queryKey: orderKeys.commissions })
    },
    onError: (err) => message.error(errorMessage(err, t)),
  })

  const submitDecision = () => {
    if (!deciding) return
    const body: BulkDecision = { action: deciding.action }
    if (deciding.action === 'reject') body.reason = reason.trim()
    if (deciding.scope === 'selected') body.ids = selectedIds
    else body.filter = bulkFilterFor(filters, deciding.action) ?? {}
    decide.mutate(body)
  }

  const allFilter = (action: Action) => bulkFilterFor(filters, action)
  const nFilters = activeOrderFilters(filters)
  const clear = () => setParams({})

  const open = (id: string | null) => {
    setOpenId(id)
    const sp = new URLSearchParams(params)
    if (id) sp.set('open', id)
    else sp.delete('open')
    setParams(sp, { replace: true })
  }

  const bulkButtons = (scope: 'selected' | 'all') => {
    const disabledAll = (a: Action) => scope === 'all' && (allFilter(a) === null || !total)
    const hint = (a: Action) => (scope === 'all' && allFilter(a) === null ? t('orders.bulkAllUnavailable') : undefined)
    return (
      <>
        <Tooltip title={hint('approve')}>
          <Button
            icon={<CheckOutlined />}
            disabled={scope === 'selected' ? selectedIds.length === 0 : disabledAll('approve')}
            onClick={() => setDeciding({ action: 'approve', scope })}
            data-testid={`orders-${scope === 'selected' ? 'approve-selected' : 'approve-all'}`}
          >
            {scope === 'selected' ? t('orders.approveSelected', { count: selectedIds.length }) : t('orders.approveAll')}
          </Button>
        </Tooltip>
        <Tooltip title={hint('reject')}>
          <Button
            danger
            icon={<CloseOutlined />}
            disabled={scope === 'selected' ? selectedIds.length === 0 : disabledAll('reject')}
            onClick={() => setDeciding({ action: 'reject', scope })}
            data-testid={`orders-${scope === 'selected' ? 'reject-selected' : 'reject-all'}`}
          >
            {scope === 'selected' ? t('orders.rejectSelected', { count: selectedIds.length }) : t('orders.rejectAll')}
          </Button>
        </Tooltip>
      </>
    )
  }

  return (
    <Card data-testid="page-orders" title={<span data-testid="page-title">{t('nav.orders')}</span>}>
      {rights.ingest && (
        <Flex gap={8} wrap justify="end" style={{ marginBottom: 12 }}>
          <Space wrap>
            <Button icon={<UploadOutlined />} onClick={() => setImporting(true)} data-testid="orders-import">
              {t('orders.import')}
            </Button>
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="orders-create">
              {t('orders.create')}
            </Button>
          </Space>
        </Flex>
      )}
      <Flex gap={8} wrap style={{ marginBottom: 12 }}>
        <Input.Search
          allowClear
          style={{ maxWidth: 360 }}
          placeholder={t('orders.searchPlaceholder')}
          value={qInput.key === filters.q ? qInput.value : filters.q}
          onChange={(e) => setQInput({ key: filters.q, value: e.target.value })}
          onSearch={(v) => setFilters({ q: v.trim() })}
          enterButton
          data-testid="orders-search"
        />
        <Select
          allowClear
          style={{ minWidth: 140 }}
          placeholder={t('orders.status')}
          value={filters.status || undefined}
          onChange={(v?: string) => setFilters({ status: (v ?? '') as OrderFilters['status'] })}
          options={CONVERSION_STATUSES.map((s) => ({ value: s, label: t(`orders.statuses.${s}`) }))}
          data-testid="orders-status-filter"
        />
        <Select
          allowClear
          style={{ minWidth: 140 }}
          placeholder={t('orders.attribution')}
          value={filters.attributed || undefined}
          onChange={(v?: string) => setFilters({ attributed: (v ?? '') as OrderFilters['attributed'] })}
          options={[
            { value: 'true', label: t('orders.attributedYes') },
            { value: 'false', label: t('orders.unattributed') },
          ]}
          data-testid="orders-attributed-filter"
        />
        <Badge count={nFilters} size="small">
          <Button icon={<FilterOutlined />} onClick={() => setShowFilters((v) => !v)} data-testid="orders-more-filters">
            {t('creators.filters')}
          </Button>
        </Badge>
        {(nFilters > 0 || filters.q) && (
          <Button type="link" onClick={clear} data-testid="orders-clear-filters">
            {t('creators.clearFilters')}
          </Button>
        )}
      </Flex>
      {showFilters && (
        <Flex gap={8} wrap style={{ marginBottom: 12 }} data-testid="orders-filters">
          <CreatorSearchSelect
            allowClear
            style={{ minWidth: 200, maxWidth: '100%' }}
            placeholder={t('orders.creator')}
            value={filters.creator_id || undefined}
            onChange={(v?: string) => setFilters({ creator_id: v ?? '' })}
            data-testid="orders-creator-filter"
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
            data-testid="orders-campaign-filter"
          />
          <Select
            allowClear
            style={{ minWidth: 140 }}
            placeholder={t('orders.platform')}
            value={filters.platform || undefined}
            onChange={(v?: string) => setFilters({ platform: v ?? '' })}
            options={platformOptions}
            data-testid="orders-platform-filter"
          />
          <Space.Compact style={{ maxWidth: '100%' }}>
            <Input
              type="date"
              aria-label={t('orders.from')}
              title={t('orders.from')}
              value={filters.from}
              onChange={(e) => setFilters({ from: e.target.value })}
              style={{ width: 150 }}
              data-testid="orders-from"
            />
            <Input
              type="date"
              aria-label={t('orders.to')}
              title={t('orders.to')}
              value={filters.to}
              onChange={(e) => setFilters({ to: e.target.value })}
              style={{ width: 150 }}
              data-testid="orders-to"
            />
          </Space.Compact>
        </Flex>
      )}
      {rights.decide && (
        <Flex gap={8} wrap style={{ marginBottom: 12 }} data-testid="orders-bulk">
          {/* The selection's buttons appear once rows are ticked; "all matching" is always there. */}
          {selectedIds.length > 0 ? bulkButtons('selected') : bulkButtons('all')}
        </Flex>
      )}
      {list.isError && <Alert type="error" showIcon title={errorMessage(list.error, t)} style={{ marginBottom: 16 }} />}
      <Table<Conversion>
        rowKey="id"
        data-testid="orders-table"
        loading={list.isFetching}
        dataSource={items}
        pagination={false}
        scroll={TABLE_SCROLL}
        size="middle"
        onRow={(c) => ({ 'data-testid': `order-row-${c.external_id}` }) as React.HTMLAttributes<HTMLElement>}
        rowSelection={
          rights.decide
            ? {
                selectedRowKeys: selectedIds,
                onChange: (keys) => setSelected({ key: searchKey, ids: keys.map(String) }),
                getCheckboxProps: (c) => ({ 'data-testid': `order-select-${c.external_id}` }) as object,
              }
            : undefined
        }
        locale={{
          emptyText:
            nFilters > 0 || filters.q ? (
              <NextStep title={t('empty.noMatch')} actions={<Button onClick={clear}>{t('creators.clearFilters')}</Button>} />
            ) : (
              <NextStep
                title={t('orders.empty')}
                hint={rights.ingest ? t('orders.emptyHint') : t('empty.askColleague')}
                actions={
                  rights.ingest && (
                    <>
                      <Button type="primary" icon={<UploadOutlined />} onClick={() => setImporting(true)}>
                        {t('orders.import')}
                      </Button>
                      <Link to="/settings/stores">{t('stores.connect')}</Link>
                    </>
                  )
                }
              />
            ),
        }}
        columns={[
          {
            title: t('orders.externalId'),
            dataIndex: 'external_id',
            render: (v: string, c) => (
              <Typography.Link onClick={() => open(c.id)} data-testid="order-open" style={{ whiteSpace: 'nowrap' }}>
                {v}
              </Typography.Link>
            ),
          },
          {
            title: t('orders.occurredAt'),
            dataIndex: 'occurred_at',
            render: (v: string) => <span style={{ whiteSpace: 'nowrap' }}>{formatInZone(v, lang, zone)}</span>,
          },
          { title: t('orders.source'), dataIndex: 'source', render: (v: string) => <SourceText source={v} /> },
          {
            title: t('orders.amount'),
            key: 'amount',
            align: 'right',
            render: (_, c) => (
              <span style={{ whiteSpace: 'nowrap' }} data-testid="order-amount">
                {formatMoney(c.amount_minor, c.currency, lang)}
              </span>
            ),
          },
          {
            title: t('orders.creator'),
            key: 'creator',
            render: (_, c) =>
              c.creator_id ? (
                <Link to={`/creators/${c.creator_id}`} data-testid="order-creator">
                  {c.creator_name ?? '…'}
                </Link>
              ) : (
                '—'
              ),
          },
          { title: t('orders.platform'), dataIndex: 'platform', render: (p: string | null) => (p ? <PlatformTag platform={p} /> : '—') },
          { title: t('orders.rule'), dataIndex: 'rule', render: (r: Conversion['rule']) => <RuleTag rule={r} /> },
          { title: t('orders.status'), dataIndex: 'status', render: (s: Conversion['status']) => <ConversionStatusTag status={s} /> },
          {
            title: t('orders.commission'),
            key: 'commission',
            align: 'right',
            render: (_, c) => <MoneyList list={commissionOf(c.entries)} testid="order-commission" />,
          },
        ]}
      />
      <Flex justify="space-between" align="center" style={{ marginTop: 16 }} wrap gap={8}>
        <span data-testid="orders-total">{total !== undefined && t('common.total', { count: total })}</span>
        {list.hasNextPage && (
          <Button onClick={() => void list.fetchNextPage()} loading={list.isFetchingNextPage}>
            {t('common.loadMore')}
          </Button>
        )}
      </Flex>
      <Modal
        open={deciding !== null}
        title={
          deciding &&
          t(deciding.action === 'approve' ? 'orders.confirmApproveTitle' : 'orders.confirmRejectTitle', {
            count: deciding.scope === 'selected' ? selectedIds.length : (total ?? 0),
          })
        }
        okText={deciding?.action === 'approve' ? t('orders.approve') : t('orders.reject')}
        okButtonProps={{ danger: deciding?.action === 'reject', disabled: deciding?.action === 'reject' && !reason.trim(), 'data-testid': 'orders-bulk-confirm' } as ButtonProps}
        cancelText={t('common.cancel')}
        confirmLoading={decide.isPending}
        onOk={submitDecision}
        onCancel={() => setDeciding(null)}
        destroyOnHidden
      >
        <Typography.Paragraph>
          {deciding?.scope === 'all' ? t('orders.bulkAllHelp') : t('orders.bulkSelectedHelp')}
        </Typography.Paragraph>
        {deciding?.action === 'reject' && (
          <Input.TextArea
            autoSize={{ minRows: 2 }}
            maxLength={500}
            placeholder={t('orders.reasonPlaceholder')}
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            data-testid="orders-bulk-reason"
          />
        )}
      </Modal>
      <OrderDrawer id={openId} onClose={() => open(null)} />
      <NewOrderModal
        open={creating}
        onClose={() => setCreating(false)}
        onCreated={(c) => {
          setCreating(false)
          // The new order shows at the top of the unfiltered list, its drawer open.
          setOpenId(c.id)
          setParams(new URLSearchParams({ open: c.id }))
        }}
      />
      <OrderImportModal open={importing} onClose={() => setImporting(false)} />
    </Card>
  )
}

/** Where an order came from: API, manual, file, TikTok Shop, or a Shopify store. */
export function SourceText({ source }: { source: string }) {
  const { t } = useTranslation()
  if (source.startsWith('shopify:')) return <span style={{ whiteSpace: 'nowrap' }}>{t('orders.sources.shopify')}</span>
  return <span style={{ whiteSpace: 'nowrap' }}>{t(`orders.sources.${source}`, { defaultValue: source })}</span>
}
