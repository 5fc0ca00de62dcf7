import { GlobalOutlined } from '@ant-design/icons'
import { Segmented, Space } from 'antd'
import { useTranslation } from 'react-i18next'
import { currentLanguage, isLanguage, setLanguage, type Language } from '../i18n'

// Each language is named in itself, so these labels are the same in every UI language.
const NAMES: Record<Language, string> = { 'zh-CN': '中文', 'en-US': 'English' }

export function LanguageSelect() {
  const { t, i18n } = useTranslation()
  const value = isLanguage(i18n.language) ? i18n.language : currentLanguage()
  return (
    <Space size={4} data-testid="lang-select">
      <GlobalOutlined aria-hidden />
      <Segmented<Language>
        size="small"
        aria-label={t('lang.label')}
        value={value}
        onChange={(v) => void setLanguage(v)}
        options={(Object.keys(NAMES) as Language[]).map((lng) => ({
          value: lng,
          label: (
            <span data-testid={`lang-${lng}`} lang={lng}>
              {NAMES[lng]}
            </span>
          ),
        }))}
      />
    </Space>
  )
}
