import { PlusOutlined, ShoppingOutlined } from '@ant-design/icons'
import { keepPreviousData, useInfiniteQuery } from '@tanstack/react-query'
import { NextStep } from '../../components/NextStep'
import { Alert, Button, Card, Flex, Input, Select, Space, Table, Tag } from 'antd'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { Link, useNavigate, useSearchParams } from 'react-router'
import { listCampaigns } from '../../api/endpoints'
import { errorMessage } from '../../api/errors'
import { CAMPAIGN_STATUSES, type Campaign, type CampaignStatus } from '../../api/types'
import { useCanWrite } from '../../auth/session'
import { describePlan } from '../../campaigns/plan'
import { TABLE_SCROLL, campaignKeys } from '../../campaigns/shared'
import { NewCampaignModal } from './CampaignForm'

export const CAMPAIGN_STATUS_COLORS: Record<CampaignStatus, string> = { draft: 'default', active: 'green', paused: 'orange', ended: 'red' }

export function CampaignStatusTag({ status }: { status: CampaignStatus }) {
  const { t } = useTranslation()
  return (
    <Tag color={CAMPAIGN_STATUS_COLORS[status]} data-testid="campaign-status-tag">
      {t(`campaigns.statuses.${status}`)}
    </Tag>
  )
}

export default function CampaignsPage() {
  const { t, i18n } = useTranslation()
  const writable = useCanWrite()
  const navigate = useNavigate()
  const [params, setParams] = useSearchParams()
  const q = params.get('q') ?? ''
  const status = (params.get('status') ?? '') as CampaignStatus | ''
  const [input, setInput] = useState({ key: q, value: q })
  const [creating, setCreating] = useState(false)

  const setFilter = (patch: { q?: string; status?: string }) => {
    const next = { q, status, ...patch }
    const sp = new URLSearchParams()
    if (next.q) sp.set('q', next.q)
    if (next.status) sp.set('status', next.status)
    setParams(sp)
  }

  const list = useInfiniteQuery({
    queryKey: [...campaignKeys.campaigns, q, status],
    queryFn: ({ pageParam }) => listCampaigns({ q: q || undefined, status: status || undefined, limit: 50, cursor: pageParam }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
    placeholderData: keepPreviousData,
  })
  const items = list.data?.pages.flatMap((p) => p.items) ?? []
  const total = list.data?.pages[0]?.total

  return (
    <Card
      data-testid="page-campaigns"
      title={<span data-testid="page-title">{t('nav.campaigns')}</span>}
    >
      <Flex gap={8} wrap justify="end" style={{ marginBottom: 12 }}>
        <Space wrap>
          <Link to="/products" data-testid="campaigns-products-link">
            <ShoppingOutlined /> {t('products.title')}
          </Link>
          {writable && (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="campaigns-create">
              {t('campaigns.create')}
            </Button>
          )}
        </Space>
      </Flex>
      <Flex gap={8} wrap style={{ marginBottom: 12 }}>
        <Input.Search
          allowClear
          style={{ maxWidth: 360 }}
          placeholder={t('campaigns.searchPlaceholder')}
          value={input.key === q ? input.value : q}
          onChange={(e) => setInput({ key: q, value: e.target.value })}
          onSearch={(v) => setFilter({ q: v.trim() })}
          enterButton
          data-testid="campaigns-search"
        />
        <Select
          allowClear
          style={{ minWidth: 160 }}
          placeholder={t('campaigns.status')}
          value={status || undefined}
          onChange={(s?: string) => setFilter({ status: s ?? '' })}
          options={CAMPAIGN_STATUSES.map((s) => ({ value: s, label: t(`campaigns.statuses.${s}`) }))}
          data-testid="campaigns-status-filter"
        />
      </Flex>
      {list.isError && <Alert type="error" showIcon title={errorMessage(list.error, t)} style={{ marginBottom: 16 }} />}
      <Table<Campaign>
        rowKey="id"
        data-testid="campaigns-table"
        loading={list.isFetching}
        dataSource={items}
        pagination={false}
        scroll={TABLE_SCROLL}
        locale={{
          emptyText:
            q || status ? (
              <NextStep title={t('empty.noMatch')} actions={<Button onClick={() => setParams({})}>{t('creators.clearFilters')}</Button>} />
            ) : (
              <NextStep
                title={t('empty.campaigns')}
                hint={writable ? t('empty.campaignsHint') : t('empty.askColleague')}
                actions={
                  writable && (
                    <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="empty-create">
                      {t('campaigns.create')}
                    </Button>
                  )
                }
              />
            ),
        }}
        columns={[
          {
            title: t('campaigns.name'),
            dataIndex: 'name',
            render: (name: string, c) => (
              <Link to={`/campaigns/${c.id}`} data-testid="campaign-link">
                {name}
              </Link>
            ),
          },
          { title: t('campaigns.status'), dataIndex: 'status', render: (s: CampaignStatus) => <CampaignStatusTag status={s} /> },
          {
            title: t('campaigns.period'),
            key: 'period',
            render: (_, c) => <span style={{ whiteSpace: 'nowrap' }}>{`${c.starts_on} → ${c.ends_on ?? '…'}`}</span>,
          },
          { title: t('campaigns.plan.title'), key: 'plan', render: (_, c) => describePlan(c.plan, i18n.language, t) },
          { title: t('campaigns.enrolled'), dataIndex: 'enrolled', align: 'right' },
        ]}
      />
      <Flex justify="space-between" align="center" style={{ marginTop: 16 }} wrap gap={8}>
        <span data-testid="campaigns-total">{total !== undefined && t('common.total', { count: total })}</span>
        {list.hasNextPage && (
          <Button onClick={() => void list.fetchNextPage()} loading={list.isFetchingNextPage}>
            {t('common.loadMore')}
          </Button>
        )}
      </Flex>
      <NewCampaignModal
        open={creating}
        onClose={() => setCreating(false)}
        onCreated={(c) => {
          setCreating(false)
          navigate(`/campaigns/${c.id}`)
        }}
      />
    </Card>
  )
}
