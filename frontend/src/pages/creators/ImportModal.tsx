import { DownloadOutlined, InboxOutlined } from '@ant-design/icons'
import { useMutation, useQueryClient } from '@tanstack/react-query'
import { Alert, App as AntApp, Button, Descriptions, Modal, Space, Steps, Table, Typography, Upload } from 'antd'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { ApiError } from '../../api/client'
import { importCreators } from '../../api/endpoints'
import { errorMessage } from '../../api/errors'
import type { ImportCellError, ImportResult } from '../../api/types'
import { queryKeys } from '../../auth/session'
import { templateCsv } from '../../creators/importTemplate'
import { saveBlob } from '../../download'

/** A refused real import (422 import_failed) lists its problems in the error's details. */
function resultOf(err: unknown): ImportResult | undefined {
  if (err instanceof ApiError && err.code === 'import_failed' && Array.isArray(err.details)) {
    const rows = typeof err.params.rows === 'number' ? err.params.rows : 0
    return { dry_run: false, rows, created: 0, updated: 0, skipped: 0, errors: err.details as ImportCellError[] }
  }
  return undefined
}

export function ImportModal(props: { open: boolean; onClose: () => void }) {
  const { t, i18n } = useTranslation()
  const { message } = AntApp.useApp()
  const queryClient = useQueryClient()
  const [file, setFile] = useState<File | null>(null)
  const [dry, setDry] = useState<ImportResult | null>(null)
  const [done, setDone] = useState<ImportResult | null>(null)
  const [error, setError] = useState<string | null>(null)

  const reset = () => {
    setFile(null)
    setDry(null)
    setDone(null)
    setError(null)
  }

  const run = useMutation({
    mutationFn: ({ f, dryRun }: { f: File; dryRun: boolean }) => importCreators(f, dryRun),
    onSuccess: (res) => {
      setError(null)
      if (res.dry_run) {
        setDry(res)
      } else {
        setDone(res)
        void queryClient.invalidateQueries({ queryKey: queryKeys.creators })
        void queryClient.invalidateQueries({ queryKey: queryKeys.agencies })
        message.success(t('import.done', { created: res.created, updated: res.updated }))
      }
    },
    onError: (err) => {
      const res = resultOf(err)
      if (res) setDry({ ...res, dry_run: true })
      setError(errorMessage(err, t))
    },
  })

  const close = () => {
    reset()
    props.onClose()
  }

  const downloadTemplate = () => {
    const blob = new Blob([templateCsv(i18n.language)], { type: 'text/csv;charset=utf-8' })
    saveBlob(blob, i18n.language.startsWith('zh') ? '达人导入模板.csv' : 'creators-template.csv')
  }

  const result = done ?? dry
  const step = done ? 2 : dry ? 1 : 0

  return (
    <Modal
      open={props.open}
      title={t('import.title')}
      width={760}
      onCancel={close}
      destroyOnHidden
      footer={
        <Space>
          <Button onClick={close} data-testid="import-close">
            {done ? t('common.close') : t('common.cancel')}
          </Button>
          {!done && (
            <Button
              disabled={!file}
              loading={run.isPending && run.variables?.dryRun}
              onClick={() => file && run.mutate({ f: file, dryRun: true })}
              data-testid="import-check"
              type={dry ? 'default' : 'primary'}
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
              data-testid="import-run"
            >
              {t('import.run')}
            </Button>
          )}
        </Space>
      }
    >
      <Steps
        size="small"
        current={step}
        style={{ marginBottom: 16 }}
        items={[{ title: t('import.stepFile') }, { title: t('import.stepCheck') }, { title: t('import.stepDone') }]}
      />
      <Typography.Paragraph type="secondary">
        {t('import.help')}{' '}
        <Button type="link" size="small" icon={<DownloadOutlined />} onClick={downloadTemplate} data-testid="import-template">
          {t('import.template')}
        </Button>
      </Typography.Paragraph>
      <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
        {t('import.headers')}
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
          return false // keep it here: the dry run sends it
        }}
        onRemove={() => reset()}
        data-testid="import-upload"
      >
        <p className="ant-upload-drag-icon">
          <InboxOutlined />
        </p>
        <p className="ant-upload-text">{t('import.drop')}</p>
      </Upload.Dragger>
      {error && <Alert type="error" showIcon title={error} style={{ marginTop: 16 }} data-testid="import-error" />}
      {result && (
        <div style={{ marginTop: 16 }} data-testid={done ? 'import-done' : 'import-dry-result'}>
          <Descriptions
            size="small"
            bordered
            column={4}
            items={[
              { key: 'rows', label: t('import.rows'), children: <span data-testid="import-rows">{result.rows}</span> },
              // A dry run says what would happen; a finished import, what did.
              { key: 'created', label: t(done ? 'import.createdDone' : 'import.created'), children: <span data-testid="import-created">{result.created}</span> },
              { key: 'updated', label: t(done ? 'import.updatedDone' : 'import.updated'), children: <span data-testid="import-updated">{result.updated}</span> },
              { key: 'skipped', label: t('import.skipped'), children: <span data-testid="import-skipped">{result.skipped}</span> },
            ]}
          />
          {result.errors.length > 0 ? (
            <>
              <Alert type="warning" showIcon style={{ marginTop: 12 }} title={t('import.hasErrors', { count: result.errors.length })} />
              <Table<ImportCellError>
                scroll={{ x: 'max-content' }}
                style={{ marginTop: 12 }}
                size="small"
                data-testid="import-errors"
                rowKey={(e) => `${e.row}-${e.column}-${e.message}`}
                dataSource={result.errors}
                pagination={result.errors.length > 10 ? { pageSize: 10 } : false}
                columns={[
                  { title: t('import.row'), dataIndex: 'row', width: 80 },
                  { title: t('import.column'), dataIndex: 'column', width: 160 },
                  { title: t('import.message'), dataIndex: 'message' },
                ]}
              />
            </>
          ) : (
            !done && <Alert type="success" showIcon style={{ marginTop: 12 }} title={t('import.ready')} />
          )}
        </div>
      )}
    </Modal>
  )
}
