import { DownloadOutlined, InboxOutlined, UploadOutlined } from '@ant-design/icons'
import { useMutation, useQueryClient } from '@tanstack/react-query'
import { Alert, App as AntApp, Button, Descriptions, Modal, Space, Steps, Table, Typography, Upload } from 'antd'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { ApiError } from '../../api/client'
import { errorMessage } from '../../api/errors'
import type { ImportCellError } from '../../api/types'
import { useBaseCurrency } from '../../campaigns/shared'
import { saveBlob } from '../../download'
import { importFxRates, type FxImportResult } from '../../finance/api'
import { fxTemplateCsv } from '../../finance/template'
import { orderKeys } from '../../orders/shared'

/** A refused real import (422 import_failed) lists its problems in the error's details. */
function resultOf(err: unknown): FxImportResult | undefined {
  if (err instanceof ApiError && err.code === 'import_failed' && Array.isArray(err.details)) {
    const rows = typeof err.params.rows === 'number' ? err.params.rows : 0
    return { dry_run: true, rows, saved: 0, errors: err.details as ImportCellError[] }
  }
  return undefined
}

/** The "Import rates" button and its modal, for the FX rates tab. */
export function FxImportButton() {
  const { t } = useTranslation()
  const [open, setOpen] = useState(false)
  return (
    <>
      <Button icon={<UploadOutlined />} onClick={() => setOpen(true)} data-testid="fx-import-open">
        {t('fxImport.open')}
      </Button>
      <FxImportModal open={open} onClose={() => setOpen(false)} />
    </>
  )
}

/** A month of daily rates from .csv/.xlsx: a dry run first, then the import (all or nothing). */
export function FxImportModal(props: { open: boolean; onClose: () => void }) {
  const { t, i18n } = useTranslation()
  const { message } = AntApp.useApp()
  const queryClient = useQueryClient()
  const base = useBaseCurrency()
  const [file, setFile] = useState<File | null>(null)
  const [dry, setDry] = useState<FxImportResult | null>(null)
  const [done, setDone] = useState<FxImportResult | null>(null)
  const [error, setError] = useState<string | null>(null)
  const reset = () => {
    setFile(null)
    setDry(null)
    setDone(null)
    setError(null)
  }
  const run = useMutation({
    mutationFn: ({ f, dryRun }: { f: File; dryRun: boolean }) => importFxRates(f, dryRun),
    onSuccess: (res) => {
      setError(null)
      if (res.dry_run) setDry(res)
      else {
        setDone(res)
        void queryClient.invalidateQueries({ queryKey: orderKeys.fxRates })
        message.success(t('fxImport.done', { count: res.saved }))
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
  const result = done ?? dry
  const zh = i18n.language.startsWith('zh')
  return (
    <Modal
      open={props.open}
      title={t('fxImport.title')}
      width={720}
      onCancel={close}
      destroyOnHidden
      footer={
        <Space wrap>
          <Button onClick={close} data-testid="fx-import-close">
            {done ? t('common.close') : t('common.cancel')}
          </Button>
          {!done && (
            <Button
              disabled={!file}
              type={dry ? 'default' : 'primary'}
              loading={run.isPending && run.variables?.dryRun}
              onClick={() => file && run.mutate({ f: file, dryRun: true })}
              data-testid="fx-import-check"
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
              data-testid="fx-import-run"
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
      <Typography.Paragraph type="secondary">{t('fxImport.help', { base })}</Typography.Paragraph>
      <Typography.Paragraph>
        <Button
          type="link"
          icon={<DownloadOutlined />}
          style={{ paddingInline: 0 }}
          onClick={() => saveBlob(new Blob([fxTemplateCsv(base, zh)], { type: 'text/csv;charset=utf-8' }), zh ? '汇率导入模板.csv' : 'fx-rates-template.csv')}
          data-testid="fx-import-template"
        >
          {t('import.template')}
        </Button>
      </Typography.Paragraph>
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
        data-testid="fx-import-file"
      >
        <p className="ant-upload-drag-icon">
          <InboxOutlined />
        </p>
        <p className="ant-upload-text">{t('import.drop')}</p>
      </Upload.Dragger>
      {error && <Alert type="error" showIcon title={error} style={{ marginTop: 16 }} data-testid="fx-import-error" />}
      {result && (
        <div style={{ marginTop: 16 }} data-testid={done ? 'fx-import-done' : 'fx-import-dry'}>
          <Descriptions
            size="small"
            bordered
            column={{ xs: 1, sm: 2 }}
            items={[
              { key: 'rows', label: t('import.rows'), children: <span data-testid="fx-import-rows">{result.rows}</span> },
              { key: 'saved', label: t('fxImport.saved'), children: <span data-testid="fx-import-saved">{result.saved}</span> },
            ]}
          />
          {result.errors.length > 0 ? (
            <Table<ImportCellError>
              style={{ marginTop: 12 }}
              size="small"
              scroll={{ x: 'max-content' }}
              rowKey={(e) => `${e.row}-${e.column}-${e.message}`}
              dataSource={result.errors}
              pagination={result.errors.length > 10 ? { pageSize: 10 } : false}
              columns={[
                { title: t('import.row'), dataIndex: 'row', width: 80 },
                { title: t('import.column'), dataIndex: 'column', width: 140 },
                { title: t('import.message'), dataIndex: 'message' },
              ]}
            />
          ) : (
            !done && <Alert type="success" showIcon style={{ marginTop: 12 }} title={t('fxImport.ready', { count: result.rows })} />
          )}
        </div>
      )}
    </Modal>
  )
}
