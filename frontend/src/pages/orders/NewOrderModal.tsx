import type { ButtonProps } from 'antd'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { Alert, App as AntApp, Col, Form, Input, Modal, Row, Select, Typography } from 'antd'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { usePlatformName } from '../../creators/shared'
import { createConversion, getCreator } from '../../api/endpoints'
import type { Conversion, NewConversion } from '../../api/types'
import { queryKeys } from '../../auth/session'
import { CreatorSearchSelect, CurrencySelect, formError, useBaseCurrency } from '../../campaigns/shared'
import { localInputValue, parseMajor, zonedToUtc } from '../../orders/format'
import { orderKeys, useAllCampaigns, useOrgZone } from '../../orders/shared'

interface Values {
  external_id: string
  occurred_at: string
  currency: string
  amount: string
  discount?: string
  creator_id?: string
  account_id?: string
  promo_code?: string
  campaign_id?: string
}

const FIELDS = ['external_id', 'occurred_at', 'currency', 'amount', 'discount', 'creator_id', 'account_id', 'promo_code', 'campaign_id'] as const
const RENAMES = { amount_minor: 'amount', discount_minor: 'discount' }

/** The body of a manual order from the form: money typed in major units, the time in the organization's zone. */
export function newOrderBody(v: Values, zone: string): NewConversion {
  const body: NewConversion = {
    external_id: v.external_id.trim(),
    occurred_at: zonedToUtc(v.occurred_at, zone) ?? v.occurred_at,
    currency: v.currency,
    amount_minor: parseMajor(v.amount, v.currency) ?? 0,
  }
  const discount = v.discount ? parseMajor(v.discount, v.currency) : null
  if (discount) body.discount_minor = discount
  if (v.creator_id) body.creator_id = v.creator_id
  if (v.account_id) body.account_id = v.account_id
  if (v.promo_code?.trim()) body.promo_code = v.promo_code.trim()
  if (v.campaign_id) body.campaign_id = v.campaign_id
  return body
}

/** An order entered by hand (finance or a seller): attributed by the same rules as any other. */
export function NewOrderModal(props: { open: boolean; onClose: () => void; onCreated: (c: Conversion) => void }) {
  const { t } = useTranslation()
  const platformName = usePlatformName()
  const { message } = AntApp.useApp()
  const queryClient = useQueryClient()
  const base = useBaseCurrency()
  const zone = useOrgZone() ?? 'UTC'
  const [form] = Form.useForm<Values>()
  const [error, setError] = useState<string | null>(null)
  const creatorId = Form.useWatch('creator_id', form)
  const currency = Form.useWatch('currency', form) ?? base
  const creator = useQuery({ queryKey: queryKeys.creator(creatorId ?? ''), queryFn: () => getCreator(creatorId!), enabled: !!creatorId })
  const campaigns = useAllCampaigns()
  const save = useMutation({
    mutationFn: (v: Values) => createConversion(newOrderBody(v, zone)),
    onSuccess: (c) => {
      message.success(t('orders.created', { id: c.external_id }))
      form.resetFields()
      setError(null)
      void queryClient.invalidateQueries({ queryKey: orderKeys.conversions })
      void queryClient.invalidateQueries({ queryKey: orderKeys.commissions })
      props.onCreated(c)
    },
    onError: (err) => setError(formError(form, err, FIELDS, t, RENAMES)),
  })
  const amountRule = (required: boolean) => ({
    validator: (_: unknown, v: string) => {
      if (!v) return required ? Promise.reject(new Error(t('common.required'))) : Promise.resolve()
      return parseMajor(v, currency) === null ? Promise.reject(new Error(t('orders.amountInvalid'))) : Promise.resolve()
    },
  })
  return (
    <Modal
      open={props.open}
      title={t('orders.createTitle')}
      okText={t('common.create')}
      cancelText={t('common.cancel')}
      okButtonProps={{ 'data-testid': 'new-order-submit' } as ButtonProps}
      confirmLoading={save.isPending}
      onOk={() => form.submit()}
      onCancel={() => {
        setError(null)
        props.onClose()
      }}
      width={640}
      afterOpenChange={(open) => {
        // Each default only where the field is still empty: typing an order number while the dialog
        // opens must not leave the time blank.
        if (!open) return
        if (!form.getFieldValue('occurred_at')) form.setFieldValue('occurred_at', localInputValue(Date.now(), zone))
        if (!form.getFieldValue('currency')) form.setFieldValue('currency', base)
      }}
      forceRender
    >
      <Typography.Paragraph type="secondary">{t('orders.createHelp', { zone })}</Typography.Paragraph>
      <Form form={form} layout="vertical" requiredMark={false} onFinish={(v) => save.mutate(v)} initialValues={{ currency: base }}>
        <Row gutter={12}>
          <Col xs={24} sm={12}>
            <Form.Item name="external_id" label={t('orders.externalId')} rules={[{ required: true, whitespace: true, message: t('common.required') }]}>
              <Input maxLength={200} data-testid="new-order-external-id" />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item name="occurred_at" label={t('orders.occurredAtZone', { zone })} rules={[{ required: true, message: t('common.required') }]}>
              <Input type="datetime-local" data-testid="new-order-occurred-at" />
            </Form.Item>
          </Col>
          <Col xs={24} sm={8}>
            <Form.Item name="currency" label={t('products.currency')} rules={[{ required: true, message: t('common.required') }]}>
              <CurrencySelect data-testid="new-order-currency" />
            </Form.Item>
          </Col>
          <Col xs={12} sm={8}>
            <Form.Item name="amount" label={t('orders.amountNet')} extra={t('orders.amountNetHelp')} rules={[amountRule(true)]}>
              <Input inputMode="decimal" data-testid="new-order-amount" />
            </Form.Item>
          </Col>
          <Col xs={12} sm={8}>
            <Form.Item name="discount" label={t('orders.discount')} rules={[amountRule(false)]}>
              <Input inputMode="decimal" data-testid="new-order-discount" />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item name="creator_id" label={t('orders.creator')} extra={t('orders.optional')}>
              <CreatorSearchSelect allowClear onChange={() => form.setFieldValue('account_id', undefined)} data-testid="new-order-creator" />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item name="account_id" label={t('orders.account')} extra={t('orders.optional')}>
              <Select
                allowClear
                disabled={!creatorId}
                options={(creator.data?.accounts ?? []).map((a) => ({ value: a.id, label: `${platformName(a.platform)} @${a.handle}` }))}
                data-testid="new-order-account"
              />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item name="promo_code" label={t('orders.promoCode')} extra={t('orders.optional')}>
              <Input maxLength={100} data-testid="new-order-promo" />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item name="campaign_id" label={t('orders.campaign')} extra={t('orders.optional')}>
              <Select
                allowClear
                showSearch={{ optionFilterProp: 'label' }}
                options={(campaigns.data?.items ?? []).map((x) => ({ value: x.id, label: x.name }))}
                data-testid="new-order-campaign"
              />
            </Form.Item>
          </Col>
        </Row>
        {error && <Alert type="error" showIcon title={error} data-testid="new-order-error" />}
      </Form>
    </Modal>
  )
}
