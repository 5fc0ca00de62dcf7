import { useQueryClient } from '@tanstack/react-query'
import { useTranslation } from 'react-i18next'
import { importProducts } from '../../api/endpoints'
import type { ProductImportResult } from '../../api/types'
import { campaignKeys } from '../../campaigns/shared'
import { ImportDialog } from '../../components/ImportDialog'

/** Products from a spreadsheet: a dry run first, then the import once the file has no problems. */
export function ProductImportModal(props: { open: boolean; onClose: () => void }) {
  const { t } = useTranslation()
  const queryClient = useQueryClient()
  return (
    <ImportDialog<ProductImportResult>
      open={props.open}
      onClose={props.onClose}
      title={t('products.importTitle')}
      testId="product-import"
      send={importProducts}
      zero={{ created: 0, updated: 0, skipped: 0 }}
      help={t('products.importHelp')}
      counts={['rows', 'created', 'updated', 'skipped']}
      ready={() => t('import.ready')}
      doneMessage={(res) => t('import.done', { created: res.created, updated: res.updated })}
      onDone={() => void queryClient.invalidateQueries({ queryKey: campaignKeys.products })}
    />
  )
}
