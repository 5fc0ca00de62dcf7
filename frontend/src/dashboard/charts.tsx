// The dashboard's ECharts charts. This module is loaded lazily (React.lazy in DashboardPage), so
// ECharts lands in its own chunk: the first paint, and every other page, never download it. Only
// the pieces drawn here are registered (bar, line, pie, canvas), not the whole library.
import { BarChart, LineChart, PieChart, type BarSeriesOption, type LineSeriesOption, type PieSeriesOption } from 'echarts/charts'
import {
  GridComponent,
  LegendComponent,
  TooltipComponent,
  type GridComponentOption,
  type LegendComponentOption,
  type TooltipComponentOption,
} from 'echarts/components'
import * as echarts from 'echarts/core'
import { CanvasRenderer } from 'echarts/renderers'
import ReactEChartsCore from 'echarts-for-react/esm/core'
import { useMemo } from 'react'
import { formatBps, formatMoney } from '../money'
import type { DailySeries, Slice } from './figures'

echarts.use([BarChart, LineChart, PieChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer])

type DailyOption = echarts.ComposeOption<BarSeriesOption | LineSeriesOption | GridComponentOption | LegendComponentOption | TooltipComponentOption>
type PieOption = echarts.ComposeOption<PieSeriesOption | LegendComponentOption | TooltipComponentOption>

const GMV_COLOR = '#1677ff'
const CLICKS_COLOR = '#fa8c16'

/** Escapes text placed in a tooltip (ECharts renders tooltip formatters as HTML). */
function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}

function shortDay(day: string, lang: string): string {
  const [y, m, d] = day.split('-').map(Number)
  return new Intl.DateTimeFormat(lang, { month: 'numeric', day: 'numeric', timeZone: 'UTC' }).format(new Date(Date.UTC(y, m - 1, d)))
}

function longDay(day: string, lang: string): string {
  const [y, m, d] = day.split('-').map(Number)
  return new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeZone: 'UTC' }).format(new Date(Date.UTC(y, m - 1, d)))
}

export interface DailyChartProps {
  series: DailySeries
  currency: string
  lang: string
  labels: { title: string; gmv: string; clicks: string; conversions: string }
  height?: number
}

/** GMV per day (bars, in the base currency) and clicks per day (a line on its own axis). */
export function DailyChart({ series, currency, lang, labels, height = 300 }: DailyChartProps) {
  const option = useMemo<DailyOption>(() => {
    const compact = new Intl.NumberFormat(lang, { notation: 'compact', maximumFractionDigits: 1 })
    const count = new Intl.NumberFormat(lang)
    return {
      animationDuration: 300,
      grid: { left: 8, right: 8, top: 36, bottom: 8, containLabel: true },
      legend: { top: 0, data: [labels.gmv, labels.clicks] },
      tooltip: {
        trigger: 'axis',
        confine: true,
        formatter: (params: unknown) => {
          const first = (Array.isArray(params) ? params[0] : params) as { dataIndex: number } | undefined
          if (!first) return ''
          const i = first.dataIndex
          return [
            `<b>${esc(longDay(series.days[i], lang))}</b>`,
            `${esc(labels.gmv)}: ${esc(formatMoney(series.gmvMinor[i], currency, lang))}`,
            `${esc(labels.conversions)}: ${esc(count.format(series.conversions[i]))}`,
            `${esc(labels.clicks)}: ${esc(count.format(series.clicks[i]))}`,
          ].join('<br/>')
        },
      },
      xAxis: {
        type: 'category',
        data: series.days.map((d) => shortDay(d, lang)),
        axisTick: { alignWithLabel: true },
      },
      yAxis: [
        { type: 'value', axisLabel: { formatter: (v: number) => compact.format(v) }, splitLine: { lineStyle: { type: 'dashed' } } },
        { type: 'value', minInterval: 1, axisLabel: { formatter: (v: number) => compact.format(v) }, splitLine: { show: false } },
      ],
      series: [
        { name: labels.gmv, type: 'bar', data: series.gmv, yAxisIndex: 0, itemStyle: { color: GMV_COLOR }, barMaxWidth: 24 },
        {
          name: labels.clicks,
          type: 'line',
          data: series.clicks,
          yAxisIndex: 1,
          itemStyle: { color: CLICKS_COLOR },
          smooth: true,
          showSymbol: series.days.length <= 31,
        },
      ],
    }
  }, [series, currency, lang, labels])
  return (
    <ReactEChartsCore
      echarts={echarts}
      option={option}
      notMerge
      style={{ height, width: '100%' }}
      opts={{ renderer: 'canvas' }}
      data-testid="dashboard-daily-chart"
      role="img"
      aria-label={labels.title}
    />
  )
}

export interface PlatformChartProps {
  title: string
  slices: Slice[]
  name: (key: string) => string
  currency: string
  lang: string
  narrow: boolean
  height?: number
}

/** GMV by platform as a ring, each slice with its share of the GMV. */
export function PlatformChart({ title, slices, name, currency, lang, narrow, height = 300 }: PlatformChartProps) {
  const option = useMemo<PieOption>(() => {
    const data = slices.map((s) => ({ name: name(s.key), value: s.gmvMinor }))
    return {
      animationDuration: 300,
      tooltip: {
        trigger: 'item',
        confine: true,
        formatter: (p: unknown) => {
          const { dataIndex } = p as { dataIndex: number }
          const s = slices[dataIndex]
          if (!s) return ''
          return `<b>${esc(name(s.key))}</b><br/>${esc(formatMoney(s.gmvMinor, currency, lang))} · ${esc(formatBps(s.shareBps, lang))}`
        },
      },
      // The legend names each slice with its share: no labels around the ring to collide.
      legend: {
        bottom: 0,
        type: 'plain',
        formatter: (n: string) => {
          const i = data.findIndex((d) => d.name === n)
          return i < 0 ? n : `${n} ${formatBps(slices[i].shareBps, lang)}`
        },
      },
      series: [
        {
          type: 'pie',
          radius: narrow ? ['38%', '62%'] : ['42%', '68%'],
          center: ['50%', '42%'],
          label: { show: false },
          data,
        },
      ],
    }
  }, [slices, name, currency, lang, narrow])
  return (
    <ReactEChartsCore
      echarts={echarts}
      option={option}
      notMerge
      style={{ height, width: '100%' }}
      opts={{ renderer: 'canvas' }}
      data-testid="dashboard-platform-chart"
      role="img"
      aria-label={title}
    />
  )
}
