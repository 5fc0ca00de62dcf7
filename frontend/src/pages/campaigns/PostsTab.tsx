import { EditOutlined, EyeOutlined, LikeOutlined, MessageOutlined, PlusOutlined } from '@ant-design/icons'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { Alert, Badge, Button, Card, Col, Empty, Flex, Form, Input, InputNumber, Modal, Row, Select, Space, Typography, type ButtonProps } from 'antd'
import { useEffect, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { usePlatformName } from '../../creators/shared'
import { createDeliverable, listDeliverables, updateDeliverable } from '../../api/endpoints'
import { errorMessage } from '../../api/errors'
import { DELIVERABLE_STATUSES, type Campaign, type Deliverable, type DeliverableStatus } from '../../api/types'
import { groupDeliverables } from '../../campaigns/plan'
import { campaignKeys, formError } from '../../campaigns/shared'
import { useVersionConflict } from '../../components/useVersionConflict'
import type { CampaignPeople } from './useCampaignPeople'

const COLUMN_COLORS: Record<DeliverableStatus, string> = { planned: 'blue', drafted: 'gold', posted: 'green', late: 'red', cancelled: 'default' }

interface PostValues {
  creator_id: string
  account_id?: string | null
  url?: string
  due_on?: string
  status: DeliverableStatus
  views?: number | null
  likes?: number | null
  comments?: number | null
  shares?: number | null
}
const POST_FIELDS = ['creator_id', 'account_id', 'url', 'due_on', 'status', 'views', 'likes', 'comments', 'shares'] as const

export function PostsTab({ campaign, people, writable }: { campaign: Campaign; people: CampaignPeople; writable: boolean }) {
  const { t, i18n } = useTranslation()
  const posts = useQuery({ queryKey: campaignKeys.deliverables(campaign.id), queryFn: () => listDeliverables(campaign.id) })
  const [editing, setEditing] = useState<{ post?: Deliverable } | null>(null)
  const board = groupDeliverables(posts.data?.items ?? [])
  const n = (v: number | null) => (v === null ? '—' : v.toLocaleString(i18n.language))
  return (
    <div data-testid="tab-posts">
      {writable && (
        <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing({})} style={{ marginBottom: 16 }} data-testid="post-add" disabled={people.creatorOptions.length === 0}>
          {t('campaigns.posts.add')}
        </Button>
      )}
      {posts.isError && <Alert type="error" showIcon title={errorMessage(posts.error, t)} />}
      <div data-testid="posts-board" style={{ display: 'grid', gap: 12, gridTemplateColumns: 'repeat(auto-fit, minmax(200px, 1fr))' }}>
        {DELIVERABLE_STATUSES.map((s) => (
            <Card
              key={s}
              size="small"
              title={
                <Space>
                  <Badge color={COLUMN_COLORS[s]} />
                  {t(`campaigns.postStatus.${s}`)}
                  <Typography.Text type="secondary" data-testid={`posts-count-${s}`}>
                    {board[s].length}
                  </Typography.Text>
                </Space>
              }
              data-testid={`posts-column-${s}`}
              styles={{ body: { padding: 8, minHeight: 60 } }}
            >
              {board[s].length === 0 && <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={false} style={{ margin: 0 }} />}
              <Flex vertical gap={8}>
                {board[s].map((d) => (
                  <Card key={d.id} size="small" data-testid="post-card" styles={{ body: { padding: 8 } }}>
                    <Flex justify="space-between" align="start" gap={4}>
                      <div style={{ minWidth: 0 }}>
                        <Typography.Text strong>{people.creatorName(d.creator_id)}</Typography.Text>
                        <div>
                          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                            {people.accountLabel(d.account_id)}
                          </Typography.Text>
                        </div>
                        {d.due_on && <div style={{ fontSize: 12 }}>{t('campaigns.posts.dueOn', { date: d.due_on })}</div>}
                        {d.url && (
                          <Typography.Link href={d.url} target="_blank" rel="noreferrer" ellipsis style={{ fontSize: 12, maxWidth: '100%', display: 'block' }}>
                            {d.url}
                          </Typography.Link>
                        )}
                        <Space size={8} style={{ fontSize: 12 }} wrap>
                          <span title={t('campaigns.posts.views')}>
                            <EyeOutlined /> {n(d.views)}
                          </span>
                          <span title={t('campaigns.posts.likes')}>
                            <LikeOutlined /> {n(d.likes)}
                          </span>
                          <span title={t('campaigns.posts.comments')}>
                            <MessageOutlined /> {n(d.comments)}
                          </span>
                        </Space>
                      </div>
                      {writable && <Button size="small" type="text" icon={<EditOutlined />} onClick={() => setEditing({ post: d })} aria-label={t('common.edit')} data-testid="post-edit" />}
                    </Flex>
                  </Card>
                ))}
              </Flex>
            </Card>
        ))}
      </div>
      <PostModal campaign={campaign} people={people} open={editing !== null} post={editing?.post} onClose={() => setEditing(null)} />
    </div>
  )
}

