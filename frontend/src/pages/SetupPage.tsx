import { useMutation, useQueryClient } from '@tanstack/react-query'
import { Alert, App as AntApp, Button, Divider, Form, Input, Select } from 'antd'
import { useMemo, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { useNavigate } from 'react-router'
import { ApiError } from '../api/client'
import { runSetup } from '../api/endpoints'
import { applyFieldErrors, errorMessage } from '../api/errors'
import type { SetupRequest, SetupStatus } from '../api/types'
import { newPasswordRules, PASSWORD_MIN } from '../auth/password'
import { queryKeys } from '../auth/session'
import { AuthShell } from '../components/AuthShell'
import { browserTimeZone, currencyName } from '../format'


const CURRENCIES = [
  'CNY', 'USD', 'EUR', 'GBP', 'JPY', 'HKD', 'AUD', 'CAD', 'SGD', 'KRW', 'TWD', 'CHF', 'NZD',
  'AED', 'SAR', 'MYR', 'THB', 'IDR', 'PHP', 'VND', 'INR', 'MXN', 'BRL',
]

const TIMEZONES = [
  'Asia/Shanghai', 'Asia/Hong_Kong', 'Asia/Taipei', 'Asia/Singapore', 'Asia/Tokyo', 'Asia/Seoul',
  'Asia/Bangkok', 'Asia/Jakarta', 'Asia/Kolkata', 'Asia/Dubai', 'Europe/London', 'Europe/Paris',
  'Europe/Berlin', 'Europe/Madrid', 'Europe/Moscow', 'America/New_York', 'America/Chicago',
  'America/Denver', 'America/Los_Angeles', 'America/Toronto', 'America/Mexico_City', 'America/Sao_Paulo',
  'Australia/Sydney', 'Pacific/Auckland', 'UTC',
]

const FIELDS: readonly (keyof SetupRequest)[] = ['org_name', 'base_currency', 'timezone', 'name', 'email', 'password']

type SetupForm = SetupRequest & { password_confirm: string }

export default function SetupPage() {
  const { t, i18n } = useTranslation()
  const [form] = Form.useForm<SetupForm>()
  const queryClient = useQueryClient()
  const navigate = useNavigate()
  const { message } = AntApp.useApp()
  const [error, setError] = useState<string | null>(null)

  const currencyOptions = useMemo(
    () => CURRENCIES.map((c) => ({ value: c, label: `${c} — ${currencyName(c, i18n.language)}` })),
    [i18n.language],
  )
  const browserTz = browserTimeZone()
  const timezoneOptions = useMemo(() => {
    const zones = browserTz && !TIMEZONES.includes(browserTz) ? [browserTz, ...TIMEZONES] : TIMEZONES
    return zones.map((z) => ({
      value: z,
      label: z === browserTz ? t('setup.timezoneBrowser', { tz: z }) : z,
    }))
  }, [browserTz, t])

  const setup = useMutation({
    mutationFn: (values: SetupForm) => {
      const { password_confirm: _confirm, ...req } = values
      return runSetup({ ...req, email: req.email.trim(), org_name: req.org_name.trim(), name: req.name.trim() })
    },
    onSuccess: () => {
      // The setup answer carries everything the dashboard needs; no silent refresh required.
      queryClient.setQueryData(queryKeys.restore, true)
      // /me also says what the owner may do (capabilities): ask for it rather than guess.
      void queryClient.invalidateQueries({ queryKey: queryKeys.me })
      queryClient.setQueryData<SetupStatus>(queryKeys.setup, { setup_required: false })
      message.success(t('setup.done'))
      navigate('/dashboard', { replace: true })
    },
    onError: (err) => {
      if (err instanceof ApiError && err.code === 'setup_done') {
        message.info(t('setup.doneElsewhere'))
        queryClient.setQueryData(queryKeys.restore, false)
        queryClient.setQueryData<SetupStatus>(queryKeys.setup, { setup_required: false })
        navigate('/login', { replace: true })
        return
      }
      const unmatched = applyFieldErrors(form, err, FIELDS, t)
      const extra = Object.entries(unmatched).map(([k, v]) => `${k}: ${v}`)
      setError([errorMessage(err, t), ...extra].join(' '))
    },
  })

  const required = { required: true, message: t('common.required') }

  return (
    <AuthShell title={t('setup.title')} subtitle={t('setup.subtitle')} testId="setup-page" width={520}>
      <Form<SetupForm>
        form={form}
        layout="vertical"
        requiredMark={false}
        initialValues={{ base_currency: 'CNY', timezone: 'Asia/Shanghai' }}
        onFinish={(v) => {
          setError(null)
          setup.mutate(v)
        }}
        onValuesChange={() => error && setError(null)}
      >
        <Divider titlePlacement="start" plain>
          {t('setup.orgSection')}
        </Divider>
        <Form.Item name="org_name" label={t('setup.orgName')} rules={[{ ...required, whitespace: true }]}>
          <Input data-testid="setup-org-name" placeholder={t('setup.orgNamePlaceholder')} maxLength={200} />
        </Form.Item>
        <Form.Item name="base_currency" label={t('setup.baseCurrency')} extra={t('setup.baseCurrencyHelp')} rules={[required]}>
          <Select data-testid="setup-base-currency" showSearch={{ optionFilterProp: 'label' }} options={currencyOptions} />
        </Form.Item>
        <Form.Item name="timezone" label={t('setup.timezone')} rules={[required]}>
          <Select data-testid="setup-timezone" showSearch={{ optionFilterProp: 'label' }} options={timezoneOptions} />
        </Form.Item>
        <Divider titlePlacement="start" plain>
          {t('setup.ownerSection')}
        </Divider>
        <Form.Item name="name" label={t('setup.name')} rules={[{ ...required, whitespace: true }]}>
          <Input data-testid="setup-name" autoComplete="name" maxLength={200} />
        </Form.Item>
        <Form.Item
          name="email"
          label={t('setup.email')}
          rules={[required, { type: 'email', message: t('common.emailInvalid') }]}
        >
          <Input data-testid="setup-email" inputMode="email" autoComplete="email" />
        </Form.Item>
        <Form.Item
          name="password"
          label={t('setup.password')}
          rules={newPasswordRules(t)}
          extra={t('common.passwordHint', { min: PASSWORD_MIN })}
          hasFeedback
        >
          <Input.Password data-testid="setup-password" autoComplete="new-password" />
        </Form.Item>
        <Form.Item
          name="password_confirm"
          label={t('setup.confirmPassword')}
          dependencies={['password']}
          hasFeedback
          rules={[
            required,
            ({ getFieldValue }) => ({
              validator: (_, value) =>
                !value || getFieldValue('password') === value
                  ? Promise.resolve()
                  : Promise.reject(new Error(t('setup.passwordMismatch'))),
            }),
          ]}
        >
          <Input.Password data-testid="setup-password-confirm" autoComplete="new-password" />
        </Form.Item>
        {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} data-testid="setup-error" />}
        <Button type="primary" htmlType="submit" block loading={setup.isPending} data-testid="setup-submit">
          {t('setup.submit')}
        </Button>
      </Form>
    </AuthShell>
  )
}
