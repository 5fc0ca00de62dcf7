import { useMutation, useQueryClient } from '@tanstack/react-query'
import { Alert, Button, Form, Input, Radio, Space } from 'antd'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { Navigate, useLocation, useNavigate } from 'react-router'
import { ApiError } from '../api/client'
import { login } from '../api/endpoints'
import { applyFieldErrors, errorMessage } from '../api/errors'
import type { OrgChoice } from '../api/types'
import { queryKeys, useAccessToken } from '../auth/session'
import { AuthShell } from '../components/AuthShell'

interface LoginForm {
  email: string
  password: string
  org_id?: string
}

/** The organizations of a 409 choose_organization answer, or null for any other error. */
export function organizationChoices(err: unknown): OrgChoice[] | null {
  if (!(err instanceof ApiError) || err.code !== 'choose_organization') return null
  const list = err.params.organizations
  if (!Array.isArray(list)) return null
  return list.filter(
    (o): o is OrgChoice => !!o && typeof o === 'object' && typeof (o as OrgChoice).org_id === 'string',
  )
}

/** Where to go after sign-in: the page that sent us here, never back to /login. */
function targetFrom(state: unknown): string {
  const from = (state as { from?: { pathname?: string; search?: string } } | null)?.from
  if (from?.pathname && from.pathname !== '/login') return from.pathname + (from.search ?? '')
  return '/' // the home page for the user's role (App's index route)
}

export default function LoginPage() {
  const { t } = useTranslation()
  const [form] = Form.useForm<LoginForm>()
  const token = useAccessToken()
  const location = useLocation()
  const navigate = useNavigate()
  const queryClient = useQueryClient()
  const [error, setError] = useState<string | null>(null)
  // Set when the e-mail and password open several organizations: the user picks one.
  const [orgs, setOrgs] = useState<OrgChoice[] | null>(null)

  const mutation = useMutation({
    mutationFn: (v: LoginForm) => login(v.email.trim(), v.password, orgs ? v.org_id : undefined),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: queryKeys.me })
      navigate(targetFrom(location.state), { replace: true })
    },
    onError: (err) => {
      const choices = organizationChoices(err)
      if (choices) {
        setOrgs(choices)
        form.setFieldValue('org_id', undefined)
        setError(null)
        return
      }
      if (err instanceof ApiError && err.status === 401) {
        setError(t('errors.invalid_credentials'))
        return
      }
      applyFieldErrors(form, err, ['email', 'password'], t)
      setError(errorMessage(err, t))
    },
  })

  if (token && !mutation.isPending) return <Navigate to={targetFrom(location.state)} replace />

  return (
    <AuthShell title={t('login.title')} subtitle={t('login.subtitle')} testId="login-page">
      <Form<LoginForm>
        form={form}
        layout="vertical"
        requiredMark={false}
        onFinish={(v) => {
          setError(null)
          mutation.mutate(v)
        }}
        onValuesChange={(changed: Partial<LoginForm>) => {
          // Another e-mail or password may open other organizations: ask the server again.
          if (orgs && ('email' in changed || 'password' in changed)) setOrgs(null)
        }}
      >
        <Form.Item
          name="email"
          label={t('login.email')}
          rules={[
            { required: true, message: t('common.required') },
            { type: 'email', message: t('common.emailInvalid') },
          ]}
        >
          <Input data-testid="login-email" inputMode="email" autoComplete="username" autoFocus />
        </Form.Item>
        <Form.Item name="password" label={t('login.password')} rules={[{ required: true, message: t('common.required') }]}>
          <Input.Password data-testid="login-password" autoComplete="current-password" />
        </Form.Item>
        {orgs && (
          <Form.Item
            name="org_id"
            label={t('login.chooseOrganization')}
            extra={t('errors.choose_organization')}
            rules={[{ required: true, message: t('login.chooseOrganizationRequired') }]}
          >
            <Radio.Group data-testid="login-org-choice">
              <Space orientation="vertical">
                {orgs.map((o) => (
                  <Radio key={o.org_id} value={o.org_id} data-testid={`login-org-${o.org_id}`}>
                    {o.org_name}
                  </Radio>
                ))}
              </Space>
            </Radio.Group>
          </Form.Item>
        )}
        {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} data-testid="login-error" />}
        <Button type="primary" htmlType="submit" block loading={mutation.isPending} data-testid="login-submit">
          {t('login.submit')}
        </Button>
      </Form>
    </AuthShell>
  )
}
