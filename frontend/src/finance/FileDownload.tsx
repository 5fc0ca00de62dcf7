// Downloads of files the server may take a while to write (workbooks of a million rows): the answer
// is read as a stream, the bytes received are shown as they arrive, then the file is saved.
import { DownloadOutlined } from '@ant-design/icons'
import { App as AntApp, Button, Flex, Progress, Typography, type ButtonProps } from 'antd'
import { useRef, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { api, type RequestOptions } from '../api/client'
import { errorMessage } from '../api/errors'
import { filenameFromDisposition, formatBytes, progressPercent, readWithProgress, saveBlob, type DownloadProgress } from '../download'

export interface FileRequest {
  path: string
  query?: RequestOptions['query']
}

export interface DownloadState {
  name: string
  progress: DownloadProgress
}

/**
 * start(file, fallbackName) fetches the file with the user's token, reporting bytes as they arrive,
 * and saves it under the server's name (or fallbackName). One download at a time per hook.
 */
export function useFileDownload() {
  const { t, i18n } = useTranslation()
  const { message } = AntApp.useApp()
  const [state, setState] = useState<DownloadState | null>(null)
  const abort = useRef<AbortController | null>(null)
  const start = async (file: FileRequest, fallbackName: string): Promise<boolean> => {
    abort.current?.abort()
    const ctrl = new AbortController()
    abort.current = ctrl
    setState({ name: fallbackName, progress: { received: 0, total: null } })
    try {
      const res = await api.fileResponse(file.path, { query: file.query, signal: ctrl.signal })
      const name = filenameFromDisposition(res.headers.get('Content-Disposition')) ?? fallbackName
      const blob = await readWithProgress(res, (progress) => setState({ name, progress }))
      saveBlob(blob, name)
      message.success(t('finance.downloaded', { name, size: formatBytes(blob.size, i18n.language) }))
      return true
    } catch (err) {
      if (err instanceof DOMException && err.name === 'AbortError') return false
      message.error(errorMessage(err, t))
      return false
    } finally {
      if (abort.current === ctrl) {
        abort.current = null
        setState(null)
      }
    }
  }
  const cancel = () => abort.current?.abort()
  return { start, cancel, state, busy: state !== null }
}

/** The bytes received so far (and the share when the size is known), with a cancel button. */
export function DownloadProgressBar({ state, onCancel, testid = 'download-progress' }: { state: DownloadState | null; onCancel: () => void; testid?: string }) {
  const { t, i18n } = useTranslation()
  if (!state) return null
  const pct = progressPercent(state.progress)
  const received = formatBytes(state.progress.received, i18n.language)
  return (
    <Flex vertical gap={4} style={{ marginTop: 8, maxWidth: 420 }} data-testid={testid}>
      <Typography.Text type="secondary" ellipsis>
        {state.name}
      </Typography.Text>
      <Flex align="center" gap={8}>
        <Progress
          style={{ flex: 1, margin: 0 }}
          percent={pct ?? 100}
          status="active"
          showInfo={false}
          strokeColor={pct === null ? { from: '#91caff', to: '#1677ff' } : undefined}
        />
        <Button size="small" onClick={onCancel} data-testid={`${testid}-cancel`}>
          {t('common.cancel')}
        </Button>
      </Flex>
      <Typography.Text type="secondary" data-testid={`${testid}-bytes`}>
        {state.progress.total !== null
          ? t('finance.bytesOf', { received, total: formatBytes(state.progress.total, i18n.language) })
          : t('finance.bytesReceived', { received })}
      </Typography.Text>
    </Flex>
  )
}

/** A download button that shows its own progress under it. */
export function DownloadButton({
  file,
  fallbackName,
  children,
  testid,
  disabled,
  ...rest
}: { file: FileRequest | (() => FileRequest | null); fallbackName: string; testid: string } & Omit<ButtonProps, 'onClick'>) {
  const dl = useFileDownload()
  return (
    <span style={{ display: 'inline-block', maxWidth: '100%' }}>
      <Button
        icon={<DownloadOutlined />}
        loading={dl.busy}
        disabled={disabled}
        onClick={() => {
          const f = typeof file === 'function' ? file() : file
          if (f) void dl.start(f, fallbackName)
        }}
        data-testid={testid}
        {...rest}
      >
        {children}
      </Button>
      <DownloadProgressBar state={dl.state} onCancel={dl.cancel} testid={`${testid}-progress`} />
    </span>
  )
}
