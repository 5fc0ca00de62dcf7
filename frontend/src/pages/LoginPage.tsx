import { useMutation, useQueryClient } from '@tanstack/react-query'
import { Alert, Button, Form, Input } from 'antd'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { Navigate, useLocation, useNavigate } from 'react-router'
import { ApiError } from '../api/client'
import { login } from '../api/endpoints'
import { applyFieldErrors, errorMessage } from '../api/errors'
import { queryKeys, useAccessToken } from '../auth/session'
import { AuthShell } from '../components/AuthShell'

interface LoginForm {
  email: string
  password: string
}

/** Where to go after sign-in: the page that sent us here, never back to /login. */
function targetFrom(state: unknown): string {
  const from = (state as { from?: { pathname?: string; search?: string } } | null)?.from
  if (from?.pathname && from.pathname !== '/login') return from.pathname + (from.search ?? '')
  return '/dashboard'
}

export default function LoginPage() {
  const { t } = useTranslation()
  const [form] = Form.useForm<LoginForm>()
  const token = useAccessToken()
  const location = useLocation()
  const navigate = useNavigate()
  const queryClient = useQueryClient()
  const [error, setError] = useState<string | null>(null)

  const mutation = useMutation({
    mutationFn: (v: LoginForm) => login(v.email.trim(), v.password),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: queryKeys.me })
      navigate(targetFrom(location.state), { replace: true })
    },
    onError: (err) => {
      if (err instanceof ApiError && err.status === 401) {
        setError(t('errors.invalid_credentials'))
        return
      }
      applyFieldErrors(form, err, ['email', 'password'])
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
        {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} data-testid="login-error" />}
        <Button type="primary" htmlType="submit" block loading={mutation.isPending} data-testid="login-submit">
          {t('login.submit')}
        </Button>
      </Form>
    </AuthShell>
  )
}
