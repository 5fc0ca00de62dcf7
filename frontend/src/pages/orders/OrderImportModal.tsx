import { DownloadOutlined, InboxOutlined } from '@ant-design/icons'
import { useMutation, useQueryClient } from '@tanstack/react-query'
import { Alert, App as AntApp, Button, Col, Descriptions, Form, Modal, Row, Select, Space, Steps, Table, Tag, Typography, Upload } from 'antd'
import { useMemo, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { ApiError } from '../../api/client'
import { importConversions } from '../../api/endpoints'
import { errorMessage } from '../../api/errors'
import type { ImportCellError, OrderImportResult } from '../../api/types'
import { CurrencySelect, useBaseCurrency } from '../../campaigns/shared'
import { saveBlob } from '../../download'
import { orderTemplateCsv } from '../../orders/template'
import { orderKeys, useOrgZone } from '../../orders/shared'

/** A refused real import (422 import_failed) lists its problems in the error's details. */
function resultOf(err: unknown): OrderImportResult | undefined {
  if (err instanceof ApiError && err.code === 'import_failed' && Array.isArray(err.details)) {
    const rows = typeof err.params.rows === 'number' ? err.params.rows : 0
    return {
      dry_run: true,
      layout: '',
      source: '',
      rows,
      orders: 0,
      created: 0,
      updated: 0,
      skipped: 0,
      unattributed: 0,
      errors: err.details as ImportCellError[],
    }
  }
  return undefined
}

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
  const { message } = AntApp.useApp()
  const queryClient = useQueryClient()
  const orgZone = useOrgZone()
  const base = useBaseCurrency()
  const [file, setFile] = useState<File | null>(null)
  const [timezone, setTimezone] = useState<string | undefined>()
  const [currency, setCurrency] = useState<string | undefined>()
  const [dry, setDry] = useState<OrderImportResult | null>(null)
  const [done, setDone] = useState<OrderImportResult | null>(null)
  const [error, setError] = useState<string | null>(null)
  const zones = useMemo(() => zoneOptions(orgZone).map((z) => ({ value: z, label: z })), [orgZone])

  const reset = () => {
    setFile(null)
    setDry(null)
    setDone(null)
    setError(null)
  }
  // A changed setting makes the last check stale: check again before importing.
  const changeSetting = (fn: () => void) => {
    fn()
    setDry(null)
    setError(null)
  }
  const run = useMutation({
    mutationFn: ({ f, dryRun }: { f: File; dryRun: boolean }) => importConversions(f, dryRun, { timezone, currency }),
    onSuccess: (res) => {
      setError(null)
      if (res.dry_run) setDry(res)
      else {
        setDone(res)
        void queryClient.invalidateQueries({ queryKey: orderKeys.conversions })
        void queryClient.invalidateQueries({ queryKey: orderKeys.commissions })
        message.success(t('orderImport.done', { created: res.created, updated: res.updated }))
      }
    },
    onError: (err) => {
      const res = resultOf(err)
      if (res) setDry(res)
      setError(errorMessage(err, t))
    },
  })
  const close = () => {
    reset()
    props.onClose()
  }
  const downloadTemplate = () => {
    const blob = new Blob([orderTemplateCsv(i18n.language)], { type: 'text/csv;charset=utf-8' })
    saveBlob(blob, i18n.language.startsWith('zh') ? '订单导入模板.csv' : 'orders-template.csv')
  }
  const result = done ?? dry
  return (
    <Modal
      open={props.open}
      title={t('orderImport.title')}
      width={760}
      onCancel={close}
      destroyOnHidden
      footer={
        <Space wrap>
          <Button onClick={close} data-testid="order-import-close">
            {done ? t('common.close') : t('common.cancel')}
          </Button>
          {!done && (
            <Button
              disabled={!file}
              type={dry ? 'default' : 'primary'}
              loading={run.isPending && run.variables?.dryRun}
              onClick={() => file && run.mutate({ f: file, dryRun: true })}
              data-testid="order-import-check"
            >
              {t('import.check')}
            </Button>
          )}
          {!done && dry && (
            <Button
              type="primary"
              disabled={!file || dry.errors.length > 0}
              loading={run.isPending && !run.variables?.dryRun}
              onClick={() => file && run.mutate({ f: file, dryRun: false })}
              data-testid="order-import-run"
            >
              {t('import.run')}
            </Button>
          )}
        </Space>
      }
    >
      <Steps
        size="small"
        current={done ? 2 : dry ? 1 : 0}
        style={{ marginBottom: 16 }}
        items={[{ title: t('import.stepFile') }, { title: t('import.stepCheck') }, { title: t('import.stepDone') }]}
      />
      <Typography.Paragraph type="secondary">{t('orderImport.help')}</Typography.Paragraph>
      <Typography.Paragraph type="secondary">
        {t('orderImport.headers')}{' '}
        <Button type="link" size="small" icon={<DownloadOutlined />} onClick={downloadTemplate} data-testid="order-import-template" style={{ paddingInline: 0 }}>
          {t('import.template')}
        </Button>
      </Typography.Paragraph>
      <Form layout="vertical" component="div">
        <Row gutter={12}>
          <Col xs={24} sm={12}>
            <Form.Item label={t('orderImport.timezone')} extra={t('orderImport.timezoneHelp', { zone: orgZone ?? 'UTC' })}>
              <Select
                allowClear
                showSearch={{ optionFilterProp: 'label' }}
                placeholder={orgZone}
                value={timezone}
                onChange={(v?: string) => changeSetting(() => setTimezone(v))}
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
                onChange={(v?: string) => changeSetting(() => setCurrency(v))}
                data-testid="order-import-currency"
              />
            </Form.Item>
          </Col>
        </Row>
      </Form>
      <Upload.Dragger
        accept=".xlsx,.csv"
        maxCount={1}
        multiple={false}
        fileList={file ? [{ uid: 'file', name: file.name, status: 'done' }] : []}
        beforeUpload={(f) => {
          setFile(f)
          setDry(null)
          setDone(null)
          setError(null)
          return false
        }}
        onRemove={() => reset()}
      >
        <p className="ant-upload-drag-icon">
          <InboxOutlined />
        </p>
        <p className="ant-upload-text">{t('import.drop')}</p>
      </Upload.Dragger>
      {error && <Alert type="error" showIcon title={error} style={{ marginTop: 16 }} data-testid="order-import-error" />}
      {result && (
        <div style={{ marginTop: 16 }} data-testid={done ? 'order-import-done' : 'order-import-dry'}>
          {result.layout && (
            <Typography.Paragraph>
              {t('orderImport.layout')}: <Tag data-testid="order-import-layout">{t(`orderImport.layouts.${result.layout}`, { defaultValue: result.layout })}</Tag>
            </Typography.Paragraph>
          )}
          <Descriptions
            size="small"
            bordered
            column={{ xs: 1, sm: 3 }}
            items={[
              { key: 'rows', label: t('import.rows'), children: <span data-testid="order-import-rows">{result.rows}</span> },
              { key: 'orders', label: t('orderImport.orders'), children: <span data-testid="order-import-orders">{result.orders}</span> },
              {
                key: 'created',
                label: t(done ? 'import.createdDone' : 'import.created'),
                children: <span data-testid="order-import-created">{result.created}</span>,
              },
              {
                key: 'updated',
                label: t(done ? 'import.updatedDone' : 'import.updated'),
                children: <span data-testid="order-import-updated">{result.updated}</span>,
              },
              { key: 'skipped', label: t('import.skipped'), children: <span data-testid="order-import-skipped">{result.skipped}</span> },
              {
                key: 'unattributed',
                label: t('orders.unattributed'),
                children: <span data-testid="order-import-unattributed">{result.unattributed}</span>,
              },
            ]}
          />
          {result.errors.length > 0 ? (
            <>
              <Alert type="warning" showIcon style={{ marginTop: 12 }} title={t('import.hasErrors', { count: result.errors.length })} />
              <Table<ImportCellError>
                style={{ marginTop: 12 }}
                size="small"
                scroll={{ x: 'max-content' }}
                rowKey={(e) => `${e.row}-${e.column}-${e.message}`}
                dataSource={result.errors}
                pagination={result.errors.length > 10 ? { pageSize: 10 } : false}
                data-testid="order-import-errors"
                columns={[
                  { title: t('import.row'), dataIndex: 'row', width: 80 },
                  { title: t('import.column'), dataIndex: 'column', width: 140 },
                  { title: t('import.message'), dataIndex: 'message' },
                ]}
              />
            </>
          ) : (
            !done && <Alert type="success" showIcon style={{ marginTop: 12 }} title={t('orderImport.ready')} />
          )}
        </div>
      )}
    </Modal>
  )
}
