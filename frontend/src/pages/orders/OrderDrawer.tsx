import type { ButtonProps } from 'antd'
import { CheckOutlined, CloseOutlined, RollbackOutlined, UserAddOutlined } from '@ant-design/icons'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { Alert, App as AntApp, Button, Descriptions, Drawer, Empty, Flex, Form, Input, List, Modal, Select, Space, Spin, Table, Tag, Typography } from 'antd'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { Link } from 'react-router'
import { addRefund, approveConversion, attributeConversion, getConversion, getCreator, rejectConversion } from '../../api/endpoints'
import { errorMessage, isVersionMismatch } from '../../api/errors'
import type { Conversion, LedgerEntry } from '../../api/types'
import { queryKeys } from '../../auth/session'
import { CreatorSearchSelect, formError, TABLE_SCROLL } from '../../campaigns/shared'
import { PlatformTag, usePlatformName } from '../../creators/shared'
import { useNarrow } from '../../layout/useNarrow'
import { formatMoney } from '../../money'
import { commissionOf, explainEntry, formatInZone, parseMajor, refundInstant } from '../../orders/format'
import { BaseAmount, ConversionStatusTag, EntryKindTag, MoneyList, orderKeys, RuleTag, useAllCampaigns, useOrderRights, useOrgZone } from '../../orders/shared'
import { SourceText } from './OrdersPage'

/** One order: what it said, how it was attributed, its items, refunds and ledger entries; finance's buttons. */
export function OrderDrawer({ id, onClose }: { id: string | null; onClose: () => void }) {
  const { t, i18n } = useTranslation()
  const narrow = useNarrow()
  const conversion = useQuery({ queryKey: orderKeys.conversion(id ?? ''), queryFn: () => getConversion(id!), enabled: !!id })
  const c = conversion.data
  return (
    <Drawer
      open={!!id}
      onClose={onClose}
      size={narrow ? '100%' : 760}
      // At the end of the header: a confirmation toast (top centre) never covers it.
      closable={{ placement: 'end' }}
      destroyOnHidden
      title={
        c ? (
          <Space wrap size={4} data-testid="order-drawer-head">
            <span data-testid="order-drawer-title">{c.external_id}</span>
            <ConversionStatusTag status={c.status} />
            <RuleTag rule={c.rule} />
          </Space>
        ) : (
          t('orders.detail')
        )
      }
      data-testid="order-drawer"
    >
      {conversion.isPending && id && <Spin />}
      {conversion.isError && <Alert type="error" showIcon title={errorMessage(conversion.error, t)} />}
      {c && (
        <div data-testid="order-drawer-body">
          <OrderDetail c={c} lang={i18n.language} />
        </div>
      )}
    </Drawer>
  )
}

