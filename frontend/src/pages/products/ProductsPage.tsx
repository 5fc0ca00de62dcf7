import { ArrowLeftOutlined, DeleteOutlined, EditOutlined, PlusOutlined, UploadOutlined } from '@ant-design/icons'
import { keepPreviousData, useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query'
import { NextStep } from '../../components/NextStep'
import { Alert, App as AntApp, Button, Card, Flex, Input, Popconfirm, Space, Table, Typography } from 'antd'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { Link, useSearchParams } from 'react-router'
import { deleteProduct, listProducts } from '../../api/endpoints'
import { errorMessage } from '../../api/errors'
import type { Product } from '../../api/types'
import { useCanWrite } from '../../auth/session'
import { TABLE_SCROLL, campaignKeys } from '../../campaigns/shared'
import { formatBps, formatMoney } from '../../money'
import { ProductModal } from './ProductForm'
import { ProductImportModal } from './ProductImportModal'

export default function ProductsPage() {
  const { t, i18n } = useTranslation()
  const { message } = AntApp.useApp()
  const writable = useCanWrite()
  const queryClient = useQueryClient()
  const [params, setParams] = useSearchParams()
  const q = params.get('q') ?? ''
  const [input, setInput] = useState({ key: q, value: q })
  const [editing, setEditing] = useState<{ product?: Product } | null>(null)
  const [importing, setImporting] = useState(false)

  const list = useInfiniteQuery({
    queryKey: [...campaignKeys.products, 'list', q],
    queryFn: ({ pageParam }) => listProducts({ q: q || undefined, limit: 50, cursor: pageParam }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
    placeholderData: keepPreviousData,
  })
  const remove = useMutation({
    mutationFn: (p: Product) => deleteProduct(p.id),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: campaignKeys.products }),
    onError: (err) => message.error(errorMessage(err, t)),
  })
  const items = list.data?.pages.flatMap((p) => p.items) ?? []
  const total = list.data?.pages[0]?.total
  const lang = i18n.language

  return (
    <Card
      data-testid="page-products"
      title={
        <Space wrap>
          <Link to="/campaigns" aria-label={t('common.back')}>
            <ArrowLeftOutlined />
          </Link>
          <span data-testid="page-title">{t('products.title')}</span>
        </Space>
      }
    >
      {writable && (
        <Flex gap={8} wrap justify="end" style={{ marginBottom: 12 }}>
          <Space wrap>
            <Button icon={<UploadOutlined />} onClick={() => setImporting(true)} data-testid="products-import">
              {t('products.import')}
            </Button>
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing({})} data-testid="products-create">
              {t('products.create')}
            </Button>
          </Space>
        </Flex>
      )}
      <Flex gap={8} wrap style={{ marginBottom: 12 }}>
        <Input.Search
          allowClear
          style={{ maxWidth: 420 }}
          placeholder={t('products.searchPlaceholder')}
          value={input.key === q ? input.value : q}
          onChange={(e) => setInput({ key: q, value: e.target.value })}
          onSearch={(v) => setParams(v.trim() ? { q: v.trim() } : {})}
          enterButton
          data-testid="products-search"
        />
      </Flex>
      {list.isError && <Alert type="error" showIcon title={errorMessage(list.error, t)} style={{ marginBottom: 16 }} />}
      <Table<Product>
        rowKey="id"
        data-testid="products-table"
        loading={list.isFetching}
        dataSource={items}
        pagination={false}
        scroll={TABLE_SCROLL}
        locale={{
          emptyText: q ? (
            <NextStep title={t('empty.noMatch')} actions={<Button onClick={() => setParams({})}>{t('creators.clearFilters')}</Button>} />
          ) : (
            <NextStep
              title={t('empty.products')}
              hint={writable ? t('empty.productsHint') : t('empty.askColleague')}
              actions={
                writable && (
                  <>
                    <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing({})} data-testid="empty-create">
                      {t('products.create')}
                    </Button>
                    <Button icon={<UploadOutlined />} onClick={() => setImporting(true)} data-testid="empty-import">
                      {t('products.import')}
                    </Button>
                  </>
                )
              }
            />
          ),
        }}
        columns={[
          { title: t('products.sku'), dataIndex: 'sku', render: (v: string) => <Typography.Text code>{v}</Typography.Text> },
          { title: t('products.name'), dataIndex: 'name' },
          { title: t('products.nameZh'), dataIndex: 'name_zh', render: (v: string | null) => v ?? '—' },
          {
            title: t('products.price'),
            key: 'price',
            align: 'right',
            render: (_, p) => <span style={{ whiteSpace: 'nowrap' }}>{formatMoney(p.price_minor, p.currency, lang)}</span>,
          },
          {
            title: t('products.rate'),
            dataIndex: 'rate_bps',
            align: 'right',
            render: (v: number | null) => (v === null ? '—' : formatBps(v, lang)),
          },
          ...(writable
            ? [
                {
                  title: t('common.actions'),
                  key: 'actions',
                  render: (_: unknown, p: Product) => (
                    <Space>
                      <Button size="small" icon={<EditOutlined />} onClick={() => setEditing({ product: p })} aria-label={t('common.edit')} data-testid={`product-edit-${p.sku}`} />
                      <Popconfirm title={t('products.confirmDelete', { sku: p.sku })} onConfirm={() => remove.mutate(p)}>
                        <Button size="small" danger icon={<DeleteOutlined />} aria-label={t('common.delete')} />
                      </Popconfirm>
                    </Space>
                  ),
                },
              ]
            : []),
        ]}
      />
      <Flex justify="space-between" align="center" style={{ marginTop: 16 }} wrap gap={8}>
        <span data-testid="products-total">{total !== undefined && t('common.total', { count: total })}</span>
        {list.hasNextPage && (
          <Button onClick={() => void list.fetchNextPage()} loading={list.isFetchingNextPage}>
            {t('common.loadMore')}
          </Button>
        )}
      </Flex>
      <ProductModal open={editing !== null} product={editing?.product} onClose={() => setEditing(null)} />
      <ProductImportModal open={importing} onClose={() => setImporting(false)} />
    </Card>
  )
}
