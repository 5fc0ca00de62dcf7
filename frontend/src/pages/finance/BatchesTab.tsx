import { CheckOutlined, MinusCircleOutlined, PlusOutlined } from '@ant-design/icons'
import { keepPreviousData, useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query'
import { Alert, App as AntApp, Button, Card, Col, Flex, Form, Input, Modal, Row, Select, Space, Table, Typography } from 'antd'
import type { ButtonProps } from 'antd'
import { useMemo, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { Link, useSearchParams } from 'react-router'
import { errorMessage } from '../../api/errors'
import { CurrencySelect, formError, TABLE_SCROLL } from '../../campaigns/shared'
import { NextStep } from '../../components/NextStep'
import {
  createBatch,
  financeKeys,
  listPayouts,
  markPaid,
  PAYOUT_FILE_STATUSES,
  PAYOUT_FORMATS,
  payoutFile,
  type Batch,
  type Carry,
  type Payout,
  type PayoutFileStatus,
  type PayoutFormat,
} from '../../finance/api'
import { DownloadButton } from '../../finance/FileDownload'
import { currenciesOf, isMonth, minimumsBody, needsCurrency } from '../../finance/format'
import { currentSearch, PayoutStatusTag, PeriodSelect, useFinanceRights, usePeriods } from '../../finance/shared'
import { formatMoney } from '../../money'
import { dayInZone, formatInZone } from '../../orders/format'
import { orderKeys, useCreatorNames, useOrgZone } from '../../orders/shared'

/** Payout batches of a closed month: create one, mark each payout paid, download the files for the bank. */
export function BatchesTab() {
  const { t, i18n } = useTranslation()
  const zone = useOrgZone()
  const rights = useFinanceRights()
  const periods = usePeriods()
  const [params, setParams] = useSearchParams()
  const latestClosed = periods.data?.items.find((p) => p.status === 'closed')?.period
  const chosen = params.get('period')
  const period = isMonth(chosen) ? chosen : latestClosed
  const status = params.get('status') === 'pending' || params.get('status') === 'paid' ? params.get('status')! : ''
  const periodInfo = periods.data?.items.find((p) => p.period === period)
  const closed = periodInfo?.status === 'closed'
  const [paying, setPaying] = useState<Payout | null>(null)
  const setParam = (k: string, v: string | undefined) => {
    const next = currentSearch()
    next.set('tab', 'batches')
    if (v) next.set(k, v)
    else next.delete(k)
    setParams(next)
  }

  const list = useInfiniteQuery({
    queryKey: [...financeKeys.payouts, period ?? '', status],
    queryFn: ({ pageParam }) => listPayouts({ period, status: status || undefined, limit: 100, cursor: pageParam }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
    placeholderData: keepPreviousData,
    enabled: !!period,
  })
  const items = list.data?.pages.flatMap((p) => p.items) ?? []
  const total = list.data?.pages[0]?.total

  return (
    <>
      <Typography.Paragraph type="secondary">{t('payouts.intro')}</Typography.Paragraph>
      <Flex gap={8} wrap align="center" style={{ marginBottom: 12 }}>
        <PeriodSelect value={period} onChange={(v) => setParam('period', v)} data-testid="payouts-period" />
        <Select
          allowClear
          style={{ minWidth: 140 }}
          placeholder={t('payouts.status')}
          value={status || undefined}
          onChange={(v?: string) => setParam('status', v)}
          options={(['pending', 'paid'] as const).map((s) => ({ value: s, label: t(`payouts.statuses.${s}`) }))}
          data-testid="payouts-status-filter"
        />
      </Flex>

      {period && !closed && periodInfo && (
        <Alert
          type="warning"
          showIcon
          style={{ marginBottom: 12 }}
          title={t('payouts.closeFirst', { period })}
          action={
            <Link to="/payouts" data-testid="payouts-go-periods">
              {t('finance.tabs.periods')}
            </Link>
          }
        />
      )}

      {rights.payouts && period && closed && <CreateBatchCard period={period} />}

      {list.isError && <Alert type="error" showIcon title={errorMessage(list.error, t)} style={{ marginBottom: 12 }} />}
      <Table<Payout>
        rowKey="id"
        size="middle"
        data-testid="payouts-table"
        loading={list.isFetching}
        dataSource={items}
        pagination={false}
        scroll={TABLE_SCROLL}
        onRow={(p) => ({ 'data-testid': `payout-row-${p.creator_id}-${p.currency}` }) as React.HTMLAttributes<HTMLElement>}
        locale={{
          emptyText: period ? (
            <NextStep title={t('payouts.empty', { period })} hint={closed ? t('payouts.emptyHint') : undefined} testid="payouts-empty" />
          ) : (
            <NextStep title={t('payouts.noClosed')} actions={<Link to="/payouts">{t('finance.tabs.periods')}</Link>} testid="payouts-empty" />
          ),
        }}
        columns={[
          {
            title: t('payouts.creator'),
            dataIndex: 'creator_name',
            render: (name: string, p) => (
              <Link to={`/creators/${p.creator_id}`} data-testid="payout-creator">
                {name || p.creator_id}
              </Link>
            ),
          },
          {
            title: t('payouts.amount'),
            key: 'amount',
            align: 'right',
            render: (_, p) => (
              <span style={{ whiteSpace: 'nowrap' }} data-testid="payout-amount">
                {formatMoney(p.amount_minor, p.currency, i18n.language)}
              </span>
            ),
          },
          { title: t('payouts.entries'), dataIndex: 'entries', align: 'right' },
          { title: t('payouts.period'), dataIndex: 'period', render: (v: string) => <span style={{ whiteSpace: 'nowrap' }}>{v}</span> },
          { title: t('payouts.status'), dataIndex: 'status', render: (s: Payout['status']) => <PayoutStatusTag status={s} /> },
          { title: t('payouts.reference'), dataIndex: 'reference', render: (v: string | null) => <span data-testid="payout-reference">{v ?? '—'}</span> },
          {
            title: t('payouts.paidOn'),
            dataIndex: 'paid_on',
            render: (v: string | null, p) => (
              <span style={{ whiteSpace: 'nowrap' }} title={p.paid_at ? formatInZone(p.paid_at, i18n.language, zone) : undefined} data-testid="payout-paid-on">
                {v ?? '—'}
              </span>
            ),
          },
          {
            title: t('common.actions'),
            key: 'actions',
            render: (_, p) =>
              p.status === 'pending' && rights.payouts ? (
                <Button size="small" type="primary" icon={<CheckOutlined />} onClick={() => setPaying(p)} data-testid="payout-mark-paid">
                  {t('payouts.markPaid')}
                </Button>
              ) : null,
          },
        ]}
      />
      <Flex justify="space-between" align="center" style={{ marginTop: 12 }} wrap gap={8}>
        <span data-testid="payouts-total">{total !== undefined && t('common.total', { count: total })}</span>
        {list.hasNextPage && (
          <Button onClick={() => void list.fetchNextPage()} loading={list.isFetchingNextPage}>
            {t('common.loadMore')}
          </Button>
        )}
      </Flex>

      {period && <PayoutFilesCard period={period} currencies={currenciesOf(items)} />}
      <MarkPaidModal payout={paying} onClose={() => setPaying(null)} />
    </>
  )
}

interface MinimumRow {
  currency?: string
  amount?: string
}

/** A batch: one payout per creator and currency with a positive payable; amounts under a minimum wait. */
function CreateBatchCard({ period }: { period: string }) {
  const { t, i18n } = useTranslation()
  const { message } = AntApp.useApp()
  const queryClient = useQueryClient()
  const [form] = Form.useForm<{ minimums: MinimumRow[] }>()
  const [result, setResult] = useState<Batch | null>(null)
  const [error, setError] = useState<string | null>(null)
  const create = useMutation({
    mutationFn: (minimums: Record<string, number>) =>
      createBatch({ period, ...(Object.keys(minimums).length ? { minimums } : {}) }),
    onSuccess: (b) => {
      setResult(b)
      setError(null)
      message.success(t('payouts.created', { count: b.items.length, period: b.period }))
      void queryClient.invalidateQueries({ queryKey: financeKeys.payouts })
      void queryClient.invalidateQueries({ queryKey: financeKeys.statements })
    },
    onError: (err) => setError(formError(form, err, [], t)),
  })
  const carried = result?.carried_over ?? []
  const names = useCreatorNames(carried.map((c) => c.creator_id))
  const submit = (v: { minimums?: MinimumRow[] }) => {
    const { minimums, errors } = minimumsBody(v.minimums ?? [])
    if (errors.length) {
      form.setFields(
        errors.map((e) => ({
          name: ['minimums', e.index, e.problem === 'currency' ? 'currency' : 'amount'],
          errors: [t(`payouts.minimumErrors.${e.problem}`)],
        })),
      )
      return
    }
    create.mutate(minimums)
  }
  return (
    <Card size="small" title={t('payouts.createTitle', { period })} style={{ marginBottom: 16 }} data-testid="payout-batch-card">
      <Typography.Paragraph type="secondary">{t('payouts.createHelp')}</Typography.Paragraph>
      <Form form={form} layout="vertical" requiredMark={false} onFinish={submit}>
        <Form.List name="minimums">
          {(fields, { add, remove }) => (
            <>
              {fields.map((f) => (
                <Row key={f.key} gutter={8} align="top" data-testid="payout-minimum-row">
                  <Col xs={10} sm={6}>
                    <Form.Item name={[f.name, 'currency']} label={f.name === 0 ? t('payouts.minimumCurrency') : undefined}>
                      <CurrencySelect data-testid={`payout-minimum-currency-${f.name}`} />
                    </Form.Item>
                  </Col>
                  <Col xs={10} sm={6}>
                    <Form.Item name={[f.name, 'amount']} label={f.name === 0 ? t('payouts.minimumAmount') : undefined}>
                      <Input inputMode="decimal" placeholder="50.00" data-testid={`payout-minimum-amount-${f.name}`} />
                    </Form.Item>
                  </Col>
                  <Col xs={4} sm={2}>
                    <Form.Item label={f.name === 0 ? ' ' : undefined}>
                      <Button type="text" icon={<MinusCircleOutlined />} aria-label={t('common.remove')} onClick={() => remove(f.name)} />
                    </Form.Item>
                  </Col>
                </Row>
              ))}
              <Space wrap>
                <Button icon={<PlusOutlined />} onClick={() => add({ currency: undefined, amount: '' })} data-testid="payout-minimum-add">
                  {t('payouts.addMinimum')}
                </Button>
                <Button type="primary" htmlType="submit" loading={create.isPending} data-testid="payout-batch-create">
                  {t('payouts.create')}
                </Button>
              </Space>
            </>
          )}
        </Form.List>
      </Form>
      {error && <Alert type="error" showIcon title={error} style={{ marginTop: 12 }} data-testid="payout-batch-error" />}
      {result && (
        <div style={{ marginTop: 12 }} data-testid="payout-batch-result">
          <Alert
            type={result.items.length ? 'success' : 'info'}
            showIcon
            title={result.items.length ? t('payouts.created', { count: result.items.length, period: result.period }) : t('payouts.nothingNew', { period: result.period })}
          />
          {carried.length > 0 && (
            <>
              <Typography.Paragraph strong style={{ marginTop: 12, marginBottom: 4 }}>
                {t('payouts.carriedOver', { count: carried.length })}
              </Typography.Paragraph>
              <Table<Carry>
                size="small"
                rowKey={(c) => `${c.creator_id}/${c.currency}`}
                dataSource={carried}
                pagination={false}
                scroll={TABLE_SCROLL}
                data-testid="payout-carried-table"
                columns={[
                  { title: t('payouts.creator'), dataIndex: 'creator_id', render: (id: string) => <Link to={`/creators/${id}`}>{names(id) ?? '…'}</Link> },
                  {
                    title: t('payouts.carriedAmount'),
                    key: 'amount',
                    align: 'right',
                    render: (_, c) => <span style={{ whiteSpace: 'nowrap' }}>{formatMoney(c.amount_minor, c.currency, i18n.language)}</span>,
                  },
                ]}
              />
            </>
          )}
        </div>
      )}
    </Card>
  )
}

/** Reference and day of the bank transfer; a payout already paid (by someone else, meanwhile) is a clear 409. */
function MarkPaidModal({ payout, onClose }: { payout: Payout | null; onClose: () => void }) {
  const { t, i18n } = useTranslation()
  const { message } = AntApp.useApp()
  const queryClient = useQueryClient()
  const zone = useOrgZone() ?? 'UTC'
  const [form] = Form.useForm<{ reference: string; paid_on: string }>()
  const [error, setError] = useState<string | null>(null)
  const pay = useMutation({
    mutationFn: ({ id, reference, paid_on }: { id: string; reference: string; paid_on: string }) => markPaid(id, { reference, paid_on }),
    onSuccess: (p) => {
      message.success(t('payouts.paid', { name: p.creator_name, amount: formatMoney(p.amount_minor, p.currency, i18n.language) }))
      void queryClient.invalidateQueries({ queryKey: financeKeys.payouts })
      void queryClient.invalidateQueries({ queryKey: orderKeys.conversions })
      done()
    },
    onError: (err) => {
      setError(formError(form, err, ['reference', 'paid_on'], t))
      // Paid meanwhile (409 payout_paid): the list shows it as paid.
      void queryClient.invalidateQueries({ queryKey: financeKeys.payouts })
    },
  })
  const done = () => {
    setError(null)
    pay.reset()
    form.resetFields()
    onClose()
  }
  return (
    <Modal
      open={payout !== null}
      title={t('payouts.markPaidTitle')}
      onCancel={done}
      destroyOnHidden
      okText={t('payouts.markPaid')}
      okButtonProps={{ loading: pay.isPending, 'data-testid': 'payout-paid-submit' } as ButtonProps}
      onOk={() => form.submit()}
    >
      {payout && (
        <Typography.Paragraph data-testid="payout-paid-summary">
          {t('payouts.markPaidLead', {
            name: payout.creator_name,
            amount: formatMoney(payout.amount_minor, payout.currency, i18n.language),
            period: payout.period,
          })}
        </Typography.Paragraph>
      )}
      <Form
        form={form}
        layout="vertical"
        requiredMark={false}
        initialValues={{ reference: '', paid_on: dayInZone(Date.now(), zone) }}
        onFinish={(v) => payout && pay.mutate({ id: payout.id, reference: v.reference.trim(), paid_on: v.paid_on })}
      >
        <Form.Item
          name="reference"
          label={t('payouts.reference')}
          extra={t('payouts.referenceHelp')}
          rules={[{ required: true, whitespace: true, message: t('common.required') }]}
        >
          <Input maxLength={200} data-testid="payout-paid-reference" />
        </Form.Item>
        <Form.Item name="paid_on" label={t('payouts.paidOn')} rules={[{ required: true, message: t('common.required') }]}>
          <Input type="date" data-testid="payout-paid-on-input" />
        </Form.Item>
      </Form>
      {error && <Alert type="error" showIcon title={error} data-testid="payout-paid-error" />}
    </Modal>
  )
}

/** The files for the bank or provider: generic workbook or CSV, PayPal Payouts, Wise batch. */
function PayoutFilesCard({ period, currencies }: { period: string; currencies: string[] }) {
  const { t } = useTranslation()
  const [format, setFormat] = useState<PayoutFormat>('xlsx')
  const [currency, setCurrency] = useState<string | undefined>()
  const [status, setStatus] = useState<PayoutFileStatus>('pending')
  const missingCurrency = needsCurrency(format, currencies, currency)
  const options = useMemo(() => [...new Set([...currencies, ...(currency ? [currency] : [])])].sort(), [currencies, currency])
  const ext = format === 'xlsx' ? 'xlsx' : 'csv'
  return (
    <Card size="small" title={t('payouts.filesTitle', { period })} style={{ marginTop: 16 }} data-testid="payout-files-card">
      <Typography.Paragraph type="secondary">{t('payouts.filesHelp')}</Typography.Paragraph>
      <Flex gap={8} wrap align="flex-start">
        <Select<PayoutFormat>
          style={{ minWidth: 200 }}
          value={format}
          onChange={setFormat}
          options={PAYOUT_FORMATS.map((f) => ({ value: f, label: t(`payouts.formats.${f}`) }))}
          data-testid="payout-file-format"
        />
        <Select
          allowClear
          style={{ minWidth: 140 }}
          placeholder={t('payouts.allCurrencies')}
          value={currency}
          onChange={(v?: string) => setCurrency(v)}
          options={options.map((c) => ({ value: c, label: c }))}
          status={missingCurrency ? 'error' : undefined}
          data-testid="payout-file-currency"
        />
        <Select<PayoutFileStatus>
          style={{ minWidth: 160 }}
          value={status}
          onChange={setStatus}
          options={PAYOUT_FILE_STATUSES.map((s) => ({ value: s, label: t(`payouts.fileStatuses.${s}`) }))}
          data-testid="payout-file-status"
        />
        <DownloadButton
          type="primary"
          disabled={missingCurrency}
          file={payoutFile({ period, format, currency, status })}
          fallbackName={`payouts-${period}${format === 'paypal' || format === 'wise' ? `-${format}` : ''}${currency ? `-${currency}` : ''}.${ext}`}
          testid="payout-file-download"
        >
          {t('payouts.download')}
        </DownloadButton>
      </Flex>
      {missingCurrency && (
        <Typography.Text type="danger" data-testid="payout-file-need-currency">
          {t('payouts.paypalCurrency')}
        </Typography.Text>
      )}
    </Card>
  )
}