function OrderDetail({ c, lang }: { c: Conversion; lang: string }) {
  const { t } = useTranslation()
  const { message } = AntApp.useApp()
  const queryClient = useQueryClient()
  const rights = useOrderRights()
  const zone = useOrgZone()
  const campaigns = useAllCampaigns()
  const [rejecting, setRejecting] = useState(false)
  const [refunding, setRefunding] = useState(false)
  const [attributing, setAttributing] = useState(false)
  const [reason, setReason] = useState('')
  const campaignName = (id: string) => campaigns.data?.items.find((x) => x.id === id)?.name ?? id

  const refresh = (next?: Conversion) => {
    if (next) queryClient.setQueryData(orderKeys.conversion(c.id), next)
    void queryClient.invalidateQueries({ queryKey: orderKeys.conversions })
    void queryClient.invalidateQueries({ queryKey: orderKeys.commissions })
  }
  const onDecisionError = (err: unknown) => {
    message.error(errorMessage(err, t))
    if (isVersionMismatch(err)) refresh()
  }
  const approve = useMutation({
    mutationFn: () => approveConversion(c.id, c.version),
    onSuccess: (next) => {
      message.success(t('orders.approved'))
      refresh(next)
    },
    onError: onDecisionError,
  })
  const reject = useMutation({
    mutationFn: () => rejectConversion(c.id, c.version, reason.trim()),
    onSuccess: (next) => {
      message.success(t('orders.rejected'))
      setRejecting(false)
      setReason('')
      refresh(next)
    },
    onError: onDecisionError,
  })

  const refundable = c.amount_minor - c.refunded_minor
  const clues = Object.entries(c.clues ?? {}).filter(([, v]) => v)
  const canApprove = rights.decide && c.status === 'pending' && !!c.creator_id
  const canReject = rights.decide && (c.status === 'pending' || c.status === 'approved')

  return (
    <Flex vertical gap={16}>
      <Flex gap={8} wrap data-testid="order-actions">
        {canApprove && (
          <Button type="primary" icon={<CheckOutlined />} loading={approve.isPending} onClick={() => approve.mutate()} data-testid="order-approve">
            {t('orders.approve')}
          </Button>
        )}
        {canReject && (
          <Button danger icon={<CloseOutlined />} onClick={() => setRejecting(true)} data-testid="order-reject">
            {t('orders.reject')}
          </Button>
        )}
        {rights.ingest && refundable > 0 && c.status !== 'rejected' && (
          <Button icon={<RollbackOutlined />} onClick={() => setRefunding(true)} data-testid="order-refund">
            {t('orders.recordRefund')}
          </Button>
        )}
        {rights.ingest && !c.creator_id && (
          <Button type="primary" icon={<UserAddOutlined />} onClick={() => setAttributing(true)} data-testid="order-attribute">
            {t('orders.attribute')}
          </Button>
        )}
      </Flex>
      {!c.creator_id && <Alert type="warning" showIcon title={t('orders.unattributedHint')} />}
      {c.status_reason && <Alert type="info" showIcon title={t('orders.statusReason', { reason: c.status_reason })} data-testid="order-status-reason" />}
      <Descriptions
        size="small"
        bordered
        column={{ xs: 1, sm: 2 }}
        items={[
          { key: 'at', label: t('orders.occurredAt'), children: formatInZone(c.occurred_at, lang, zone) },
          { key: 'source', label: t('orders.source'), children: <SourceText source={c.source} /> },
          {
            key: 'amount',
            label: t('orders.amountNet'),
            children: <span data-testid="order-detail-amount">{formatMoney(c.amount_minor, c.currency, lang)}</span>,
          },
          { key: 'discount', label: t('orders.discount'), children: formatMoney(c.discount_minor, c.currency, lang) },
          {
            key: 'refunded',
            label: t('orders.refunded'),
            children: <span data-testid="order-detail-refunded">{formatMoney(c.refunded_minor, c.currency, lang)}</span>,
          },
          {
            key: 'commission',
            label: t('orders.commission'),
            children: <MoneyList list={commissionOf(c.entries)} testid="order-detail-commission" />,
          },
          {
            key: 'creator',
            label: t('orders.creator'),
            children: c.creator_id ? (
              <Link to={`/creators/${c.creator_id}`} data-testid="order-detail-creator">
                {c.creator_name ?? c.creator_id}
              </Link>
            ) : (
              '—'
            ),
          },
          { key: 'platform', label: t('orders.platform'), children: c.platform ? <PlatformTag platform={c.platform} /> : '—' },
          {
            key: 'campaign',
            label: t('orders.campaign'),
            children: c.campaign_id ? <Link to={`/campaigns/${c.campaign_id}`}>{campaignName(c.campaign_id)}</Link> : '—',
          },
          { key: 'hold', label: t('orders.holdUntil'), children: c.hold_until ? formatInZone(c.hold_until, lang, zone) : '—' },
          ...(c.decided_at ? [{ key: 'decided', label: t('orders.decidedAt'), children: formatInZone(c.decided_at, lang, zone) }] : []),
        ]}
      />

      <section>
        <Typography.Title level={5}>{t('orders.clues')}</Typography.Title>
        <Typography.Paragraph type="secondary" style={{ marginBottom: 8 }}>
          {t('orders.cluesHelp')}
        </Typography.Paragraph>
        {clues.length ? (
          <Flex gap={6} wrap data-testid="order-clues">
            {clues.map(([k, v]) => (
              <Tag key={k}>
                {t(`orders.clue.${k}`, { defaultValue: k })}: <Typography.Text code>{String(v)}</Typography.Text>
              </Tag>
            ))}
          </Flex>
        ) : (
          <Typography.Text type="secondary">{t('orders.noClues')}</Typography.Text>
        )}
      </section>

      {c.items.length > 0 && (
        <section>
          <Typography.Title level={5}>{t('orders.items')}</Typography.Title>
          <Table
            size="small"
            rowKey={(_, i) => String(i)}
            pagination={false}
            scroll={TABLE_SCROLL}
            dataSource={c.items}
            data-testid="order-items"
            columns={[
              { title: t('products.sku'), dataIndex: 'sku', render: (v: string) => <Typography.Text code>{v}</Typography.Text> },
              { title: t('orders.quantity'), dataIndex: 'quantity', align: 'right' },
              { title: t('orders.amount'), dataIndex: 'amount_minor', align: 'right', render: (v: number) => formatMoney(v, c.currency, lang) },
            ]}
          />
        </section>
      )}

      <section>
        <Typography.Title level={5}>{t('orders.refunds')}</Typography.Title>
        {c.refunds.length ? (
          <Table
            size="small"
            rowKey="id"
            pagination={false}
            scroll={TABLE_SCROLL}
            dataSource={c.refunds}
            data-testid="order-refunds"
            columns={[
              { title: t('orders.refundId'), dataIndex: 'external_id' },
              {
                title: t('orders.amount'),
                dataIndex: 'amount_minor',
                align: 'right',
                render: (v: number, r) => formatMoney(v, r.currency ?? c.currency, lang),
              },
              { title: t('orders.refundedAt'), dataIndex: 'occurred_at', render: (v: string) => formatInZone(v, lang, zone) },
            ]}
          />
        ) : (
          <Typography.Text type="secondary">{t('orders.noRefunds')}</Typography.Text>
        )}
      </section>

      <section>
        <Typography.Title level={5}>{t('orders.entries')}</Typography.Title>
        {c.entries.length ? (
          <EntryList entries={c.entries} orderCurrency={c.currency} />
        ) : (
          <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={c.creator_id ? t('orders.noEntries') : t('orders.noEntriesUnattributed')} />
        )}
      </section>

      <Modal
        open={rejecting}
        title={t('orders.rejectTitle', { id: c.external_id })}
        okText={t('orders.reject')}
        okButtonProps={{ danger: true, disabled: !reason.trim(), 'data-testid': 'order-reject-submit' } as ButtonProps}
        cancelText={t('common.cancel')}
        confirmLoading={reject.isPending}
        onOk={() => reject.mutate()}
        onCancel={() => setRejecting(false)}
        destroyOnHidden
      >
        <Typography.Paragraph>{t('orders.rejectHelp')}</Typography.Paragraph>
        <Input.TextArea
          autoSize={{ minRows: 2 }}
          maxLength={500}
          placeholder={t('orders.reasonPlaceholder')}
          value={reason}
          onChange={(e) => setReason(e.target.value)}
          data-testid="order-reject-reason"
        />
      </Modal>
      <RefundModal open={refunding} c={c} onClose={() => setRefunding(false)} onDone={(next) => refresh(next)} />
      <AttributeModal open={attributing} c={c} onClose={() => setAttributing(false)} onDone={(next) => refresh(next)} />
    </Flex>
  )
}

