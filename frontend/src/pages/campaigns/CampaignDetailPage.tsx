import { ArrowLeftOutlined, DeleteOutlined, EditOutlined } from '@ant-design/icons'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { App as AntApp, Button, Card, Descriptions, Flex, Popconfirm, Result, Select, Space, Spin, Table, Tabs, Tag, Typography } from 'antd'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { Link, useNavigate, useParams, useSearchParams } from 'react-router'
import { ApiError } from '../../api/client'
import { campaignPlans, deleteCampaign, getCampaign, updateCampaign } from '../../api/endpoints'
import { errorMessage } from '../../api/errors'
import { CAMPAIGN_STATUSES, type Campaign, type CampaignStatus, type PlanVersion } from '../../api/types'
import { useCanWrite } from '../../auth/session'
import { describePlan } from '../../campaigns/plan'
import { TABLE_SCROLL, campaignKeys, productName, useAllProducts } from '../../campaigns/shared'
import { useVersionConflict } from '../../components/useVersionConflict'
import { formatDateTime } from '../../format'
import { formatMoney } from '../../money'
import { NotFound } from '../Placeholders'
import { EditCampaignDrawer } from './CampaignForm'
import { CAMPAIGN_STATUS_COLORS } from './CampaignsPage'
import { CreatorsTab } from './CreatorsTab'
import { LinksTab } from './LinksTab'
import { PostsTab } from './PostsTab'
import { ReportTab } from './ReportTab'
import { SamplesTab } from './SamplesTab'
import { useCampaignPeople } from './useCampaignPeople'

export default function CampaignDetailPage() {
  const { id = '' } = useParams()
  const { t } = useTranslation()
  const campaign = useQuery({ queryKey: campaignKeys.campaign(id), queryFn: () => getCampaign(id) })
  if (campaign.isPending) return <Spin style={{ display: 'block', margin: 48 }} />
  if (campaign.isError) {
    if (campaign.error instanceof ApiError && campaign.error.status === 404) return <NotFound />
    return <Result status="error" title={t('common.errorTitle')} subTitle={errorMessage(campaign.error, t)} />
  }
  return <CampaignDetail campaign={campaign.data} />
}

const TABS = ['creators', 'posts', 'samples', 'links', 'report', 'plans'] as const

