import { Alert, Card, Descriptions, Typography } from 'antd'
import { useTranslation } from 'react-i18next'
import { errorMessage } from '../api/errors'
import { useMe } from '../auth/session'
import { FullPageSpin } from '../components/FullPageSpin'
import { currencyName } from '../format'

export default function DashboardPage() {
  const { t, i18n } = useTranslation()
  const me = useMe()
  if (me.isPending) return <FullPageSpin />
  if (me.isError) return <Alert type="error" showIcon title={errorMessage(me.error, t)} />
  const { user, org } = me.data
  return (
    <Card data-testid="dashboard-welcome">
      <Typography.Title level={3} style={{ marginTop: 0 }} data-testid="page-title">
        {t('dashboard.welcome', { name: user.name })}
      </Typography.Title>
      <Typography.Paragraph type="secondary">{t('dashboard.intro')}</Typography.Paragraph>
      <Descriptions
        column={1}
        bordered
        size="small"
        items={[
          { key: 'org', label: t('dashboard.org'), children: <span data-testid="dashboard-org-name">{org.name}</span> },
          {
            key: 'currency',
            label: t('dashboard.baseCurrency'),
            children: (
              <span data-testid="dashboard-currency">
                {org.base_currency} — {currencyName(org.base_currency, i18n.language)}
              </span>
            ),
          },
          { key: 'tz', label: t('dashboard.timezone'), children: <span data-testid="dashboard-timezone">{org.timezone}</span> },
          { key: 'role', label: t('dashboard.yourRole'), children: t(`roles.${user.role}`) },
        ]}
      />
    </Card>
  )
}
