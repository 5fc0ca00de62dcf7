import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { Alert, App as AntApp, Button, Card, Col, Form, Input, Radio, Row, Table, Typography } from 'antd'
import { useEffect, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { Link } from 'react-router'
import { getCreator, listCommissions } from '../../api/endpoints'
import { errorMessage } from '../../api/errors'
import type { LedgerEntry } from '../../api/types'
import { queryKeys } from '../../auth/session'
import { CreatorSearchSelect, CurrencySelect, formError, TABLE_SCROLL, useBaseCurrency } from '../../campaigns/shared'
import { createAdjustment, financeKeys } from '../../finance/api'
import { isMonth, signedMinor } from '../../finance/format'
import { useFinanceRights, usePeriods } from '../../finance/shared'
import { formatMoney } from '../../money'
import { formatInZone } from '../../orders/format'
import { orderKeys, useCreatorNames, useOrgZone } from '../../orders/shared'

interface Values {
  creator_id?: string
  direction: 'add' | 'deduct'
  amount: string
  currency: string
  period: string
  reason: string
}

/** A positive or negative amount owed to a creator, with a reason, in an open month; the latest ones below. */
export function AdjustmentsTab() {
  const { t, i18n } = useTranslation()
  const { message } = AntApp.useApp()
  const queryClient = useQueryClient()
  const rights = useFinanceRights()
  const zone = useOrgZone()
  const base = useBaseCurrency()
  const periods = usePeriods()
  const current = periods.data?.current ?? ''
  const [form] = Form.useForm<Values>()
  const [error, setError] = useState<string | null>(null)
  const currency = Form.useWatch('currency', form) ?? base
  const period = Form.useWatch('period', form)
  const closed = periods.data?.items.find((p) => p.period === period)?.status === 'closed'
  // The current month, once the server has said which it is.
  useEffect(() => {
    if (current && !form.getFieldValue('period')) form.setFieldValue('period', current)
  }, [current, form])

  const recent = useQuery({
    queryKey: [...financeKeys.adjustments],
    queryFn: () => listCommissions({ kind: 'adjustment', limit: 20 }),
  })
  const names = useCreatorNames((recent.data?.items ?? []).map((e) => e.creator_id))

  const save = useMutation({
    mutationFn: (v: Values & { amount_minor: number }) =>
      createAdjustment({ creator_id: v.creator_id!, amount_minor: v.amount_minor, currency: v.currency, reason: v.reason.trim(), period: v.period || undefined }),
    onSuccess: (e) => {
      message.success(t('adjustments.saved', { amount: formatMoney(e.amount_minor, e.currency, i18n.language), period: e.period }))
      setError(null)
      form.setFieldsValue({ amount: '', reason: '' })
      void queryClient.invalidateQueries({ queryKey: orderKeys.commissions })
      void queryClient.invalidateQueries({ queryKey: financeKeys.statements })
      void queryClient.invalidateQueries({ queryKey: financeKeys.periods })
    },
    onError: (err) => setError(formError(form, err, ['creator_id', 'currency', 'reason', 'period'], t, { amount_minor: 'amount' })),
  })

  // The creator's payout currency is the likely one.
  const pickCreator = async (id?: string) => {
    if (!id) return
    try {
      const c = await queryClient.fetchQuery({ queryKey: queryKeys.creator(id), queryFn: () => getCreator(id), staleTime: 60_000 })
      if (c.payout_currency) form.setFieldValue('currency', c.payout_currency)
    } catch {
      // keep the currency as it is
    }
  }

  return (
    <>
      <Typography.Paragraph type="secondary">{t('adjustments.intro')}</Typography.Paragraph>
      {rights.adjust && (
        <Card size="small" title={t('adjustments.new')} style={{ marginBottom: 16 }} data-testid="adjustment-form">
          <Form<Values>
            form={form}
            layout="vertical"
            requiredMark={false}
            initialValues={{ direction: 'add', amount: '', currency: base, period: current, reason: '' }}
            onFinish={(v) => {
              const minor = signedMinor(v.amount, v.currency, v.direction)
              if (minor === null) {
                form.setFields([{ name: 'amount', errors: [t('adjustments.amountInvalid', { currency: v.currency })] }])
                return
              }
              save.mutate({ ...v, amount_minor: minor })
            }}
          >
            <Row gutter={12}>
              <Col xs={24} md={12}>
                <Form.Item name="creator_id" label={t('adjustments.creator')} rules={[{ required: true, message: t('common.required') }]}>
                  <CreatorSearchSelect placeholder={t('adjustments.creatorPlaceholder')} onChange={(v?: string) => void pickCreator(v)} data-testid="adjustment-creator" />
                </Form.Item>
              </Col>
              <Col xs={24} md={12}>
                <Form.Item name="direction" label={t('adjustments.direction')}>
                  <Radio.Group
                    optionType="button"
                    options={[
                      { value: 'add', label: <span data-testid="adjustment-direction-add">{t('adjustments.add')}</span> },
                      { value: 'deduct', label: <span data-testid="adjustment-direction-deduct">{t('adjustments.deduct')}</span> },
                    ]}
                  />
                </Form.Item>
              </Col>
              <Col xs={24} sm={8}>
                <Form.Item
                  name="amount"
                  label={t('adjustments.amount')}
                  rules={[
                    { required: true, message: t('common.required') },
                    {
                      validator: (_, v?: string) =>
                        !v || signedMinor(v, currency, 'add') !== null
                          ? Promise.resolve()
                          : Promise.reject(new Error(t('adjustments.amountInvalid', { currency }))),
                    },
                  ]}
                >
                  <Input inputMode="decimal" placeholder={currency === 'JPY' ? '1200' : '12.50'} data-testid="adjustment-amount" />
                </Form.Item>
              </Col>
              <Col xs={24} sm={8}>
                <Form.Item name="currency" label={t('adjustments.currency')} rules={[{ required: true, message: t('common.required') }]}>
                  <CurrencySelect data-testid="adjustment-currency" />
                </Form.Item>
              </Col>
              <Col xs={24} sm={8}>
                <Form.Item
                  name="period"
                  label={t('adjustments.period')}
                  extra={closed ? undefined : t('adjustments.periodHelp')}
                  validateStatus={closed ? 'error' : undefined}
                  help={closed ? t('errors.period_closed', { period }) : undefined}
                  rules={[{ validator: (_, v?: string) => (!v || isMonth(v) ? Promise.resolve() : Promise.reject(new Error(t('adjustments.periodInvalid')))) }]}
                >
                  <Input type="month" data-testid="adjustment-period" />
                </Form.Item>
              </Col>
              <Col xs={24}>
                <Form.Item name="reason" label={t('adjustments.reason')} rules={[{ required: true, whitespace: true, message: t('adjustments.reasonRequired') }]}>
                  <Input.TextArea rows={2} maxLength={500} showCount placeholder={t('adjustments.reasonPlaceholder')} data-testid="adjustment-reason" />
                </Form.Item>
              </Col>
            </Row>
            <Button type="primary" htmlType="submit" loading={save.isPending} data-testid="adjustment-submit">
              {t('adjustments.submit')}
            </Button>
            {error && <Alert type="error" showIcon title={error} style={{ marginTop: 12 }} data-testid="adjustment-error" />}
          </Form>
        </Card>
      )}
      <Typography.Title level={5}>{t('adjustments.recent')}</Typography.Title>
      {recent.isError && <Alert type="error" showIcon title={errorMessage(recent.error, t)} style={{ marginBottom: 12 }} />}
      <Table<LedgerEntry>
        rowKey="id"
        size="small"
        data-testid="adjustments-table"
        loading={recent.isFetching}
        dataSource={recent.data?.items ?? []}
        pagination={false}
        scroll={TABLE_SCROLL}
        locale={{ emptyText: t('adjustments.empty') }}
        onRow={() => ({ 'data-testid': 'adjustment-row' }) as React.HTMLAttributes<HTMLElement>}
        columns={[
          {
            title: t('adjustments.creator'),
            dataIndex: 'creator_id',
            render: (id: string) => <Link to={`/creators/${id}`}>{names(id) ?? '…'}</Link>,
          },
          {
            title: t('adjustments.amount'),
            key: 'amount',
            align: 'right',
            render: (_, e) => (
              <span style={{ whiteSpace: 'nowrap' }} data-testid="adjustment-row-amount">
                {formatMoney(e.amount_minor, e.currency, i18n.language)}
              </span>
            ),
          },
          { title: t('adjustments.period'), dataIndex: 'period', render: (v: string) => <span data-testid="adjustment-row-period">{v}</span> },
          { title: t('adjustments.reason'), dataIndex: 'reason', render: (v: string | null) => <span style={{ wordBreak: 'break-word' }}>{v ?? '—'}</span> },
          { title: t('adjustments.recordedAt'), dataIndex: 'created_at', render: (v: string) => <span style={{ whiteSpace: 'nowrap' }}>{formatInZone(v, i18n.language, zone)}</span> },
        ]}
      />
      <Typography.Paragraph style={{ marginTop: 8 }}>
        <Link to="/commissions?kind=adjustment" data-testid="adjustments-all">
          {t('adjustments.allInLedger')}
        </Link>
      </Typography.Paragraph>
    </>
  )
}
