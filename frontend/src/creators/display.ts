// Small display helpers of the creator pages (pure, so they are unit-tested).
import type { TFunction } from 'i18next'
import type { TimelineEvent } from '../api/types'

const PROFILE_URLS: Record<string, (h: string) => string> = {
  tiktok: (h) => `https://www.tiktok.com/@${h}`,
  youtube: (h) => `https://www.youtube.com/@${h}`,
  instagram: (h) => `https://www.instagram.com/${h}`,
  x: (h) => `https://x.com/${h}`,
  facebook: (h) => `https://www.facebook.com/${h}`,
  pinterest: (h) => `https://www.pinterest.com/${h}`,
  twitch: (h) => `https://www.twitch.tv/${h}`,
  snapchat: (h) => `https://www.snapchat.com/add/${h}`,
  kwai: (h) => `https://www.kwai.com/@${h}`,
  rednote: (h) => `https://www.xiaohongshu.com/user/profile/${h}`,
  bilibili: (h) => `https://space.bilibili.com/${h}`,
}

/** The account's profile address: the stored URL, else one built from the handle when the platform's pattern is known. */
export function profileUrl(platform: string, handle: string, url?: string | null): string | undefined {
  if (url) return url
  const make = PROFILE_URLS[platform]
  return make ? make(encodeURIComponent(handle)) : undefined
}

/** Follower growth with an arrow: +1200 → { text: "▲ 1,200", tone: "up" }. */
export function growth(n: number | null, lang: string): { text: string; tone: 'up' | 'down' | 'flat' } | null {
  if (n === null || n === undefined) return null
  const abs = Math.abs(n).toLocaleString(lang)
  if (n > 0) return { text: `▲ ${abs}`, tone: 'up' }
  if (n < 0) return { text: `▼ ${abs}`, tone: 'down' }
  return { text: '0', tone: 'flat' }
}

const str = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? String(v) : '')

/**
 * One line saying what a timeline event was, in the UI language. Events keep ids (an agency's);
 * agencyName turns them into names (the organization's agencies list), "—" when it no longer exists.
 */
export function describeEvent(
  e: TimelineEvent,
  t: TFunction,
  platformName: (key: string) => string,
  agencyName: (id: string) => string | undefined = () => undefined,
): string {
  const d = e.data ?? {}
  const status = (s: unknown) => (str(s) ? t(`creatorStatus.${str(s)}`, { defaultValue: str(s) }) : '')
  switch (e.kind) {
    case 'note':
      return str(d.text)
    case 'created': {
      // A creator added with accounts (by hand or by import) has one event naming them.
      const accounts = Array.isArray(d.accounts) ? (d.accounts as Record<string, unknown>[]) : []
      if (accounts.length === 0) return t('timeline.created', { name: str(d.display_name) })
      const list = accounts.map((a) => `${platformName(str(a.platform))} @${str(a.handle)}`)
      return t('timeline.createdWith', { name: str(d.display_name), accounts: list.join(t('timeline.listSeparator')) })
    }
    case 'status_changed':
      return t('timeline.statusChanged', { from: status(d.from), to: status(d.to) })
    case 'agency_changed': {
      const agency = (v: unknown) => (str(v) ? (agencyName(str(v)) ?? '—') : t('timeline.noAgency'))
      return t('timeline.agencyChanged', { from: agency(d.from), to: agency(d.to) })
    }
    case 'account_added':
    case 'account_removed':
      return t(`timeline.${e.kind === 'account_added' ? 'accountAdded' : 'accountRemoved'}`, {
        platform: platformName(str(d.platform)),
        handle: str(d.handle),
      })
    case 'account_status_changed':
      return t('timeline.accountStatus', {
        platform: platformName(str(d.platform)),
        handle: str(d.handle),
        status: str(d.to) ? t(`accountStatus.${str(d.to)}`, { defaultValue: str(d.to) }) : '',
      })
    default:
      return t(`timeline.kinds.${e.kind}`, { defaultValue: e.kind })
  }
}

/**
 * Options of a tag input: the label is the tag alone (it is what a chosen chip shows); the usage
 * count travels beside it for the list to show.
 */
export function tagSelectOptions(items: readonly { tag: string; creators: number }[]) {
  return items.map((x) => ({ value: x.tag, label: x.tag, creators: x.creators }))
}

/** The chips a table cell shows: the first `max`, and how many more hide behind "+N". */
export function capList<T>(items: readonly T[], max = 3): { shown: T[]; more: T[] } {
  return { shown: items.slice(0, max), more: items.slice(max) }
}
