import { MinusCircleOutlined, PlusOutlined } from '@ant-design/icons'
import { Button, Col, Form, InputNumber, Radio, Row, Space } from 'antd'
import { useTranslation } from 'react-i18next'
import { PLAN_TYPES } from '../../api/types'
import { CurrencySelect } from '../../campaigns/shared'
import { currencyDecimals } from '../../money'

/**
 * The commission plan inside a campaign form, under the `plan` name: a percentage, a flat amount per
 * order, or tiers of {from GMV, rate}; always with the base (net or gross).
 */
export function PlanEditor() {
  const { t } = useTranslation()
  const form = Form.useFormInstance()
  const type = Form.useWatch(['plan', 'type'], form) as string | undefined
  const currency = (Form.useWatch(['plan', 'currency'], form) as string | undefined) ?? 'USD'
  const decimals = currencyDecimals(currency)
  const required = { required: true, message: t('common.required') }
  return (
    <div data-testid="plan-editor">
      <Row gutter={16}>
        <Col xs={24} md={14}>
          <Form.Item name={['plan', 'type']} label={t('campaigns.plan.type')}>
            <Radio.Group
              optionType="button"
              data-testid="plan-type"
              options={PLAN_TYPES.map((p) => ({ value: p, label: <span data-testid={`plan-type-${p}`}>{t(`campaigns.plan.type_${p}`)}</span> }))}
            />
          </Form.Item>
        </Col>
        <Col xs={24} md={10}>
          <Form.Item name={['plan', 'base']} label={t('campaigns.plan.base')} tooltip={t('campaigns.plan.baseHelp')}>
            <Radio.Group
              optionType="button"
              options={[
                { value: 'net', label: t('campaigns.plan.base_net') },
                { value: 'gross', label: t('campaigns.plan.base_gross') },
              ]}
            />
          </Form.Item>
        </Col>
      </Row>
      {type === 'percent' && (
        <Form.Item name={['plan', 'rate_percent']} label={t('campaigns.plan.rate')} rules={[required]}>
          <InputNumber data-testid="plan-rate" min={0} max={100} step={0.5} precision={2} suffix="%" style={{ width: 200, maxWidth: '100%' }} />
        </Form.Item>
      )}
      {(type === 'flat' || type === 'tiered') && (
        <Form.Item name={['plan', 'currency']} label={t('campaigns.plan.currency')} rules={[required]}>
          <CurrencySelect data-testid="plan-currency" style={{ width: 260, maxWidth: '100%' }} />
        </Form.Item>
      )}
      {type === 'flat' && (
        <Form.Item name={['plan', 'amount']} label={t('campaigns.plan.amount')} rules={[required]}>
          <InputNumber data-testid="plan-amount" min={0} precision={decimals} suffix={currency} style={{ width: 200, maxWidth: '100%' }} />
        </Form.Item>
      )}
      {type === 'tiered' && (
        <Form.List name={['plan', 'tiers']}>
          {(fields, { add, remove }) => (
            <div data-testid="plan-tiers">
              <div style={{ marginBottom: 8 }}>{t('campaigns.plan.tiers')}</div>
              {fields.map(({ key, name }, i) => (
                <Space key={key} align="start" wrap style={{ display: 'flex' }}>
                  <Form.Item name={[name, 'from']} rules={[required]}>
                    <InputNumber
                      data-testid={`tier-from-${i}`}
                      min={0}
                      precision={decimals}
                      disabled={i === 0}
                      prefix={t('campaigns.plan.fromGmv')}
                      suffix={currency}
                      style={{ width: 230 }}
                    />
                  </Form.Item>
                  <Form.Item name={[name, 'rate_percent']} rules={[required]}>
                    <InputNumber data-testid={`tier-rate-${i}`} min={0} max={100} precision={2} suffix="%" placeholder={t('campaigns.plan.rate')} style={{ width: 130 }} />
                  </Form.Item>
                  {i > 0 && <Button type="text" icon={<MinusCircleOutlined />} onClick={() => remove(name)} aria-label={t('common.remove')} />}
                </Space>
              ))}
              <Button type="dashed" icon={<PlusOutlined />} onClick={() => add({})} data-testid="tier-add" style={{ marginBottom: 16 }}>
                {t('campaigns.plan.addTier')}
              </Button>
            </div>
          )}
        </Form.List>
      )}
    </div>
  )
}
