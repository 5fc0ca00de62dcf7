import { ArrowLeftOutlined, DeleteOutlined, EditOutlined, PlusOutlined, UndoOutlined } from '@ant-design/icons'
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import {
  Alert,
  App as AntApp,
  Button,
  Card,
  DatePicker,
  Descriptions,
  Empty,
  Flex,
  Form,
  Input,
  InputNumber,
  Modal,
  Popconfirm,
  Result,
  Segmented,
  Select,
  Space,
  Spin,
  Table,
  Tag,
  Timeline,
  Tooltip,
  Typography,
  theme,
} from 'antd'
import { useEffect, useRef, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { Link, useParams } from 'react-router'
import { ApiError } from '../../api/client'
import {
  accountHistory,
  addAccount,
  addNote,
  creatorTimeline,
  deleteAccount,
  deleteCreator,
  getCreator,
  recordFollowers,
  restoreCreator,
  updateAccount,
  updateCreator,
} from '../../api/endpoints'
import { mergeUntouched } from '../../api/concurrency'
import { applyNestedFieldErrors, errorMessage } from '../../api/errors'
import { useVersionConflict } from '../../components/useVersionConflict'
import { ACCOUNT_STATUSES, CREATOR_STATUSES, type Account, type AccountStatus, type Creator, type CreatorStatus, type Snapshot } from '../../api/types'
import { queryKeys, useCanWrite, useMe } from '../../auth/session'
import { languageName } from '../../countries'
import { describeEvent, growth, profileUrl } from '../../creators/display'
import { guessPlatform } from '../../creators/form'
import { AccountStatusTag, CountryText, PlatformTag, RiskTag, STATUS_COLORS, TierTag, useAgencies, useCreatorThreat, usePlatformName, usePlatformOptions, useRisk } from '../../creators/shared'
import { formatDateTime } from '../../format'
import { formatBps, formatMoney } from '../../money'
import { NotFound } from '../Placeholders'
import { EditCreatorDrawer } from './CreatorForm'
import { CreatorCommissionCard } from './CreatorCommissionCard'

export default function CreatorDetailPage() {
  const { id = '' } = useParams()
  const { t } = useTranslation()
  const creator = useQuery({ queryKey: queryKeys.creator(id), queryFn: () => getCreator(id) })
  if (creator.isPending) return <Spin style={{ display: 'block', margin: 48 }} />
  if (creator.isError) {
    if (creator.error instanceof ApiError && creator.error.status === 404) return <NotFound />
    return <Result status="error" title={t('common.errorTitle')} subTitle={errorMessage(creator.error, t)} />
  }
  return <CreatorDetail creator={creator.data} />
}

function CreatorDetail({ creator: c }: { creator: Creator }) {
  const { t, i18n } = useTranslation()
  const { message } = AntApp.useApp()
  const queryClient = useQueryClient()
  const writable = useCanWrite()
  const me = useMe()
  const [editing, setEditing] = useState(false)
  const lang = i18n.language
  const onConflict = useVersionConflict()
  const threat = useCreatorThreat()(c)

  const refresh = (updated?: Creator) => {
    if (updated) queryClient.setQueryData(queryKeys.creator(c.id), updated)
    else void queryClient.invalidateQueries({ queryKey: queryKeys.creator(c.id) })
    void queryClient.invalidateQueries({ queryKey: queryKeys.timeline(c.id) })
    void queryClient.invalidateQueries({ queryKey: queryKeys.creators })
  }

  const setStatus = useMutation({
    mutationFn: (status: CreatorStatus) => updateCreator(c.id, c.version, { status }),
    onSuccess: (u) => {
      message.success(t('creator.statusSaved'))
      refresh(u)
    },
    onError: (err) => {
      if (!onConflict(err, () => queryClient.refetchQueries({ queryKey: queryKeys.creator(c.id) }))) message.error(errorMessage(err, t))
    },
  })
  const remove = useMutation({
    mutationFn: () => deleteCreator(c.id),
    onSuccess: () => {
      message.success(t('creator.deleted'))
      refresh()
    },
    onError: (err) => message.error(errorMessage(err, t)),
  })
  const restore = useMutation({
    mutationFn: () => restoreCreator(c.id),
    onSuccess: (u) => {
      message.success(t('creator.restored'))
      refresh(u)
    },
    onError: (err) => message.error(errorMessage(err, t)),
  })

  const deleted = c.deleted_at !== null
  const canEdit = writable && !deleted
  const dash = <Typography.Text type="secondary">—</Typography.Text>
  const orNone = (v: string | null | undefined) => (v ? v : dash)

  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }} data-testid="page-creator">
      <Card
        title={
          <Space wrap>
            <Link to="/creators" aria-label={t('common.back')}>
              <ArrowLeftOutlined />
            </Link>
            <span data-testid="page-title">{c.display_name}</span>
            <TierTag tier={c.tier} />
            {threat && (
              <Tooltip title={t('creators.exposedHint')}>
                <span>
                  <RiskTag level={threat} testid="creator-risk" />
                </span>
              </Tooltip>
            )}
            {deleted && <Tag color="red" data-testid="creator-deleted">{t('creator.deletedTag')}</Tag>}
          </Space>
        }
        extra={
          <Space wrap>
            <Select<CreatorStatus>
              value={c.status}
              disabled={!canEdit || setStatus.isPending}
              onChange={(s) => setStatus.mutate(s)}
              style={{ minWidth: 120 }}
              options={CREATOR_STATUSES.map((s) => ({ value: s, label: <Tag color={STATUS_COLORS[s]}>{t(`creatorStatus.${s}`)}</Tag> }))}
              data-testid="creator-status-select"
              aria-label={t('creators.status')}
            />
            {canEdit && (
              <Button icon={<EditOutlined />} onClick={() => setEditing(true)} data-testid="creator-edit">
                {t('common.edit')}
              </Button>
            )}
            {writable &&
              (deleted ? (
                <Button icon={<UndoOutlined />} onClick={() => restore.mutate()} loading={restore.isPending} data-testid="creator-restore">
                  {t('creator.restore')}
                </Button>
              ) : (
                <Popconfirm title={t('creator.confirmDelete', { name: c.display_name })} onConfirm={() => remove.mutate()}>
                  <Button danger icon={<DeleteOutlined />} loading={remove.isPending} data-testid="creator-delete">
                    {t('common.delete')}
                  </Button>
                </Popconfirm>
              ))}
          </Space>
        }
      >
        <Descriptions
          size="small"
          column={{ xs: 1, sm: 2, lg: 3 }}
          data-testid="creator-details"
          items={[
            { key: 'country', label: t('creators.country'), children: <CountryText code={c.country} /> },
            { key: 'email', label: t('creators.email'), children: c.email ? <a href={`mailto:${c.email}`}>{c.email}</a> : dash },
            { key: 'phone', label: t('creators.phone'), children: orNone(c.phone) },
            { key: 'wechat', label: t('creators.wechat'), children: orNone(c.wechat) },
            { key: 'whatsapp', label: t('creators.whatsapp'), children: orNone(c.whatsapp) },
            {
              key: 'languages',
              label: t('creators.languages'),
              children: c.languages.length ? c.languages.map((l) => languageName(l, lang)).join(', ') : dash,
            },
            {
              key: 'tags',
              label: t('creators.tags'),
              children: c.tags.length ? c.tags.map((x) => <Tag key={x}>{x}</Tag>) : dash,
            },
            {
              key: 'agency',
              label: t('creators.agency'),
              children: c.agency_name ?? dash,
            },
            { key: 'currency', label: t('creators.payoutCurrency'), children: orNone(c.payout_currency) },
            {
              key: 'payout',
              label: t('creators.payoutSection'),
              children: c.payout_method ? (
                <span data-testid="creator-payout-details">
                  {[t(`creators.payoutMethods.${c.payout_method}`), c.payout_account, c.payout_holder].filter(Boolean).join(' · ')}
                </span>
              ) : (
                orNone(c.payout_account)
              ),
            },
            {
              key: 'rate',
              label: t('creators.defaultRate'),
              children: c.default_rate_bps === null ? dash : formatBps(c.default_rate_bps, lang),
            },
            { key: 'followers', label: t('creators.followers'), children: c.followers.toLocaleString(lang) },
            {
              key: 'gmv',
              label: t('creators.gmv90d'),
              children: me.data ? formatMoney(c.gmv_90d_minor, me.data.org.base_currency, lang) : '',
            },
            { key: 'created', label: t('creators.createdAt'), children: formatDateTime(c.created_at, lang) },
            {
              key: 'notes',
              label: t('creators.notes'),
              span: 'filled',
              children: c.notes ? <Typography.Paragraph style={{ whiteSpace: 'pre-wrap', margin: 0 }}>{c.notes}</Typography.Paragraph> : dash,
            },
          ]}
        />
      </Card>
      <AccountsCard creator={c} canEdit={canEdit} onChanged={() => refresh()} />
      <CreatorCommissionCard creatorId={c.id} />
      <TimelineCard creator={c} canEdit={canEdit} />
      {canEdit && <EditCreatorDrawer creator={c} open={editing} onClose={() => setEditing(false)} />}
    </Space>
  )
}