function PostModal(props: { campaign: Campaign; people: CampaignPeople; open: boolean; post?: Deliverable; onClose: () => void }) {
  const { t } = useTranslation()
  const platformName = usePlatformName()
  const [form] = Form.useForm<PostValues>()
  const [error, setError] = useState<string | null>(null)
  const [base, setBase] = useState(props.post)
  const queryClient = useQueryClient()
  const onConflict = useVersionConflict()
  const creatorId = Form.useWatch('creator_id', form)
  const { open, post, campaign } = props
  useEffect(() => {
    if (!open) return
    form.resetFields()
    setBase(post)
    setError(null)
    form.setFieldsValue(
      post
        ? { ...post, url: post.url ?? '', due_on: post.due_on ?? '' }
        : { status: 'planned', creator_id: props.people.creatorOptions[0]?.value },
    )
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [open, post, form])
  const key = campaignKeys.deliverables(campaign.id)
  const save = useMutation({
    mutationFn: (v: PostValues) => {
      const metrics = { views: v.views ?? null, likes: v.likes ?? null, comments: v.comments ?? null, shares: v.shares ?? null }
      if (base) {
        return updateDeliverable(base.id, base.version, {
          account_id: v.account_id ?? null,
          url: v.url?.trim() || null,
          due_on: v.due_on || null,
          status: v.status,
          ...metrics,
        })
      }
      const strip = Object.fromEntries(Object.entries(metrics).filter(([, x]) => x !== null)) as Record<string, number>
      return createDeliverable(campaign.id, {
        creator_id: v.creator_id,
        account_id: v.account_id ?? undefined,
        url: v.url?.trim() || undefined,
        due_on: v.due_on || undefined,
        status: v.status,
        ...strip,
      })
    },
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: key })
      void queryClient.invalidateQueries({ queryKey: campaignKeys.report(campaign.id) })
      props.onClose()
    },
    onError: (err) => {
      const reload = async () => {
        const list = await queryClient.fetchQuery({ queryKey: key, queryFn: () => listDeliverables(campaign.id), staleTime: 0 })
        const fresh = list.items.find((d) => d.id === base?.id)
        if (fresh) {
          setBase(fresh)
          form.setFieldsValue({ ...fresh, url: fresh.url ?? '', due_on: fresh.due_on ?? '' })
        }
      }
      if (!onConflict(err, reload)) setError(formError(form, err, POST_FIELDS, t))
    },
  })
  const accounts = props.people.accountsOf(creatorId)
  const metric = (name: 'views' | 'likes' | 'comments' | 'shares') => (
    <Col xs={12} sm={6}>
      <Form.Item name={name} label={t(`campaigns.posts.${name}`)}>
        <InputNumber min={0} precision={0} style={{ width: '100%' }} data-testid={`post-${name}`} />
      </Form.Item>
    </Col>
  )
  return (
    <Modal
      open={open}
      title={post ? t('campaigns.posts.editTitle') : t('campaigns.posts.addTitle')}
      okText={post ? t('common.save') : t('common.create')}
      cancelText={t('common.cancel')}
      onOk={() => form.submit()}
      onCancel={props.onClose}
      confirmLoading={save.isPending}
      okButtonProps={{ 'data-testid': 'post-submit' } as ButtonProps}
      forceRender
      width={640}
    >
      <Form<PostValues> form={form} layout="vertical" requiredMark={false} onFinish={(v) => save.mutate(v)}>
        <Row gutter={16}>
          <Col xs={24} sm={12}>
            <Form.Item name="creator_id" label={t('campaigns.creators.creator')} rules={[{ required: true, message: t('common.required') }]}>
              <Select options={props.people.creatorOptions} disabled={!!post} data-testid="post-creator" onChange={() => form.setFieldValue('account_id', undefined)} />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item name="account_id" label={t('campaigns.account')}>
              <Select allowClear options={accounts.map((a) => ({ value: a.id, label: `${platformName(a.platform)} @${a.handle}` }))} data-testid="post-account" />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item name="status" label={t('campaigns.posts.status')}>
              <Select
                data-testid="post-status"
                options={DELIVERABLE_STATUSES.filter((s) => s !== 'late').map((s) => ({ value: s, label: t(`campaigns.postStatus.${s}`) }))}
              />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item name="due_on" label={t('campaigns.posts.due')}>
              <Input type="date" data-testid="post-due" />
            </Form.Item>
          </Col>
        </Row>
        <Form.Item name="url" label={t('campaigns.posts.url')} rules={[{ type: 'url', message: t('products.urlInvalid') }]}>
          <Input inputMode="url" placeholder="https://" data-testid="post-url" />
        </Form.Item>
        <Row gutter={16}>
          {metric('views')}
          {metric('likes')}
          {metric('comments')}
          {metric('shares')}
        </Row>
        {error && <Alert type="error" showIcon title={error} data-testid="post-error" />}
      </Form>
    </Modal>
  )
}
