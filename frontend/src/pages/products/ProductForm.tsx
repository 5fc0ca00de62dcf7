import { useMutation, useQueryClient } from '@tanstack/react-query'
import { Alert, Col, Form, Input, InputNumber, Modal, Row, type ButtonProps } from 'antd'
import { useEffect, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { createProduct, getProduct, updateProduct } from '../../api/endpoints'
import type { NewProduct, Product } from '../../api/types'
import { decimalToMinor, minorToNumber } from '../../campaigns/plan'
import { CurrencySelect, campaignKeys, formError, useBaseCurrency } from '../../campaigns/shared'
import { useVersionConflict } from '../../components/useVersionConflict'
import { bpsToPercent, currencyDecimals, percentToBps } from '../../money'

interface ProductValues {
  sku: string
  name: string
  name_zh?: string
  price?: number
  currency: string
  rate_percent?: number | null
  url?: string
}

const FIELDS = ['sku', 'name', 'name_zh', 'price', 'currency', 'rate_percent', 'url'] as const
const RENAMES = { price_minor: 'price', rate_bps: 'rate_percent' }

function toValues(p: Product): ProductValues {
  return {
    sku: p.sku,
    name: p.name,
    name_zh: p.name_zh ?? '',
    price: minorToNumber(p.price_minor, p.currency),
    currency: p.currency,
    rate_percent: p.rate_bps === null ? null : bpsToPercent(p.rate_bps),
    url: p.url ?? '',
  }
}

function toBody(v: ProductValues): NewProduct {
  return {
    sku: v.sku.trim(),
    name: v.name.trim(),
    name_zh: v.name_zh?.trim() || undefined,
    price_minor: decimalToMinor(v.price ?? 0, v.currency),
    currency: v.currency,
    rate_bps: v.rate_percent == null ? undefined : percentToBps(v.rate_percent),
    url: v.url?.trim() || undefined,
  }
}

/** Creates a product (product undefined) or edits one, sending the version it showed as If-Match. */
export function ProductModal(props: { open: boolean; product?: Product; onClose: () => void }) {
  const { t } = useTranslation()
  const [form] = Form.useForm<ProductValues>()
  const [error, setError] = useState<string | null>(null)
  const [base, setBase] = useState<Product | undefined>(props.product)
  const queryClient = useQueryClient()
  const baseCurrency = useBaseCurrency()
  const onConflict = useVersionConflict()
  const currency = Form.useWatch('currency', form) ?? baseCurrency
  const { open, product } = props

  useEffect(() => {
    if (!open) return
    form.resetFields()
    form.setFieldsValue(product ? toValues(product) : { currency: baseCurrency })
    setBase(product)
    setError(null)
  }, [open, product, form, baseCurrency])

  const save = useMutation({
    mutationFn: (v: ProductValues) => {
      const body = toBody(v)
      if (!base) return createProduct(body)
      return updateProduct(base.id, base.version, {
        ...body,
        name_zh: body.name_zh ?? null,
        rate_bps: body.rate_bps ?? null,
        url: body.url ?? null,
      })
    },
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: campaignKeys.products })
      props.onClose()
    },
    onError: (err) => {
      const reload = async () => {
        if (!base) return
        const fresh = await getProduct(base.id)
        setBase(fresh)
        form.setFieldsValue(toValues(fresh))
      }
      if (!onConflict(err, reload)) setError(formError(form, err, FIELDS, t, RENAMES))
    },
  })

  const required = { required: true, message: t('common.required') }
  return (
    <Modal
      open={open}
      title={product ? t('products.editTitle', { sku: product.sku }) : t('products.createTitle')}
      okText={product ? t('common.save') : t('common.create')}
      cancelText={t('common.cancel')}
      confirmLoading={save.isPending}
      okButtonProps={{ 'data-testid': 'product-submit' } as ButtonProps}
      onOk={() => form.submit()}
      onCancel={props.onClose}
      forceRender
      width={640}
    >
      <Form<ProductValues> form={form} layout="vertical" requiredMark={false} onFinish={(v) => save.mutate(v)} data-testid="product-form">
        <Row gutter={16}>
          <Col xs={24} sm={12}>
            <Form.Item name="sku" label={t('products.sku')} rules={[{ ...required, whitespace: true }]}>
              <Input data-testid="product-sku" autoComplete="off" maxLength={100} />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item name="name" label={t('products.name')} rules={[{ ...required, whitespace: true }]}>
              <Input data-testid="product-name" autoComplete="off" maxLength={300} />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item name="name_zh" label={t('products.nameZh')}>
              <Input data-testid="product-name-zh" autoComplete="off" maxLength={300} />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item name="currency" label={t('products.currency')} rules={[required]}>
              <CurrencySelect data-testid="product-currency" />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item name="price" label={t('products.price')} rules={[required]}>
              <InputNumber
                data-testid="product-price"
                min={0}
                precision={currencyDecimals(currency)}
                suffix={currency}
                style={{ width: '100%' }}
              />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item name="rate_percent" label={t('products.rate')} tooltip={t('products.rateHelp')}>
              <InputNumber data-testid="product-rate" min={0} max={100} step={0.5} precision={2} suffix="%" style={{ width: '100%' }} />
            </Form.Item>
          </Col>
        </Row>
        <Form.Item name="url" label={t('products.url')} rules={[{ type: 'url', message: t('products.urlInvalid') }]}>
          <Input data-testid="product-url" inputMode="url" autoComplete="off" placeholder="https://" />
        </Form.Item>
        {error && <Alert type="error" showIcon title={error} data-testid="product-form-error" />}
      </Form>
    </Modal>
  )
}