function GrowthText({ n }: { n: number | null }) {
  const { i18n } = useTranslation()
  const { token } = theme.useToken()
  const g = growth(n, i18n.language)
  if (!g) return <Typography.Text type="secondary">—</Typography.Text>
  const color = g.tone === 'up' ? token.colorSuccess : g.tone === 'down' ? token.colorError : undefined
  return (
    <span style={{ color }} data-testid="account-growth">
      {g.text}
    </span>
  )
}

function AccountsCard({ creator: c, canEdit, onChanged }: { creator: Creator; canEdit: boolean; onChanged: () => void }) {
  const { t, i18n } = useTranslation()
  const { message } = AntApp.useApp()
  const platformOptions = usePlatformOptions()
  const risk = useRisk()
  const [form] = Form.useForm<{ platform?: string; handle: string; followers?: number | null }>()
  const [addError, setAddError] = useState<string | null>(null)
  const [editingAccount, setEditingAccount] = useState<Account | null>(null)

  const add = useMutation({
    mutationFn: (v: { platform?: string; handle: string; followers?: number | null }) =>
      addAccount(c.id, {
        platform: v.platform ?? '',
        handle: v.handle.trim(),
        ...(v.followers !== undefined && v.followers !== null ? { followers: v.followers } : {}),
      }),
    onSuccess: () => {
      form.resetFields()
      setAddError(null)
      message.success(t('creator.accountAdded'))
      onChanged()
    },
    onError: (err) => {
      // Only the message on 409: account_taken names the creator who already has the handle.
      if (!(err instanceof ApiError && err.status === 409)) applyNestedFieldErrors(form, err, ['platform', 'handle', 'followers'], t)
      setAddError(errorMessage(err, t))
    },
  })
  const remove = useMutation({
    mutationFn: (id: string) => deleteAccount(id),
    onSuccess: () => {
      message.success(t('creator.accountRemoved'))
      onChanged()
    },
    onError: (err) => message.error(errorMessage(err, t)),
  })

  return (
    <Card title={t('creators.accounts')} data-testid="creator-accounts">
      <Table<Account>
        rowKey="id"
        size="small"
        dataSource={c.accounts}
        pagination={false}
        data-testid="accounts-table"
        scroll={{ x: 700 }}
        expandable={{
          expandedRowRender: (a) => <AccountHistoryPanel account={a} canEdit={canEdit} onChanged={onChanged} />,
          expandRowByClick: false,
        }}
        locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('creator.noAccounts')} /> }}
        columns={[
          {
            title: t('creators.platform'),
            dataIndex: 'platform',
            render: (p: string, a) => <PlatformTag platform={p} risk={a.status === 'active' ? risk(p, c.country) : undefined} />,
          },
          {
            title: t('creator.handle'),
            dataIndex: 'handle',
            render: (h: string, a) => {
              const href = profileUrl(a.platform, h, a.url)
              return href ? (
                <a href={href} target="_blank" rel="noreferrer noopener" data-testid="account-handle">
                  @{h}
                </a>
              ) : (
                <span data-testid="account-handle">@{h}</span>
              )
            },
          },
          {
            title: t('creators.followers'),
            dataIndex: 'followers',
            align: 'right',
            render: (n: number) => n.toLocaleString(i18n.language),
          },
          { title: t('creator.growth30d'), dataIndex: 'growth_30d', align: 'right', render: (n: number | null) => <GrowthText n={n} /> },
          { title: t('creators.status'), dataIndex: 'status', render: (s: AccountStatus) => <AccountStatusTag status={s} /> },
          {
            title: t('common.actions'),
            key: 'actions',
            render: (_, a) =>
              canEdit && (
                <Space size={4}>
                  <Button size="small" icon={<EditOutlined />} onClick={() => setEditingAccount(a)} aria-label={t('common.edit')} />
                  <Popconfirm title={t('creator.confirmRemoveAccount', { handle: a.handle })} onConfirm={() => remove.mutate(a.id)}>
                    <Button size="small" danger icon={<DeleteOutlined />} aria-label={t('common.delete')} />
                  </Popconfirm>
                </Space>
              ),
          },
        ]}
      />
      {canEdit && (
        <Form
          form={form}
          layout="inline"
          style={{ marginTop: 16, rowGap: 8 }}
          onValuesChange={(changed: { handle?: string }) => {
            // A pasted profile address names its platform: the handle field sets it.
            const guess = changed.handle !== undefined ? guessPlatform(changed.handle) : undefined
            if (guess) form.setFieldValue('platform', guess)
          }}
          onFinish={(v) => {
            setAddError(null)
            add.mutate(v)
          }}
          data-testid="account-add-form"
        >
          <Form.Item name="platform">
            <Select style={{ width: 170 }} options={platformOptions} allowClear placeholder={t('creators.platformAuto')} data-testid="add-account-platform" />
          </Form.Item>
          <Form.Item name="handle" rules={[{ required: true, whitespace: true, message: t('common.required') }]}>
            <Input style={{ width: 280 }} placeholder={t('creators.handlePlaceholder')} data-testid="add-account-handle" />
          </Form.Item>
          <Form.Item name="followers">
            <InputNumber min={0} precision={0} placeholder={t('creators.followers')} style={{ width: 140 }} />
          </Form.Item>
          <Button htmlType="submit" icon={<PlusOutlined />} loading={add.isPending} data-testid="add-account-submit">
            {t('creator.addAccount')}
          </Button>
        </Form>
      )}
      {addError && <Alert type="error" showIcon title={addError} style={{ marginTop: 12 }} data-testid="add-account-error" />}
      <EditAccountModal
        account={editingAccount}
        creatorId={c.id}
        onClose={() => setEditingAccount(null)}
        onSaved={onChanged}
      />
    </Card>
  )
}