function CampaignDetail({ campaign: c }: { campaign: Campaign }) {
  const { t, i18n } = useTranslation()
  const lang = i18n.language
  const { message } = AntApp.useApp()
  const queryClient = useQueryClient()
  const navigate = useNavigate()
  const writable = useCanWrite()
  const onConflict = useVersionConflict()
  const people = useCampaignPeople(c.id)
  const products = useAllProducts()
  const [editing, setEditing] = useState(false)
  const [params, setParams] = useSearchParams()
  const tab = (TABS as readonly string[]).includes(params.get('tab') ?? '') ? params.get('tab')! : 'creators'

  const setStatus = useMutation({
    mutationFn: (status: CampaignStatus) => updateCampaign(c.id, c.version, { status }),
    onSuccess: (u) => {
      queryClient.setQueryData(campaignKeys.campaign(c.id), u)
      void queryClient.invalidateQueries({ queryKey: campaignKeys.campaigns })
    },
    onError: (err) => {
      if (!onConflict(err, () => queryClient.refetchQueries({ queryKey: campaignKeys.campaign(c.id) }))) message.error(errorMessage(err, t))
    },
  })
  const remove = useMutation({
    mutationFn: () => deleteCampaign(c.id),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: campaignKeys.campaigns })
      navigate('/campaigns')
    },
    onError: (err) => message.error(errorMessage(err, t)),
  })
  const productList = c.product_ids
    .map((id) => products.data?.items.find((p) => p.id === id))
    .map((p, i) => (p ? `${p.sku} · ${productName(p, lang)}` : c.product_ids[i]))

  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }} data-testid="page-campaign">
      <Card
        title={
          <Space wrap>
            <Link to="/campaigns" aria-label={t('common.back')}>
              <ArrowLeftOutlined />
            </Link>
            <span data-testid="page-title">{c.name}</span>
          </Space>
        }
      >
        <Flex justify="end" style={{ marginBottom: 12 }}>
          <Space wrap>
            <Select<CampaignStatus>
              value={c.status}
              disabled={!writable || setStatus.isPending}
              onChange={(s) => setStatus.mutate(s)}
              style={{ minWidth: 120 }}
              data-testid="campaign-status-select"
              aria-label={t('campaigns.status')}
              options={CAMPAIGN_STATUSES.map((s) => ({ value: s, label: <Tag color={CAMPAIGN_STATUS_COLORS[s]}>{t(`campaigns.statuses.${s}`)}</Tag> }))}
            />
            {writable && (
              <Button icon={<EditOutlined />} onClick={() => setEditing(true)} data-testid="campaign-edit">
                {t('common.edit')}
              </Button>
            )}
            {writable && c.status === 'draft' && (
              <Popconfirm title={t('campaigns.confirmDelete', { name: c.name })} onConfirm={() => remove.mutate()}>
                <Button danger icon={<DeleteOutlined />} loading={remove.isPending} aria-label={t('common.delete')} />
              </Popconfirm>
            )}
          </Space>
        </Flex>
        <Descriptions
          size="small"
          column={{ xs: 1, sm: 2, lg: 3 }}
          data-testid="campaign-details"
          items={[
            { key: 'period', label: t('campaigns.period'), children: `${c.starts_on} → ${c.ends_on ?? '…'}` },
            {
              key: 'plan',
              label: t('campaigns.plan.title'),
              children: (
                <span data-testid="campaign-plan">
                  {describePlan(c.plan, lang, t)} <Tag>v{c.plan_version}</Tag>
                </span>
              ),
            },
            ...(c.next_plan
              ? [
                  {
                    key: 'next',
                    label: t('campaigns.plan.next'),
                    children: `${describePlan(c.next_plan.plan, lang, t)} · ${t('campaigns.plan.from', { date: formatDateTime(c.next_plan.effective_from, lang) })}`,
                  },
                ]
              : []),
            { key: 'window', label: t('campaigns.window'), children: t('campaigns.days', { count: c.attribution_window_days }) },
            { key: 'hold', label: t('campaigns.holdDays'), children: t('campaigns.days', { count: c.hold_days }) },
            {
              key: 'budget',
              label: t('campaigns.budget'),
              children: c.budget_minor !== null && c.currency ? formatMoney(c.budget_minor, c.currency, lang) : '—',
            },
            { key: 'products', label: t('campaigns.products'), children: productList.length ? productList.join(', ') : '—' },
            { key: 'enrolled', label: t('campaigns.enrolled'), children: c.enrolled },
          ]}
        />
      </Card>
      <Card styles={{ body: { paddingTop: 4 } }}>
        <Tabs
          activeKey={tab}
          onChange={(k) => setParams(k === 'creators' ? {} : { tab: k }, { replace: true })}
          destroyOnHidden
          items={[
            { key: 'creators', label: <span data-testid="tab-creators-button">{t('campaigns.tabs.creators')}</span>, children: <CreatorsTab campaign={c} people={people} writable={writable} /> },
            { key: 'posts', label: <span data-testid="tab-posts-button">{t('campaigns.tabs.posts')}</span>, children: <PostsTab campaign={c} people={people} writable={writable} /> },
            { key: 'samples', label: <span data-testid="tab-samples-button">{t('campaigns.tabs.samples')}</span>, children: <SamplesTab campaign={c} people={people} writable={writable} /> },
            { key: 'links', label: <span data-testid="tab-links-button">{t('campaigns.tabs.links')}</span>, children: <LinksTab campaign={c} people={people} writable={writable} /> },
            { key: 'report', label: <span data-testid="tab-report-button">{t('campaigns.tabs.report')}</span>, children: <ReportTab campaign={c} /> },
            { key: 'plans', label: <span data-testid="tab-plans-button">{t('campaigns.tabs.plans')}</span>, children: <PlanHistory campaign={c} /> },
          ]}
        />
      </Card>
      <EditCampaignDrawer campaign={c} open={editing} onClose={() => setEditing(false)} />
    </Space>
  )
}

function PlanHistory({ campaign }: { campaign: Campaign }) {
  const { t, i18n } = useTranslation()
  const plans = useQuery({ queryKey: campaignKeys.plans(campaign.id), queryFn: () => campaignPlans(campaign.id) })
  const now = Date.now()
  return (
    <div data-testid="tab-plans">
      {plans.isError && <Typography.Text type="danger">{errorMessage(plans.error, t)}</Typography.Text>}
      <Table<PlanVersion>
        rowKey="version"
        size="small"
        data-testid="plans-table"
        loading={plans.isFetching}
        dataSource={[...(plans.data?.items ?? [])].sort((a, b) => b.version - a.version)}
        pagination={false}
        scroll={TABLE_SCROLL}
        columns={[
          { title: t('campaigns.plan.version'), dataIndex: 'version', render: (v: number) => `v${v}` },
          {
            title: t('campaigns.plan.effectiveFrom'),
            dataIndex: 'effective_from',
            render: (v: string, p) => (
              <Space size={4} wrap>
                <span style={{ whiteSpace: 'nowrap' }}>{formatDateTime(v, i18n.language)}</span>
                {p.version === campaign.plan_version && <Tag color="green">{t('campaigns.plan.current')}</Tag>}
                {Date.parse(v) > now && <Tag color="blue">{t('campaigns.plan.scheduled')}</Tag>}
              </Space>
            ),
          },
          { title: t('campaigns.plan.title'), key: 'plan', render: (_, p) => describePlan(p.plan, i18n.language, t) },
          { title: t('campaigns.plan.createdAt'), dataIndex: 'created_at', render: (v: string) => formatDateTime(v, i18n.language) },
        ]}
      />
    </div>
  )
}
