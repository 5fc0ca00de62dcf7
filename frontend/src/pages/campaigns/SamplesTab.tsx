import { EditOutlined, PlusOutlined } from '@ant-design/icons'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { Alert, Button, Col, Form, Input, InputNumber, Modal, Row, Select, Table, Typography, type ButtonProps } from 'antd'
import { useEffect, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { createSample, listSamples, updateSample } from '../../api/endpoints'
import { errorMessage } from '../../api/errors'
import type { Campaign, Sample } from '../../api/types'
import { decimalToMinor, minorToNumber } from '../../campaigns/plan'
import { CurrencySelect, TABLE_SCROLL, campaignKeys, formError, productName, useAllProducts, useBaseCurrency } from '../../campaigns/shared'
import { useVersionConflict } from '../../components/useVersionConflict'
import { currencyDecimals, formatMoney } from '../../money'
import type { CampaignPeople } from './useCampaignPeople'

interface SampleValues {
  creator_id: string
  product_id: string
  quantity: number
  unit_cost?: number
  currency: string
  carrier?: string
  tracking_number?: string
  shipped_on?: string
  delivered_on?: string
}
const SAMPLE_FIELDS = ['creator_id', 'product_id', 'quantity', 'unit_cost', 'currency', 'carrier', 'tracking_number', 'shipped_on', 'delivered_on'] as const

function toValues(s: Sample): SampleValues {
  return {
    creator_id: s.creator_id,
    product_id: s.product_id,
    quantity: s.quantity,
    unit_cost: minorToNumber(s.unit_cost_minor, s.currency),
    currency: s.currency,
    carrier: s.carrier ?? '',
    tracking_number: s.tracking_number ?? '',
    shipped_on: s.shipped_on ?? '',
    delivered_on: s.delivered_on ?? '',
  }
}

export function SamplesTab({ campaign, people, writable }: { campaign: Campaign; people: CampaignPeople; writable: boolean }) {
  const { t, i18n } = useTranslation()
  const samples = useQuery({ queryKey: campaignKeys.samples(campaign.id), queryFn: () => listSamples(campaign.id) })
  const products = useAllProducts()
  const [editing, setEditing] = useState<{ sample?: Sample } | null>(null)
  const product = (id: string) => {
    const p = products.data?.items.find((x) => x.id === id)
    return p ? `${p.sku} · ${productName(p, i18n.language)}` : id
  }
  return (
    <div data-testid="tab-samples">
      {writable && (
        <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing({})} style={{ marginBottom: 16 }} data-testid="sample-add" disabled={people.creatorOptions.length === 0}>
          {t('campaigns.samples.add')}
        </Button>
      )}
      {samples.isError && <Alert type="error" showIcon title={errorMessage(samples.error, t)} />}
      <Table<Sample>
        rowKey="id"
        size="small"
        data-testid="samples-table"
        loading={samples.isFetching}
        dataSource={samples.data?.items ?? []}
        pagination={false}
        scroll={TABLE_SCROLL}
        columns={[
          { title: t('campaigns.creators.creator'), dataIndex: 'creator_id', render: (id: string) => people.creatorName(id) },
          { title: t('campaigns.samples.product'), dataIndex: 'product_id', render: (id: string) => product(id) },
          { title: t('campaigns.samples.quantity'), dataIndex: 'quantity', align: 'right' },
          {
            title: t('campaigns.samples.cost'),
            dataIndex: 'cost_minor',
            align: 'right',
            render: (v: number, s) => <span data-testid="sample-cost">{formatMoney(v, s.currency, i18n.language)}</span>,
          },
          { title: t('campaigns.samples.carrier'), dataIndex: 'carrier', render: (v: string | null) => v ?? '—' },
          {
            title: t('campaigns.samples.tracking'),
            dataIndex: 'tracking_number',
            render: (v: string | null) => (v ? <Typography.Text copyable={{ text: v }}>{v}</Typography.Text> : '—'),
          },
          { title: t('campaigns.samples.shippedOn'), dataIndex: 'shipped_on', render: (v: string | null) => v ?? '—' },
          { title: t('campaigns.samples.deliveredOn'), dataIndex: 'delivered_on', render: (v: string | null) => v ?? '—' },
          ...(writable
            ? [
                {
                  title: '',
                  key: 'edit',
                  render: (_: unknown, s: Sample) => (
                    <Button size="small" type="text" icon={<EditOutlined />} onClick={() => setEditing({ sample: s })} aria-label={t('common.edit')} />
                  ),
                },
              ]
            : []),
        ]}
      />
      <SampleModal campaign={campaign} people={people} open={editing !== null} sample={editing?.sample} onClose={() => setEditing(null)} />
    </div>
  )
}