type AccountEditValues = { handle: string; followers: number; status: AccountStatus }
const accountEditValues = (a: Account): AccountEditValues => ({ handle: a.handle, followers: a.followers, status: a.status })

function EditAccountModal(props: { account: Account | null; creatorId: string; onClose: () => void; onSaved: () => void }) {
  const { t } = useTranslation()
  const queryClient = useQueryClient()
  const onConflict = useVersionConflict()
  const [form] = Form.useForm<AccountEditValues>()
  const [error, setError] = useState<string | null>(null)
  // The account as the form shows it (its version goes as If-Match); replaced by a reload.
  const [a, setA] = useState<Account | null>(props.account)
  const opened = useRef<string | null>(null)
  useEffect(() => {
    if (props.account && opened.current !== props.account.id) {
      form.setFieldsValue(accountEditValues(props.account))
      setA(props.account)
      setError(null)
    }
    opened.current = props.account?.id ?? null
  }, [props.account, form])
  const reload = async () => {
    const fresh = await queryClient.fetchQuery({
      queryKey: queryKeys.creator(props.creatorId),
      queryFn: () => getCreator(props.creatorId),
      staleTime: 0,
    })
    const latest = fresh.accounts.find((x) => x.id === a?.id)
    if (!latest || !a) {
      props.onClose()
      return
    }
    form.setFieldsValue(mergeUntouched(form.getFieldsValue(), accountEditValues(a), accountEditValues(latest)))
    setA(latest)
    setError(null)
  }
  const save = useMutation({
    mutationFn: (v: AccountEditValues) =>
      updateAccount(a!.id, a!.version, {
        ...(v.handle.trim() !== a!.handle ? { handle: v.handle.trim() } : {}),
        ...(v.followers !== a!.followers ? { followers: v.followers } : {}),
        ...(v.status !== a!.status ? { status: v.status } : {}),
      }),
    onSuccess: () => {
      props.onSaved()
      props.onClose()
    },
    onError: (err) => {
      if (onConflict(err, reload)) return
      applyNestedFieldErrors(form, err, ['handle', 'followers', 'status'], t)
      setError(errorMessage(err, t))
    },
  })
  return (
    <Modal
      open={props.account !== null}
      title={t('creator.editAccount')}
      onCancel={props.onClose}
      onOk={() => form.submit()}
      okText={t('common.save')}
      cancelText={t('common.cancel')}
      confirmLoading={save.isPending}
      forceRender
    >
      <Form form={form} layout="vertical" onFinish={(v) => save.mutate(v)}>
        <Form.Item name="handle" label={t('creator.handle')} rules={[{ required: true, whitespace: true, message: t('common.required') }]}>
          <Input />
        </Form.Item>
        <Form.Item name="followers" label={t('creators.followers')} rules={[{ required: true, message: t('common.required') }]}>
          <InputNumber min={0} precision={0} style={{ width: '100%' }} />
        </Form.Item>
        <Form.Item name="status" label={t('creators.status')}>
          <Select options={ACCOUNT_STATUSES.map((s) => ({ value: s, label: t(`accountStatus.${s}`) }))} />
        </Form.Item>
        {error && <Alert type="error" showIcon title={error} />}
      </Form>
    </Modal>
  )
}

