import { DownloadOutlined, InboxOutlined } from '@ant-design/icons'
import { useMutation } from '@tanstack/react-query'
import { Alert, App as AntApp, Button, Descriptions, Modal, Space, Steps, Table, Typography, Upload } from 'antd'
import { useReducer, type ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import { errorMessage } from '../api/errors'
import type { ImportCellError } from '../api/types'
import { saveBlob } from '../download'
import {
  canImport,
  cellErrorKey,
  countColumns,
  countLabelKey,
  emptyImport,
  importReducer,
  importShown,
  importStep,
  refusedImport,
  type ImportCountKey,
  type ImportOutcome,
  type ImportZero,
} from './importState'

export interface ImportDialogProps<R extends ImportOutcome> {
  open: boolean
  onClose: () => void
  title: ReactNode
  width?: number
  /**
   * The prefix of every data-testid: `${testId}-check`, -run, -close, -dry, -done, -error, -errors,
   * -upload, -template and one per count (`${testId}-rows`…).
   */
  testId: string
  /** data-testids that do not follow the prefix (kept for the browser tests). */
  testIds?: { dry?: string; upload?: string }
  /** Sends the file: a check (dryRun) or the import. */
  send: (file: File, dryRun: boolean) => Promise<R>
  /** The counts beyond rows at zero, for a refused import (422 import_failed) shown as a failed check. */
  zero: ImportZero<R>
  /** What the file holds (first paragraph). */
  help: ReactNode
  /** The expected columns, followed by the template link. */
  headers?: ReactNode
  /** A CSV template to download. */
  template?: { csv: () => string; filename: string }
  /** Settings sent with the file; call stale() when one changes (the last check no longer holds). */
  fields?: (stale: () => void) => ReactNode
  /** Shown above the counts (e.g. how the file was read). */
  header?: (result: R) => ReactNode
  /** The counts to show, in order; labelled by countLabelKey and `labels` for the others. */
  counts: readonly ImportCountKey<R>[]
  labels?: Record<string, string>
  /** The line under a check without problems. */
  ready: (result: R) => ReactNode
  /** The message after an import. */
  doneMessage: (result: R) => string
  /** After an import (refresh the lists it changed). */
  onDone?: (result: R) => void
}

/**
 * Import from a .csv/.xlsx in three steps: choose a file, check it (a dry run: the counts and the
 * problems by row and column), then import it once the check found no problems.
 */
export function ImportDialog<R extends ImportOutcome>(props: ImportDialogProps<R>) {
  const { t } = useTranslation()
  const { message } = AntApp.useApp()
  const [state, dispatch] = useReducer(importReducer<R>, undefined, emptyImport<R>)
  const { file, dry, done, error } = state
  const id = props.testId

  const run = useMutation({
    mutationFn: ({ f, dryRun }: { f: File; dryRun: boolean }) => props.send(f, dryRun),
    onSuccess: (result) => {
      dispatch({ type: 'answered', result })
      if (!result.dry_run) {
        props.onDone?.(result)
        message.success(props.doneMessage(result))
      }
    },
    onError: (err) => dispatch({ type: 'failed', error: errorMessage(err, t), result: refusedImport<R>(err, props.zero) }),
  })

  const close = () => {
    dispatch({ type: 'clear' })
    props.onClose()
  }

  const template = props.template
  const downloadTemplate = template && (() => saveBlob(new Blob([template.csv()], { type: 'text/csv;charset=utf-8' }), template.filename))
  const result = importShown(state)

  return (
    <Modal
      open={props.open}
      title={props.title}
      width={props.width ?? 720}
      onCancel={close}
      destroyOnHidden
      footer={
        <Space wrap>
          <Button onClick={close} data-testid={`${id}-close`}>
            {done ? t('common.close') : t('common.cancel')}
          </Button>
          {!done && (
            <Button
              disabled={!file}
              type={dry ? 'default' : 'primary'}
              loading={run.isPending && run.variables?.dryRun}
              onClick={() => file && run.mutate({ f: file, dryRun: true })}
              data-testid={`${id}-check`}
            >
              {t('import.check')}
            </Button>
          )}
          {!done && dry && (
            <Button
              type="primary"
              disabled={!canImport(state)}
              loading={run.isPending && !run.variables?.dryRun}
              onClick={() => file && run.mutate({ f: file, dryRun: false })}
              data-testid={`${id}-run`}
            >
              {t('import.run')}
            </Button>
          )}
        </Space>
      }
    >
      <Steps
        size="small"
        current={importStep(state)}
        style={{ marginBottom: 16 }}
        items={[{ title: t('import.stepFile') }, { title: t('import.stepCheck') }, { title: t('import.stepDone') }]}
      />
      <Typography.Paragraph type="secondary">{props.help}</Typography.Paragraph>
      {(props.headers || downloadTemplate) && (
        <Typography.Paragraph type="secondary">
          {props.headers}
          {props.headers && downloadTemplate && ' '}
          {downloadTemplate && (
            <Button
              type="link"
              size="small"
              icon={<DownloadOutlined />}
              onClick={downloadTemplate}
              data-testid={`${id}-template`}
              style={{ paddingInline: 0 }}
            >
              {t('import.template')}
            </Button>
          )}
        </Typography.Paragraph>
      )}
      {props.fields?.(() => dispatch({ type: 'stale' }))}
      <Upload.Dragger
        accept=".xlsx,.csv"
        maxCount={1}
        multiple={false}
        fileList={file ? [{ uid: 'file', name: file.name, status: 'done' }] : []}
        beforeUpload={(f) => {
          dispatch({ type: 'pick', file: f })
          return false // keep it here: the check sends it
        }}
        onRemove={() => dispatch({ type: 'clear' })}
        data-testid={props.testIds?.upload ?? `${id}-upload`}
      >
        <p className="ant-upload-drag-icon">
          <InboxOutlined />
        </p>
        <p className="ant-upload-text">{t('import.drop')}</p>
      </Upload.Dragger>
      {error && <Alert type="error" showIcon title={error} style={{ marginTop: 16 }} data-testid={`${id}-error`} />}
      {result && (
        <div style={{ marginTop: 16 }} data-testid={done ? `${id}-done` : (props.testIds?.dry ?? `${id}-dry`)}>
          {props.header?.(result)}
          <Descriptions
            size="small"
            bordered
            column={{ xs: 1, sm: countColumns(props.counts.length) }}
            items={props.counts.map((key) => ({
              key,
              // A check says what would happen; a finished import, what did.
              label: t(props.labels?.[key] ?? countLabelKey(key, !!done)),
              children: <span data-testid={`${id}-${key}`}>{result[key] as number}</span>,
            }))}
          />
          {result.errors.length > 0 ? (
            <>
              <Alert type="warning" showIcon style={{ marginTop: 12 }} title={t('import.hasErrors', { count: result.errors.length })} />
              <Table<ImportCellError>
                style={{ marginTop: 12 }}
                size="small"
                scroll={{ x: 'max-content' }}
                rowKey={cellErrorKey}
                dataSource={result.errors}
                pagination={result.errors.length > 10 ? { pageSize: 10 } : false}
                data-testid={`${id}-errors`}
                columns={[
                  { title: t('import.row'), dataIndex: 'row', width: 80 },
                  { title: t('import.column'), dataIndex: 'column', width: 140 },
                  { title: t('import.message'), dataIndex: 'message' },
                ]}
              />
            </>
          ) : (
            !done && <Alert type="success" showIcon style={{ marginTop: 12 }} title={props.ready(result)} />
          )}
        </div>
      )}
    </Modal>
  )
}
