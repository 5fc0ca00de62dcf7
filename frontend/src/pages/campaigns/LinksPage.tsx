import { QrcodeOutlined } from '@ant-design/icons'
import { useInfiniteQuery, useQueries, useQuery } from '@tanstack/react-query'
import { Alert, Button, Card, Flex, Select, Table, Typography } from 'antd'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { Link, useSearchParams } from 'react-router'
import { getCreator, listCampaigns, listLinks, listPromoCodes } from '../../api/endpoints'
import { queryKeys } from '../../auth/session'
import { errorMessage } from '../../api/errors'
import type { PromoCode, TrackingLink } from '../../api/types'
import { TABLE_SCROLL } from '../../campaigns/shared'
import { absoluteShortUrl, QrModal } from './LinksTab'

/** Every tracking link and promo code of the organization, by campaign; they are made on a campaign's page. */
export default function LinksPage() {
  const { t } = useTranslation()
  const [params, setParams] = useSearchParams()
  const campaignId = params.get('campaign_id') ?? ''
  const [qr, setQr] = useState<TrackingLink | null>(null)
  const campaigns = useQuery({ queryKey: ['campaigns', 'all'], queryFn: () => listCampaigns({ limit: 500 }), staleTime: 30_000 })
  const name = (id: string) => campaigns.data?.items.find((c) => c.id === id)?.name ?? id
  const query = { campaign_id: campaignId || undefined, limit: 100 }
  const links = useInfiniteQuery({
    queryKey: ['links', campaignId],
    queryFn: ({ pageParam }) => listLinks({ ...query, cursor: pageParam }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  })
  const codes = useQuery({ queryKey: ['promo-codes', campaignId], queryFn: () => listPromoCodes({ ...query, limit: 500 }) })
  const linkItems = links.data?.pages.flatMap((p) => p.items) ?? []
  const creatorIds = [...new Set([...linkItems, ...(codes.data?.items ?? [])].map((x) => x.creator_id))]
  const creators = useQueries({
    queries: creatorIds.map((id) => ({ queryKey: queryKeys.creator(id), queryFn: () => getCreator(id), staleTime: 60_000 })),
  })
  const creatorCell = (id: string) => {
    const c = creators.find((q) => q.data?.id === id)?.data
    return <Link to={`/creators/${id}`}>{c?.display_name ?? '…'}</Link>
  }
  const campaignCell = (id: string) => <Link to={`/campaigns/${id}?tab=links`}>{name(id)}</Link>
  return (
    <Card data-testid="page-links" title={<span data-testid="page-title">{t('nav.links')}</span>}>
      <Flex gap={8} wrap style={{ marginBottom: 12 }}>
        <Select
          allowClear
          style={{ minWidth: 220, maxWidth: '100%' }}
          placeholder={t('nav.campaigns')}
          value={campaignId || undefined}
          onChange={(v?: string) => setParams(v ? { campaign_id: v } : {})}
          loading={campaigns.isPending}
          optionFilterProp="label"
          showSearch
          options={(campaigns.data?.items ?? []).map((c) => ({ value: c.id, label: c.name }))}
        />
      </Flex>
      {links.isError && <Alert type="error" showIcon title={errorMessage(links.error, t)} style={{ marginBottom: 12 }} />}
      <Typography.Title level={5}>{t('links.links')}</Typography.Title>
      <Table<TrackingLink>
        rowKey="id"
        data-testid="links-page-table"
        size="small"
        loading={links.isFetching}
        dataSource={linkItems}
        pagination={false}
        scroll={TABLE_SCROLL}
        columns={[
          { title: t('nav.campaigns'), dataIndex: 'campaign_id', render: campaignCell },
          { title: t('campaigns.creators.creator'), dataIndex: 'creator_id', render: creatorCell },
          {
            title: t('links.shortUrl'),
            dataIndex: 'short_url',
            render: (v: string) => <Typography.Text copyable={{ text: absoluteShortUrl(v) }}>{absoluteShortUrl(v)}</Typography.Text>,
          },
          {
            title: t('links.destination'),
            dataIndex: 'destination_url',
            render: (v: string) => (
              <Typography.Text ellipsis={{ tooltip: v }} style={{ maxWidth: 260 }}>
                {v}
              </Typography.Text>
            ),
          },
          { title: t('links.clicks'), dataIndex: 'clicks', align: 'right' },
          { title: t('links.active'), dataIndex: 'status', render: (s: string) => t(`links.status_${s}`) },
          { title: t('links.qr'), key: 'qr', render: (_, l) => <Button size="small" icon={<QrcodeOutlined />} onClick={() => setQr(l)} aria-label={t('links.qr')} /> },
        ]}
      />
      {links.hasNextPage && (
        <Button style={{ marginTop: 8 }} onClick={() => void links.fetchNextPage()} loading={links.isFetchingNextPage}>
          {t('common.loadMore')}
        </Button>
      )}
      <Typography.Title level={5} style={{ marginTop: 16 }}>
        {t('links.codes')}
      </Typography.Title>
      <Table<PromoCode>
        rowKey="id"
        size="small"
        loading={codes.isFetching}
        dataSource={codes.data?.items ?? []}
        pagination={false}
        scroll={TABLE_SCROLL}
        columns={[
          { title: t('links.code'), dataIndex: 'code', render: (v: string) => <Typography.Text code copyable={{ text: v }}>{v}</Typography.Text> },
          { title: t('nav.campaigns'), dataIndex: 'campaign_id', render: campaignCell },
          { title: t('campaigns.creators.creator'), dataIndex: 'creator_id', render: creatorCell },
          { title: t('links.active'), dataIndex: 'status', render: (s: string) => t(`links.status_${s}`) },
        ]}
      />
      <QrModal link={qr} onClose={() => setQr(null)} />
    </Card>
  )
}
