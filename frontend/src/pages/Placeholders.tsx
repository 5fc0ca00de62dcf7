import { Button, Result } from 'antd'
import { useTranslation } from 'react-i18next'
import { Link } from 'react-router'

export function NotFound() {
  const { t } = useTranslation()
  return (
    <Result
      status="404"
      title={t('common.notFound')}
      subTitle={t('common.notFoundDesc')}
      extra={
        <Link to="/dashboard">
          <Button type="primary">{t('common.backHome')}</Button>
        </Link>
      }
      data-testid="not-found"
    />
  )
}

export function Forbidden() {
  const { t } = useTranslation()
  return (
    <Result
      status="403"
      title={t('common.forbidden')}
      subTitle={t('common.forbiddenDesc')}
      extra={
        <Link to="/dashboard">
          <Button type="primary">{t('common.backHome')}</Button>
        </Link>
      }
      data-testid="forbidden"
    />
  )
}