/** A small inline SVG line of the follower counts, oldest to newest. */
function Sparkline({ points }: { points: Snapshot[] }) {
  const { token } = theme.useToken()
  if (points.length < 2) return null
  const values = [...points].reverse().map((p) => p.followers)
  const min = Math.min(...values)
  const max = Math.max(...values)
  const w = 220
  const h = 40
  const d = values
    .map((v, i) => {
      const x = (i / (values.length - 1)) * w
      const y = max === min ? h / 2 : h - ((v - min) / (max - min)) * (h - 4) - 2
      return `${i === 0 ? 'M' : 'L'}${x.toFixed(1)},${y.toFixed(1)}`
    })
    .join(' ')
  return (
    <svg width={w} height={h} role="img" aria-label="followers" data-testid="sparkline">
      <path d={d} fill="none" stroke={token.colorPrimary} strokeWidth={2} />
    </svg>
  )
}

const HISTORY_DAYS = [30, 90, 365, 3660] as const

function AccountHistoryPanel({ account, canEdit, onChanged }: { account: Account; canEdit: boolean; onChanged: () => void }) {
  const { t, i18n } = useTranslation()
  const { message } = AntApp.useApp()
  const queryClient = useQueryClient()
  const [days, setDays] = useState<number>(90)
  const [form] = Form.useForm<{ captured_on: { format: (f: string) => string }; followers: number }>()
  const history = useQuery({ queryKey: queryKeys.history(account.id, days), queryFn: () => accountHistory(account.id, days) })
  const record = useMutation({
    mutationFn: (v: { captured_on: { format: (f: string) => string }; followers: number }) =>
      recordFollowers(account.id, { captured_on: v.captured_on.format('YYYY-MM-DD'), followers: v.followers }),
    onSuccess: () => {
      form.resetFields()
      message.success(t('creator.followersRecorded'))
      void queryClient.invalidateQueries({ queryKey: ['account-history', account.id] })
      onChanged()
    },
    onError: (err) => {
      applyNestedFieldErrors(form, err, ['captured_on', 'followers'], t)
      message.error(errorMessage(err, t))
    },
  })
  const snaps = history.data?.snapshots ?? []
  return (
    <div data-testid={`account-history-${account.id}`}>
      <Flex gap={16} align="center" wrap style={{ marginBottom: 8 }}>
        <Typography.Text strong>{t('creator.history')}</Typography.Text>
        <Segmented<number>
          size="small"
          value={days}
          onChange={setDays}
          options={HISTORY_DAYS.map((d) => ({ value: d, label: d === 3660 ? t('creator.allTime') : t('creator.lastDays', { days: d }) }))}
        />
        <Sparkline points={snaps} />
      </Flex>
      {history.isError && <Alert type="error" showIcon title={errorMessage(history.error, t)} />}
      <Table<Snapshot>
        size="small"
        rowKey="captured_on"
        loading={history.isPending}
        dataSource={snaps}
        pagination={snaps.length > 10 ? { pageSize: 10, size: 'small' } : false}
        columns={[
          { title: t('creator.capturedOn'), dataIndex: 'captured_on' },
          { title: t('creators.followers'), dataIndex: 'followers', align: 'right', render: (n: number) => n.toLocaleString(i18n.language) },
        ]}
        style={{ maxWidth: 480 }}
      />
      {canEdit && (
        <Form form={form} layout="inline" style={{ marginTop: 8, rowGap: 8 }} onFinish={(v) => record.mutate(v)}>
          <Form.Item name="captured_on" rules={[{ required: true, message: t('common.required') }]}>
            <DatePicker placeholder={t('creator.capturedOn')} />
          </Form.Item>
          <Form.Item name="followers" rules={[{ required: true, message: t('common.required') }]}>
            <InputNumber min={0} precision={0} placeholder={t('creators.followers')} style={{ width: 160 }} />
          </Form.Item>
          <Button htmlType="submit" loading={record.isPending}>
            {t('creator.recordFollowers')}
          </Button>
        </Form>
      )}
    </div>
  )
}

