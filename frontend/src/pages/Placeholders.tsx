import { Button, Card, Empty, Result } from 'antd'
import { useTranslation } from 'react-i18next'
import { Link } from 'react-router'

/** A section that later screens fill in; the route exists so deep links already work. */
export function ComingSoon({ section }: { section: string }) {
  const { t } = useTranslation()
  return (
    <Card title={<span data-testid="page-title">{t(`nav.${section}`)}</span>} data-testid={`page-${section}`}>
      <Empty
        data-testid="coming-soon"
        image={Empty.PRESENTED_IMAGE_SIMPLE}
        description={
          <>
            <strong>{t('common.comingSoon')}</strong>
            <br />
            {t('common.comingSoonDesc')}
          </>
        }
      />
    </Card>
  )
}

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
