import { useQueryClient } from '@tanstack/react-query'
import { useTranslation } from 'react-i18next'
import { importCreators } from '../../api/endpoints'
import type { ImportResult } from '../../api/types'
import { queryKeys } from '../../auth/session'
import { ImportDialog } from '../../components/ImportDialog'
import { templateCsv } from '../../creators/importTemplate'

export function ImportModal(props: { open: boolean; onClose: () => void }) {
  const { t, i18n } = useTranslation()
  const queryClient = useQueryClient()
  return (
    <ImportDialog<ImportResult>
      open={props.open}
      onClose={props.onClose}
      title={t('import.title')}
      width={760}
      testId="import"
      testIds={{ dry: 'import-dry-result' }}
      send={importCreators}
      zero={{ created: 0, updated: 0, skipped: 0 }}
      help={t('import.help')}
      headers={t('import.headers')}
      template={{
        csv: () => templateCsv(i18n.language),
        filename: i18n.language.startsWith('zh') ? '达人导入模板.csv' : 'creators-template.csv',
      }}
      counts={['rows', 'created', 'updated', 'skipped']}
      ready={() => t('import.ready')}
      doneMessage={(res) => t('import.done', { created: res.created, updated: res.updated })}
      onDone={() => {
        void queryClient.invalidateQueries({ queryKey: queryKeys.creators })
        void queryClient.invalidateQueries({ queryKey: queryKeys.agencies })
      }}
    />
  )
}
