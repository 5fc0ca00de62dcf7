import { useMutation } from '@tanstack/react-query'
import { Alert, App as AntApp, Button, Card, Form, Input } from 'antd'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { changePassword } from '../api/endpoints'
import { applyFieldErrors, errorMessage } from '../api/errors'
import type { PasswordChange } from '../api/types'
import { newPasswordRules, PASSWORD_MIN } from '../auth/password'

type Values = PasswordChange & { confirm: string }

/** The signed-in user's own password; the server ends every other session of theirs. */
export default function ChangePasswordPage() {
  const { t } = useTranslation()
  const { message } = AntApp.useApp()
  const [form] = Form.useForm<Values>()
  const [error, setError] = useState<string | null>(null)
  const save = useMutation({
    mutationFn: ({ confirm: _confirm, ...req }: Values) => changePassword(req),
    onSuccess: () => {
      form.resetFields()
      setError(null)
      message.success(t('password.changed'))
    },
    onError: (err) => {
      applyFieldErrors(form, err, ['current_password', 'new_password'], t)
      setError(errorMessage(err, t))
    },
  })
  const required = { required: true, message: t('common.required') }
  return (
    <Card title={<span data-testid="page-title">{t('password.title')}</span>} style={{ maxWidth: 520 }}>
      <Form<Values>
        form={form}
        layout="vertical"
        requiredMark={false}
        onFinish={(v) => {
          setError(null)
          save.mutate(v)
        }}
        onValuesChange={() => error && setError(null)}
      >
        <Form.Item name="current_password" label={t('password.current')} rules={[required]}>
          <Input.Password autoComplete="current-password" data-testid="password-current" />
        </Form.Item>
        <Form.Item
          name="new_password"
          label={t('password.new')}
          rules={newPasswordRules(t)}
          extra={t('common.passwordHint', { min: PASSWORD_MIN })}
          hasFeedback
        >
          <Input.Password autoComplete="new-password" data-testid="password-new" />
        </Form.Item>
        <Form.Item
          name="confirm"
          label={t('password.confirm')}
          dependencies={['new_password']}
          hasFeedback
          rules={[
            required,
            ({ getFieldValue }) => ({
              validator: (_, value) =>
                !value || getFieldValue('new_password') === value
                  ? Promise.resolve()
                  : Promise.reject(new Error(t('setup.passwordMismatch'))),
            }),
          ]}
        >
          <Input.Password autoComplete="new-password" data-testid="password-confirm" />
        </Form.Item>
        {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} data-testid="password-error" />}
        <Button type="primary" htmlType="submit" loading={save.isPending} data-testid="password-submit">
          {t('password.submit')}
        </Button>
      </Form>
    </Card>
  )
}
