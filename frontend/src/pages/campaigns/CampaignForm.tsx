import { useMutation, useQueryClient } from '@tanstack/react-query'
import { Alert, Button, Col, Drawer, Form, Input, InputNumber, Modal, Row, Select, Space, type ButtonProps } from 'antd'
import { useEffect, useRef, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { createCampaign, getCampaign, updateCampaign } from '../../api/endpoints'
import { CAMPAIGN_STATUSES, type Campaign } from '../../api/types'
import { CAMPAIGN_FIELDS, CAMPAIGN_RENAMES, campaignChange, campaignValues, newCampaignBody, newCampaignValues, type CampaignValues } from '../../campaigns/form'
import { CurrencySelect, campaignKeys, formError, productName, useAllProducts, useBaseCurrency } from '../../campaigns/shared'
import { useVersionConflict } from '../../components/useVersionConflict'
import { usePlatformOptions } from '../../creators/shared'
import { currencyDecimals } from '../../money'
import { PlanEditor } from './PlanEditor'

/** Today in the browser's time zone, as YYYY-MM-DD. */
export function today(): string {
  const d = new Date()
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`
}

function CampaignFields({ editing }: { editing: boolean }) {
  const { t, i18n } = useTranslation()
  const products = useAllProducts()
  const platformOptions = usePlatformOptions()
  const form = Form.useFormInstance()
  const currency = (Form.useWatch('currency', form) as string | undefined) ?? 'USD'
  const required = { required: true, message: t('common.required') }
  return (
    <>
      <Row gutter={16}>
        <Col xs={24} sm={12}>
          <Form.Item name="name" label={t('campaigns.name')} rules={[{ ...required, whitespace: true }]}>
            <Input data-testid="campaign-name" autoComplete="off" maxLength={200} />
          </Form.Item>
        </Col>
        <Col xs={24} sm={12}>
          <Form.Item name="status" label={t('campaigns.status')}>
            <Select data-testid="campaign-status" options={CAMPAIGN_STATUSES.map((s) => ({ value: s, label: t(`campaigns.statuses.${s}`) }))} />
          </Form.Item>
        </Col>
        <Col xs={12}>
          <Form.Item name="starts_on" label={t('campaigns.startsOn')} rules={[required]}>
            <Input type="date" data-testid="campaign-starts-on" />
          </Form.Item>
        </Col>
        <Col xs={12}>
          <Form.Item name="ends_on" label={t('campaigns.endsOn')}>
            <Input type="date" data-testid="campaign-ends-on" />
          </Form.Item>
        </Col>
        <Col xs={24} sm={12}>
          <Form.Item name="product_ids" label={t('campaigns.products')}>
            <Select
              mode="multiple"
              data-testid="campaign-products"
              loading={products.isPending}
              optionFilterProp="label"
              options={(products.data?.items ?? []).map((p) => ({ value: p.id, label: `${p.sku} · ${productName(p, i18n.language)}` }))}
            />
          </Form.Item>
        </Col>
        <Col xs={24} sm={12}>
          <Form.Item name="platforms" label={t('campaigns.platforms')}>
            <Select mode="multiple" options={platformOptions} optionFilterProp="label" />
          </Form.Item>
        </Col>
        <Col xs={12} sm={6}>
          <Form.Item name="attribution_window_days" label={t('campaigns.window')} tooltip={t('campaigns.windowHelp')}>
            <InputNumber min={1} max={365} precision={0} style={{ width: '100%' }} />
          </Form.Item>
        </Col>
        <Col xs={12} sm={6}>
          <Form.Item name="hold_days" label={t('campaigns.holdDays')} tooltip={t('campaigns.holdDaysHelp')}>
            <InputNumber min={0} max={365} precision={0} style={{ width: '100%' }} />
          </Form.Item>
        </Col>
        <Col xs={12} sm={6}>
          <Form.Item name="budget" label={t('campaigns.budget')}>
            <InputNumber min={0} precision={currencyDecimals(currency)} style={{ width: '100%' }} />
          </Form.Item>
        </Col>
        <Col xs={12} sm={6}>
          <Form.Item name="currency" label={t('campaigns.currency')}>
            <CurrencySelect />
          </Form.Item>
        </Col>
      </Row>
      <PlanEditor />
      {editing && (
        <Form.Item name="plan_effective_from" label={t('campaigns.plan.effectiveFrom')} tooltip={t('campaigns.plan.effectiveFromHelp')}>
          <Input type="datetime-local" style={{ maxWidth: 260 }} data-testid="plan-effective-from" />
        </Form.Item>
      )}
    </>
  )
}

export function NewCampaignModal(props: { open: boolean; onClose: () => void; onCreated: (c: Campaign) => void }) {
  const { t } = useTranslation()
  const [form] = Form.useForm<CampaignValues>()
  const [error, setError] = useState<string | null>(null)
  const queryClient = useQueryClient()
  const baseCurrency = useBaseCurrency()
  useEffect(() => {
    if (props.open) {
      form.resetFields()
      form.setFieldsValue(newCampaignValues(baseCurrency, today()))
      setError(null)
    }
  }, [props.open, form, baseCurrency])
  const create = useMutation({
    mutationFn: (v: CampaignValues) => createCampaign(newCampaignBody(v)),
    onSuccess: (c) => {
      void queryClient.invalidateQueries({ queryKey: campaignKeys.campaigns })
      props.onCreated(c)
    },
    onError: (err) => setError(formError(form, err, CAMPAIGN_FIELDS, t, CAMPAIGN_RENAMES)),
  })
  return (
    <Modal
      open={props.open}
      title={t('campaigns.createTitle')}
      width={760}
      okText={t('common.create')}
      cancelText={t('common.cancel')}
      confirmLoading={create.isPending}
      okButtonProps={{ 'data-testid': 'campaign-submit' } as ButtonProps}
      onOk={() => form.submit()}
      onCancel={props.onClose}
      forceRender
    >
      <Form<CampaignValues> form={form} layout="vertical" requiredMark={false} onFinish={(v) => create.mutate(v)} data-testid="campaign-form">
        <CampaignFields editing={false} />
        {error && <Alert type="error" showIcon title={error} data-testid="campaign-form-error" />}
      </Form>
    </Modal>
  )
}

export function EditCampaignDrawer(props: { campaign: Campaign; open: boolean; onClose: () => void }) {
  const { t } = useTranslation()
  const [form] = Form.useForm<CampaignValues>()
  const [error, setError] = useState<string | null>(null)
  const queryClient = useQueryClient()
  const baseCurrency = useBaseCurrency()
  const onConflict = useVersionConflict()
  const { campaign, open } = props
  const [base, setBase] = useState(campaign)
  const latest = useRef(campaign)
  latest.current = campaign
  useEffect(() => {
    if (open) {
      form.resetFields()
      form.setFieldsValue(campaignValues(latest.current, baseCurrency))
      setBase(latest.current)
      setError(null)
    }
  }, [open, campaign.id, form, baseCurrency])
  const reload = async () => {
    const fresh = await queryClient.fetchQuery({ queryKey: campaignKeys.campaign(campaign.id), queryFn: () => getCampaign(campaign.id), staleTime: 0 })
    setBase(fresh)
    form.setFieldsValue(campaignValues(fresh, baseCurrency))
    setError(null)
  }
  const save = useMutation({
    mutationFn: (v: CampaignValues) => updateCampaign(base.id, base.version, campaignChange(base, v)),
    onSuccess: (c) => {
      queryClient.setQueryData(campaignKeys.campaign(c.id), c)
      void queryClient.invalidateQueries({ queryKey: campaignKeys.campaigns })
      void queryClient.invalidateQueries({ queryKey: campaignKeys.plans(c.id) })
      props.onClose()
    },
    onError: (err) => {
      if (!onConflict(err, reload)) setError(formError(form, err, CAMPAIGN_FIELDS, t, CAMPAIGN_RENAMES))
    },
  })
  return (
    <Drawer
      open={open}
      onClose={props.onClose}
      title={t('campaigns.editTitle', { name: campaign.name })}
      size={760}
      forceRender
      extra={
        <Space>
          <Button onClick={props.onClose}>{t('common.cancel')}</Button>
          <Button type="primary" loading={save.isPending} onClick={() => form.submit()} data-testid="campaign-edit-submit">
            {t('common.save')}
          </Button>
        </Space>
      }
    >
      <Form<CampaignValues> form={form} layout="vertical" requiredMark={false} onFinish={(v) => save.mutate(v)}>
        <CampaignFields editing />
        {error && <Alert type="error" showIcon title={error} data-testid="campaign-edit-error" />}
      </Form>
    </Drawer>
  )
}
