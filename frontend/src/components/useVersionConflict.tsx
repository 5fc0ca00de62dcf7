import { App as AntApp, type ButtonProps } from 'antd'
import { useCallback } from 'react'
import { useTranslation } from 'react-i18next'
import { errorMessage, isVersionMismatch } from '../api/errors'

/**
 * Handles the 412 version_mismatch of a save: tells the user someone else changed the record and
 * offers "Reload", which calls reload (fetch the latest, merge it into the open form). Returns a
 * function that answers true when it handled err, so callers show their usual error otherwise.
 */
export function useVersionConflict() {
  const { t } = useTranslation()
  const { modal, message } = AntApp.useApp()
  return useCallback(
    (err: unknown, reload: () => Promise<unknown>): boolean => {
      if (!isVersionMismatch(err)) return false
      modal.confirm({
        title: t('conflict.title'),
        content: `${errorMessage(err, t)} ${t('conflict.keepTyping')}`,
        okText: t('conflict.reload'),
        cancelText: t('common.cancel'),
        okButtonProps: { 'data-testid': 'conflict-reload' } as ButtonProps,
        onOk: async () => {
          try {
            await reload()
            message.info(t('conflict.reloaded'))
          } catch (e) {
            message.error(errorMessage(e, t))
          }
        },
      })
      return true
    },
    [modal, message, t],
  )
}
