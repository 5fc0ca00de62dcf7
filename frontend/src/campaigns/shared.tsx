// Pieces the campaign, product and link screens share: query keys, a currency select, a creator
// search select and the "errors on the form, the rest in one line" helper.
import { useQuery } from '@tanstack/react-query'
import { Select, type FormInstance, type SelectProps } from 'antd'
import type { TFunction } from 'i18next'
import { useMemo, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { listCreators, listProducts } from '../api/endpoints'
import { applyNestedFieldErrors, errorMessage } from '../api/errors'
import { useMe } from '../auth/session'
import { COMMON_CURRENCIES } from '../countries'
import { currencyName } from '../format'

export const campaignKeys = {
  products: ['products'] as const,
  campaigns: ['campaigns'] as const,
  campaign: (id: string) => ['campaign', id] as const,
  plans: (id: string) => ['campaign', id, 'plans'] as const,
  enrolments: (id: string) => ['campaign', id, 'enrolments'] as const,
  deliverables: (id: string) => ['campaign', id, 'deliverables'] as const,
  samples: (id: string) => ['campaign', id, 'samples'] as const,
  links: (id: string) => ['campaign', id, 'links'] as const,
  codes: (id: string) => ['campaign', id, 'codes'] as const,
  report: (id: string) => ['campaign', id, 'report'] as const,
}

/** The organization's base currency (USD until /me answers). */
export function useBaseCurrency(): string {
  const me = useMe()
  return me.data?.org.base_currency ?? 'USD'
}

export function CurrencySelect(props: SelectProps) {
  const { i18n } = useTranslation()
  const options = useMemo(
    () => COMMON_CURRENCIES.map((c) => ({ value: c, label: `${c} · ${currencyName(c, i18n.language)}` })),
    [i18n.language],
  )
  return <Select showSearch={{ optionFilterProp: 'label' }} options={options} {...props} />
}

/** Creators found by name or handle as the user types. */
export function CreatorSearchSelect(props: SelectProps) {
  const [q, setQ] = useState('')
  const found = useQuery({
    queryKey: ['creators', 'pick', q],
    queryFn: () => listCreators({ q: q || undefined, limit: 20 }),
    staleTime: 10_000,
  })
  return (
    <Select
      showSearch={{ filterOption: false, onSearch: setQ }}
      loading={found.isFetching}
      options={(found.data?.items ?? []).map((c) => ({ value: c.id, label: c.display_name }))}
      {...props}
    />
  )
}

/** Every product (a seller has a catalogue of hundreds at most: one page of 500). */
export function useAllProducts() {
  return useQuery({ queryKey: ['products', 'all'], queryFn: () => listProducts({ limit: 500 }), staleTime: 30_000 })
}

/** The product's name in the UI language: the Chinese name in Chinese when it has one. */
export function productName(p: { name: string; name_zh: string | null }, lang: string): string {
  return lang.startsWith('zh') && p.name_zh ? p.name_zh : p.name
}

/** Puts field errors on the form; answers the text for the form's alert (the error and any unplaced field). */
export function formError(form: FormInstance, err: unknown, fields: readonly string[], t: TFunction, rename: Record<string, string> = {}): string {
  const unmatched = applyNestedFieldErrors(form, err, fields, t, rename)
  const extra = Object.entries(unmatched).map(([k, v]) => `${k}: ${v}`)
  return [errorMessage(err, t), ...extra].join(' ')
}

/** Phones: a table scrolls inside its card instead of widening the page. */
export const TABLE_SCROLL = { x: 'max-content' } as const