/** The entries of an order, each with its explanation as a sentence. */
export function EntryList({ entries, orderCurrency }: { entries: LedgerEntry[]; orderCurrency?: string }) {
  const { t, i18n } = useTranslation()
  return (
    <List
      size="small"
      bordered
      dataSource={entries}
      data-testid="order-entries"
      renderItem={(e) => (
        <List.Item data-testid={`order-entry-${e.kind}`}>
          <Flex vertical gap={4} style={{ width: '100%', minWidth: 0 }}>
            <Flex gap={8} wrap align="center">
              <EntryKindTag kind={e.kind} />
              <Typography.Text strong data-testid="entry-amount">
                {formatMoney(e.amount_minor, e.currency, i18n.language)}
              </Typography.Text>
              {e.base_currency !== e.currency && <BaseAmount minor={e.base_amount_minor} currency={e.base_currency} missing={e.fx_missing} />}
              <Tag>{t('commissions.periodTag', { period: e.period })}</Tag>
            </Flex>
            <Typography.Text type="secondary" style={{ wordBreak: 'break-word' }} data-testid="entry-explanation">
              {explainEntry(e, t, orderCurrency)}
            </Typography.Text>
          </Flex>
        </List.Item>
      )}
    />
  )
}

interface RefundValues {
  external_id: string
  amount: string
  day?: string
}

