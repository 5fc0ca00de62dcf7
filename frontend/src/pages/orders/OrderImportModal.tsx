import { useQueryClient } from '@tanstack/react-query'
import { Col, Form, Row, Select, Tag, Typography } from 'antd'
import { useMemo, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { importConversions } from '../../api/endpoints'
import type { OrderImportResult } from '../../api/types'
import { CurrencySelect, useBaseCurrency } from '../../campaigns/shared'
import { ImportDialog } from '../../components/ImportDialog'
import { orderTemplateCsv } from '../../orders/template'
import { orderKeys, useOrgZone } from '../../orders/shared'

function zoneOptions(orgZone: string | undefined): string[] {
  let zones: string[] = []
  try {
    zones = (Intl as unknown as { supportedValuesOf?: (k: string) => string[] }).supportedValuesOf?.('timeZone') ?? []
  } catch {
    zones = []
  }
  if (zones.length === 0) zones = ['Asia/Shanghai', 'Asia/Singapore', 'Asia/Jakarta', 'Asia/Bangkok', 'Europe/London', 'America/New_York', 'America/Los_Angeles', 'UTC']
  return orgZone && !zones.includes(orgZone) ? [orgZone, ...zones] : zones
}

/** Orders from a file (generic layout, TikTok Shop exports): a dry run first, then the import. */
export function OrderImportModal(props: { open: boolean; onClose: () => void }) {
  const { t, i18n } = useTranslation()
  const queryClient = useQueryClient()
  const orgZone = useOrgZone()
  const base = useBaseCurrency()
  const [timezone, setTimezone] = useState<string | undefined>()
  const [currency, setCurrency] = useState<string | undefined>()
  const zones = useMemo(() => zoneOptions(orgZone).map((z) => ({ value: z, label: z })), [orgZone])
  return (
    <ImportDialog<OrderImportResult>
      open={props.open}
      onClose={props.onClose}
      title={t('orderImport.title')}
      width={760}
      testId="order-import"
      send={(f, dryRun) => importConversions(f, dryRun, { timezone, currency })}
      zero={{ layout: '', source: '', orders: 0, created: 0, updated: 0, skipped: 0, unattributed: 0 }}
      help={t('orderImport.help')}
      headers={t('orderImport.headers')}
      template={{
        csv: () => orderTemplateCsv(i18n.language),
        filename: i18n.language.startsWith('zh') ? '订单导入模板.csv' : 'orders-template.csv',
      }}
      // A changed setting makes the last check stale: check again before importing.
      fields={(stale) => (
        <Form layout="vertical" component="div">
          <Row gutter={12}>
            <Col xs={24} sm={12}>
              <Form.Item label={t('orderImport.timezone')} extra={t('orderImport.timezoneHelp', { zone: orgZone ?? 'UTC' })}>
                <Select
                  allowClear
                  showSearch={{ optionFilterProp: 'label' }}
                  placeholder={orgZone}
                  value={timezone}
                  onChange={(v?: string) => {
                    setTimezone(v)
                    stale()
                  }}
                  options={zones}
                  data-testid="order-import-timezone"
                />
              </Form.Item>
            </Col>
            <Col xs={24} sm={12}>
              <Form.Item label={t('orderImport.currency')} extra={t('orderImport.currencyHelp', { currency: base })}>
                <CurrencySelect
                  allowClear
                  placeholder={base}
                  value={currency}
                  onChange={(v?: string) => {
                    setCurrency(v)
                    stale()
                  }}
                  data-testid="order-import-currency"
                />
              </Form.Item>
            </Col>
          </Row>
        </Form>
      )}
      header={(res) =>
        res.layout && (
          <Typography.Paragraph>
            {t('orderImport.layout')}: <Tag data-testid="order-import-layout">{t(`orderImport.layouts.${res.layout}`, { defaultValue: res.layout })}</Tag>
          </Typography.Paragraph>
        )
      }
      counts={['rows', 'orders', 'created', 'updated', 'skipped', 'unattributed']}
      labels={{ orders: 'orderImport.orders', unattributed: 'orders.unattributed' }}
      ready={() => t('orderImport.ready')}
      doneMessage={(res) => t('orderImport.done', { created: res.created, updated: res.updated })}
      onDone={() => {
        void queryClient.invalidateQueries({ queryKey: orderKeys.conversions })
        void queryClient.invalidateQueries({ queryKey: orderKeys.commissions })
      }}
    />
  )
}