function TimelineCard({ creator: c, canEdit }: { creator: Creator; canEdit: boolean }) {
  const { t, i18n } = useTranslation()
  const { message } = AntApp.useApp()
  const queryClient = useQueryClient()
  const platformName = usePlatformName()
  const agencies = useAgencies()
  const agencyName = (id: string) => agencies.data?.items.find((a) => a.id === id)?.name
  const [text, setText] = useState('')
  const timeline = useInfiniteQuery({
    queryKey: queryKeys.timeline(c.id),
    queryFn: ({ pageParam }) => creatorTimeline(c.id, pageParam),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  })
  const note = useMutation({
    mutationFn: () => addNote(c.id, text.trim()),
    onSuccess: () => {
      setText('')
      void queryClient.invalidateQueries({ queryKey: queryKeys.timeline(c.id) })
    },
    onError: (err) => message.error(errorMessage(err, t)),
  })
  const events = timeline.data?.pages.flatMap((p) => p.items) ?? []
  return (
    <Card title={t('timeline.title')} data-testid="creator-timeline">
      {canEdit && (
        <Space.Compact style={{ width: '100%', marginBottom: 16 }}>
          <Input.TextArea
            value={text}
            onChange={(e) => setText(e.target.value)}
            placeholder={t('timeline.notePlaceholder')}
            autoSize={{ minRows: 1, maxRows: 6 }}
            maxLength={5000}
            data-testid="note-input"
          />
          <Button
            type="primary"
            disabled={!text.trim()}
            loading={note.isPending}
            onClick={() => note.mutate()}
            data-testid="note-submit"
          >
            {t('timeline.addNote')}
          </Button>
        </Space.Compact>
      )}
      {timeline.isError && <Alert type="error" showIcon title={errorMessage(timeline.error, t)} />}
      {timeline.isPending ? (
        <Spin />
      ) : (
        <Timeline
          data-testid="timeline-list"
          items={events.map((e) => ({
            key: e.id,
            color: e.kind === 'note' ? 'blue' : e.kind === 'deleted' ? 'red' : 'gray',
            content: (
              <div data-testid={`timeline-event-${e.kind}`}>
                <div style={{ whiteSpace: 'pre-wrap' }}>{describeEvent(e, t, platformName, agencyName)}</div>
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {e.actor_name ?? t('timeline.system')} · {formatDateTime(e.created_at, i18n.language)}
                  {e.kind === 'note' ? '' : ` · ${t(`timeline.kinds.${e.kind}`, { defaultValue: e.kind })}`}
                </Typography.Text>
              </div>
            ),
          }))}
        />
      )}
      {timeline.hasNextPage && (
        <Button onClick={() => void timeline.fetchNextPage()} loading={timeline.isFetchingNextPage}>
          {t('common.loadMore')}
        </Button>
      )}
    </Card>
  )
}