function RefundModal({ open, c, onClose, onDone }: { open: boolean; c: Conversion; onClose: () => void; onDone: (c: Conversion) => void }) {
  const { t, i18n } = useTranslation()
  const { message } = AntApp.useApp()
  const zone = useOrgZone() ?? 'UTC'
  const [form] = Form.useForm<RefundValues>()
  const [error, setError] = useState<string | null>(null)
  const left = c.amount_minor - c.refunded_minor
  const save = useMutation({
    mutationFn: (v: RefundValues) =>
      addRefund(c.id, {
        external_id: v.external_id.trim(),
        amount_minor: parseMajor(v.amount, c.currency) ?? 0,
        occurred_at: refundInstant(v.day ?? '', zone, c.occurred_at, Date.now()),
      }),
    onSuccess: (res) => {
      message.success(t('orders.refundRecorded'))
      form.resetFields()
      setError(null)
      onDone(res.conversion)
      onClose()
    },
    onError: (err) => setError(formError(form, err, ['external_id', 'amount', 'day'], t, { amount_minor: 'amount', occurred_at: 'day' })),
  })
  return (
    <Modal
      open={open}
      title={t('orders.refundTitle', { id: c.external_id })}
      okText={t('orders.recordRefund')}
      cancelText={t('common.cancel')}
      okButtonProps={{ 'data-testid': 'refund-submit' } as ButtonProps}
      confirmLoading={save.isPending}
      onOk={() => form.submit()}
      onCancel={() => {
        setError(null)
        onClose()
      }}
      forceRender
    >
      <Typography.Paragraph type="secondary">
        {t('orders.refundHelp', { left: formatMoney(left, c.currency, i18n.language) })}
      </Typography.Paragraph>
      <Form form={form} layout="vertical" requiredMark={false} onFinish={(v) => save.mutate(v)} initialValues={{ external_id: '', amount: '' }}>
        <Form.Item
          name="external_id"
          label={t('orders.refundId')}
          extra={t('orders.refundIdHelp')}
          rules={[{ required: true, whitespace: true, message: t('common.required') }]}
        >
          <Input maxLength={200} data-testid="refund-external-id" />
        </Form.Item>
        <Form.Item
          name="amount"
          label={t('orders.refundAmount', { currency: c.currency })}
          rules={[
            { required: true, message: t('common.required') },
            {
              validator: (_, v: string) => {
                if (!v) return Promise.resolve()
                const minor = parseMajor(v, c.currency)
                if (minor === null || minor <= 0) return Promise.reject(new Error(t('orders.amountInvalid')))
                if (minor > left) return Promise.reject(new Error(t('orders.refundTooLarge', { left: formatMoney(left, c.currency, i18n.language) })))
                return Promise.resolve()
              },
            },
          ]}
        >
          <Input inputMode="decimal" suffix={c.currency} data-testid="refund-amount" />
        </Form.Item>
        <Form.Item name="day" label={t('orders.refundDay')} extra={t('orders.refundDayHelp')}>
          <Input type="date" data-testid="refund-day" />
        </Form.Item>
        {error && <Alert type="error" showIcon title={error} data-testid="refund-error" />}
      </Form>
    </Modal>
  )
}

