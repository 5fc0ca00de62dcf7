import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { Alert, App as AntApp, Button, Card, Col, Form, Input, Row, Select, Table, Typography } from 'antd'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { listFxRates, putFxRate } from '../../api/endpoints'
import { errorMessage } from '../../api/errors'
import type { FXRate } from '../../api/types'
import { CurrencySelect, formError, TABLE_SCROLL, useBaseCurrency } from '../../campaigns/shared'
import { dayInZone, formatInZone, normalizeRate } from '../../orders/format'
import { orderKeys, useOrderRights, useOrgZone } from '../../orders/shared'
import { FxImportButton } from '../finance/FxImportModal'

interface Values {
  on: string
  currency: string
  rate: string
}

/** The organization's FX rates (1 unit of a currency = rate units of the base currency), and finance's form for a day's rate. */
export function FxRatesTab() {
  const { t, i18n } = useTranslation()
  const { message } = AntApp.useApp()
  const queryClient = useQueryClient()
  const rights = useOrderRights()
  const base = useBaseCurrency()
  const zone = useOrgZone() ?? 'UTC'
  const [currency, setCurrency] = useState<string | undefined>()
  const [form] = Form.useForm<Values>()
  const [error, setError] = useState<string | null>(null)
  const rates = useQuery({ queryKey: [...orderKeys.fxRates, currency ?? ''], queryFn: () => listFxRates({ currency }) })
  const save = useMutation({
    mutationFn: (v: Values) => putFxRate({ on: v.on, currency: v.currency, base_currency: base, rate: normalizeRate(v.rate) ?? v.rate }),
    onSuccess: (r) => {
      message.success(t('fx.saved', { currency: r.currency, on: r.on }))
      setError(null)
      form.setFieldValue('rate', '')
      void queryClient.invalidateQueries({ queryKey: orderKeys.fxRates })
    },
    onError: (err) => setError(formError(form, err, ['on', 'currency', 'rate'], t)),
  })
  return (
    <>
      <Typography.Paragraph type="secondary">{t('fx.intro', { base })}</Typography.Paragraph>
      {rights.fx && (
        <Card size="small" title={t('fx.record')} extra={<FxImportButton />} style={{ marginBottom: 16 }} data-testid="fx-form">
          <Form
            form={form}
            layout="vertical"
            requiredMark={false}
            initialValues={{ on: dayInZone(Date.now(), zone), currency: base === 'USD' ? 'CNY' : 'USD', rate: '' }}
            onFinish={(v) => save.mutate(v)}
          >
            <Row gutter={12} align="bottom">
              <Col xs={24} sm={6}>
                <Form.Item name="on" label={t('fx.on')} rules={[{ required: true, message: t('common.required') }]}>
                  <Input type="date" data-testid="fx-on" />
                </Form.Item>
              </Col>
              <Col xs={24} sm={6}>
                <Form.Item
                  name="currency"
                  label={t('fx.currency')}
                  rules={[
                    { required: true, message: t('common.required') },
                    { validator: (_, v?: string) => (v && v === base ? Promise.reject(new Error(t('fx.sameAsBase', { base }))) : Promise.resolve()) },
                  ]}
                >
                  <CurrencySelect data-testid="fx-currency" />
                </Form.Item>
              </Col>
              <Col xs={24} sm={6}>
                <Form.Item
                  name="rate"
                  label={t('fx.rateIn', { base })}
                  rules={[
                    { required: true, message: t('common.required') },
                    { validator: (_, v?: string) => (!v || normalizeRate(v) ? Promise.resolve() : Promise.reject(new Error(t('fx.rateInvalid')))) },
                  ]}
                >
                  <Input inputMode="decimal" placeholder="7.1234" data-testid="fx-rate" />
                </Form.Item>
              </Col>
              <Col xs={24} sm={6}>
                <Form.Item>
                  <Button type="primary" htmlType="submit" loading={save.isPending} block data-testid="fx-submit">
                    {t('common.save')}
                  </Button>
                </Form.Item>
              </Col>
            </Row>
            <Typography.Text type="secondary">{t('fx.help')}</Typography.Text>
            {error && <Alert type="error" showIcon title={error} style={{ marginTop: 12 }} />}
          </Form>
        </Card>
      )}
      <Select
        allowClear
        style={{ minWidth: 160, marginBottom: 12 }}
        placeholder={t('fx.currency')}
        value={currency}
        onChange={(v?: string) => setCurrency(v)}
        options={[...new Set((rates.data?.items ?? []).map((r) => r.currency).concat(currency ? [currency] : []))].map((c) => ({ value: c, label: c }))}
        data-testid="fx-filter"
      />
      {rates.isError && <Alert type="error" showIcon title={errorMessage(rates.error, t)} style={{ marginBottom: 12 }} />}
      <Table<FXRate>
        rowKey={(r) => `${r.currency}/${r.base_currency}/${r.on}`}
        size="small"
        data-testid="fx-table"
        loading={rates.isFetching}
        dataSource={rates.data?.items ?? []}
        pagination={(rates.data?.items.length ?? 0) > 50 ? { pageSize: 50 } : false}
        scroll={TABLE_SCROLL}
        locale={{ emptyText: t('fx.empty') }}
        columns={[
          { title: t('fx.on'), dataIndex: 'on' },
          { title: t('fx.pair'), key: 'pair', render: (_, r) => `${r.currency} → ${r.base_currency}` },
          {
            title: t('fx.rate'),
            dataIndex: 'rate',
            align: 'right',
            render: (v: string, r) => (
              <span data-testid={`fx-rate-${r.currency}-${r.on}`}>
                1 {r.currency} = {v} {r.base_currency}
              </span>
            ),
          },
          { title: t('fx.updatedAt'), dataIndex: 'updated_at', render: (v: string) => formatInZone(v, i18n.language, zone) },
        ]}
      />
    </>
  )
}
