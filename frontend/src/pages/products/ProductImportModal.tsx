import { InboxOutlined } from '@ant-design/icons'
import { useMutation, useQueryClient } from '@tanstack/react-query'
import { Alert, App as AntApp, Button, Descriptions, Modal, Space, Steps, Table, Typography, Upload } from 'antd'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { ApiError } from '../../api/client'
import { importProducts } from '../../api/endpoints'
import { errorMessage } from '../../api/errors'
import type { ImportCellError, ProductImportResult } from '../../api/types'
import { campaignKeys } from '../../campaigns/shared'

function resultOf(err: unknown): ProductImportResult | undefined {
  if (err instanceof ApiError && err.code === 'import_failed' && Array.isArray(err.details)) {
    const rows = typeof err.params.rows === 'number' ? err.params.rows : 0
    return { dry_run: true, rows, created: 0, updated: 0, skipped: 0, errors: err.details as ImportCellError[] }
  }
  return undefined
}

/** Products from a spreadsheet: a dry run first, then the import once the file has no problems. */
export function ProductImportModal(props: { open: boolean; onClose: () => void }) {
  const { t } = useTranslation()
  const { message } = AntApp.useApp()
  const queryClient = useQueryClient()
  const [file, setFile] = useState<File | null>(null)
  const [dry, setDry] = useState<ProductImportResult | null>(null)
  const [done, setDone] = useState<ProductImportResult | null>(null)
  const [error, setError] = useState<string | null>(null)
  const reset = () => {
    setFile(null)
    setDry(null)
    setDone(null)
    setError(null)
  }
  const run = useMutation({
    mutationFn: ({ f, dryRun }: { f: File; dryRun: boolean }) => importProducts(f, dryRun),
    onSuccess: (res) => {
      setError(null)
      if (res.dry_run) setDry(res)
      else {
        setDone(res)
        void queryClient.invalidateQueries({ queryKey: campaignKeys.products })
        message.success(t('import.done', { created: res.created, updated: res.updated }))
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
  return (
    <Modal
      open={props.open}
      title={t('products.importTitle')}
      width={720}
      onCancel={close}
      destroyOnHidden
      footer={
        <Space wrap>
          <Button onClick={close} data-testid="product-import-close">
            {done ? t('common.close') : t('common.cancel')}
          </Button>
          {!done && (
            <Button
              disabled={!file}
              type={dry ? 'default' : 'primary'}
              loading={run.isPending && run.variables?.dryRun}
              onClick={() => file && run.mutate({ f: file, dryRun: true })}
              data-testid="product-import-check"
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
              data-testid="product-import-run"
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
      <Typography.Paragraph type="secondary">{t('products.importHelp')}</Typography.Paragraph>
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
      {error && <Alert type="error" showIcon title={error} style={{ marginTop: 16 }} data-testid="product-import-error" />}
      {result && (
        <div style={{ marginTop: 16 }} data-testid={done ? 'product-import-done' : 'product-import-dry'}>
          <Descriptions
            size="small"
            bordered
            column={{ xs: 1, sm: 4 }}
            items={[
              { key: 'rows', label: t('import.rows'), children: <span data-testid="product-import-rows">{result.rows}</span> },
              { key: 'created', label: t(done ? 'import.createdDone' : 'import.created'), children: <span data-testid="product-import-created">{result.created}</span> },
              { key: 'updated', label: t(done ? 'import.updatedDone' : 'import.updated'), children: result.updated },
              { key: 'skipped', label: t('import.skipped'), children: result.skipped },
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
            !done && <Alert type="success" showIcon style={{ marginTop: 12 }} title={t('import.ready')} />
          )}
        </div>
      )}
    </Modal>
  )
}