interface AttributeValues {
  creator_id?: string
  account_id?: string
  campaign_id?: string
}

function AttributeModal({ open, c, onClose, onDone }: { open: boolean; c: Conversion; onClose: () => void; onDone: (c: Conversion) => void }) {
  const { t } = useTranslation()
  const platformName = usePlatformName()
  const { message } = AntApp.useApp()
  const [form] = Form.useForm<AttributeValues>()
  const [error, setError] = useState<string | null>(null)
  const creatorId = Form.useWatch('creator_id', form)
  const creator = useQuery({ queryKey: queryKeys.creator(creatorId ?? ''), queryFn: () => getCreator(creatorId!), enabled: !!creatorId })
  const campaigns = useAllCampaigns()
  const save = useMutation({
    mutationFn: (v: AttributeValues) =>
      attributeConversion(c.id, {
        creator_id: v.creator_id ?? '',
        ...(v.account_id ? { account_id: v.account_id } : {}),
        ...(v.campaign_id ? { campaign_id: v.campaign_id } : {}),
      }),
    onSuccess: (next) => {
      message.success(t('orders.attributed', { name: next.creator_name ?? '' }))
      form.resetFields()
      setError(null)
      onDone(next)
      onClose()
    },
    onError: (err) => setError(formError(form, err, ['creator_id', 'account_id', 'campaign_id'], t)),
  })
  return (
    <Modal
      open={open}
      title={t('orders.attributeTitle', { id: c.external_id })}
      okText={t('orders.attribute')}
      cancelText={t('common.cancel')}
      okButtonProps={{ 'data-testid': 'attribute-submit' } as ButtonProps}
      confirmLoading={save.isPending}
      onOk={() => form.submit()}
      onCancel={() => {
        setError(null)
        onClose()
      }}
      forceRender
    >
      <Typography.Paragraph type="secondary">{t('orders.attributeHelp')}</Typography.Paragraph>
      <Form form={form} layout="vertical" requiredMark={false} onFinish={(v) => save.mutate(v)}>
        <Form.Item name="creator_id" label={t('orders.creator')} rules={[{ required: true, message: t('common.required') }]}>
          <CreatorSearchSelect
            placeholder={t('campaigns.creators.pick')}
            onChange={() => form.setFieldValue('account_id', undefined)}
            data-testid="attribute-creator"
          />
        </Form.Item>
        <Form.Item name="account_id" label={t('orders.account')} extra={t('orders.optional')}>
          <Select
            allowClear
            disabled={!creatorId}
            loading={creator.isFetching}
            options={(creator.data?.accounts ?? []).map((a) => ({ value: a.id, label: `${platformName(a.platform)} @${a.handle}` }))}
            data-testid="attribute-account"
          />
        </Form.Item>
        <Form.Item name="campaign_id" label={t('orders.campaign')} extra={t('orders.attributeCampaignHelp')}>
          <Select
            allowClear
            showSearch={{ optionFilterProp: 'label' }}
            loading={campaigns.isPending}
            options={(campaigns.data?.items ?? []).map((x) => ({ value: x.id, label: x.name }))}
            data-testid="attribute-campaign"
          />
        </Form.Item>
        {error && <Alert type="error" showIcon title={error} data-testid="attribute-error" />}
      </Form>
    </Modal>
  )
}
