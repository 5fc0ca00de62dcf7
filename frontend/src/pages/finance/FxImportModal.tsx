import { UploadOutlined } from '@ant-design/icons'
import { useQueryClient } from '@tanstack/react-query'
import { Button } from 'antd'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { useBaseCurrency } from '../../campaigns/shared'
import { ImportDialog } from '../../components/ImportDialog'
import { importFxRates, type FxImportResult } from '../../finance/api'
import { fxTemplateCsv } from '../../finance/template'
import { orderKeys } from '../../orders/shared'

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
  const queryClient = useQueryClient()
  const base = useBaseCurrency()
  const zh = i18n.language.startsWith('zh')
  return (
    <ImportDialog<FxImportResult>
      open={props.open}
      onClose={props.onClose}
      title={t('fxImport.title')}
      testId="fx-import"
      testIds={{ upload: 'fx-import-file' }}
      send={importFxRates}
      zero={{ saved: 0 }}
      help={t('fxImport.help', { base })}
      template={{ csv: () => fxTemplateCsv(base, zh), filename: zh ? '汇率导入模板.csv' : 'fx-rates-template.csv' }}
      counts={['rows', 'saved']}
      labels={{ saved: 'fxImport.saved' }}
      ready={(res) => t('fxImport.ready', { count: res.rows })}
      doneMessage={(res) => t('fxImport.done', { count: res.saved })}
      onDone={() => void queryClient.invalidateQueries({ queryKey: orderKeys.fxRates })}
    />
  )
}