function SampleModal(props: { campaign: Campaign; people: CampaignPeople; open: boolean; sample?: Sample; onClose: () => void }) {
  const { t, i18n } = useTranslation()
  const [form] = Form.useForm<SampleValues>()
  const [error, setError] = useState<string | null>(null)
  const [base, setBase] = useState(props.sample)
  const queryClient = useQueryClient()
  const onConflict = useVersionConflict()
  const products = useAllProducts()
  const baseCurrency = useBaseCurrency()
  const currency = Form.useWatch('currency', form) ?? baseCurrency
  const { open, sample, campaign } = props
  useEffect(() => {
    if (!open) return
    form.resetFields()
    setBase(sample)
    setError(null)
    form.setFieldsValue(sample ? toValues(sample) : { quantity: 1, currency: baseCurrency, creator_id: props.people.creatorOptions[0]?.value })
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [open, sample, form, baseCurrency])
  const key = campaignKeys.samples(campaign.id)
  const save = useMutation({
    mutationFn: (v: SampleValues) => {
      const unit = decimalToMinor(v.unit_cost ?? 0, v.currency)
      const opt = (x?: string) => x?.trim() || undefined
      if (base) {
        return updateSample(base.id, base.version, {
          product_id: v.product_id,
          quantity: v.quantity,
          unit_cost_minor: unit,
          currency: v.currency,
          carrier: opt(v.carrier) ?? null,
          tracking_number: opt(v.tracking_number) ?? null,
          shipped_on: opt(v.shipped_on) ?? null,
          delivered_on: opt(v.delivered_on) ?? null,
        })
      }
      return createSample(campaign.id, {
        creator_id: v.creator_id,
        product_id: v.product_id,
        quantity: v.quantity,
        unit_cost_minor: unit,
        currency: v.currency,
        carrier: opt(v.carrier),
        tracking_number: opt(v.tracking_number),
        shipped_on: opt(v.shipped_on),
        delivered_on: opt(v.delivered_on),
      })
    },
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: key })
      void queryClient.invalidateQueries({ queryKey: campaignKeys.report(campaign.id) })
      props.onClose()
    },
    onError: (err) => {
      const reload = async () => {
        const list = await queryClient.fetchQuery({ queryKey: key, queryFn: () => listSamples(campaign.id), staleTime: 0 })
        const fresh = list.items.find((s) => s.id === base?.id)
        if (fresh) {
          setBase(fresh)
          form.setFieldsValue(toValues(fresh))
        }
      }
      if (!onConflict(err, reload)) setError(formError(form, err, SAMPLE_FIELDS, t, { unit_cost_minor: 'unit_cost' }))
    },
  })
  const required = { required: true, message: t('common.required') }
  return (
    <Modal
      open={open}
      title={sample ? t('campaigns.samples.editTitle') : t('campaigns.samples.addTitle')}
      okText={sample ? t('common.save') : t('common.create')}
      cancelText={t('common.cancel')}
      onOk={() => form.submit()}
      onCancel={props.onClose}
      confirmLoading={save.isPending}
      okButtonProps={{ 'data-testid': 'sample-submit' } as ButtonProps}
      forceRender
      width={640}
    >
      <Form<SampleValues> form={form} layout="vertical" requiredMark={false} onFinish={(v) => save.mutate(v)}>
        <Row gutter={16}>
          <Col xs={24} sm={12}>
            <Form.Item name="creator_id" label={t('campaigns.creators.creator')} rules={[required]}>
              <Select options={props.people.creatorOptions} disabled={!!sample} data-testid="sample-creator" />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item name="product_id" label={t('campaigns.samples.product')} rules={[required]}>
              <Select
                showSearch={{ optionFilterProp: 'label' }}
                data-testid="sample-product"
                options={(products.data?.items ?? []).map((p) => ({ value: p.id, label: `${p.sku} · ${productName(p, i18n.language)}` }))}
              />
            </Form.Item>
          </Col>
          <Col xs={8}>
            <Form.Item name="quantity" label={t('campaigns.samples.quantity')} rules={[required]}>
              <InputNumber min={1} precision={0} style={{ width: '100%' }} data-testid="sample-quantity" />
            </Form.Item>
          </Col>
          <Col xs={16} sm={8}>
            <Form.Item name="unit_cost" label={t('campaigns.samples.unitCost')} rules={[required]}>
              <InputNumber min={0} precision={currencyDecimals(currency)} style={{ width: '100%' }} data-testid="sample-unit-cost" />
            </Form.Item>
          </Col>
          <Col xs={24} sm={8}>
            <Form.Item name="currency" label={t('products.currency')} rules={[required]}>
              <CurrencySelect />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item name="carrier" label={t('campaigns.samples.carrier')}>
              <Input autoComplete="off" data-testid="sample-carrier" />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item name="tracking_number" label={t('campaigns.samples.tracking')}>
              <Input autoComplete="off" data-testid="sample-tracking" />
            </Form.Item>
          </Col>
          <Col xs={12}>
            <Form.Item name="shipped_on" label={t('campaigns.samples.shippedOn')}>
              <Input type="date" />
            </Form.Item>
          </Col>
          <Col xs={12}>
            <Form.Item name="delivered_on" label={t('campaigns.samples.deliveredOn')}>
              <Input type="date" />
            </Form.Item>
          </Col>
        </Row>
        {error && <Alert type="error" showIcon title={error} data-testid="sample-error" />}
      </Form>
    </Modal>
  )
}
