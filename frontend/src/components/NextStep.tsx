import { Empty, Space, Typography } from 'antd'
import type { ReactNode } from 'react'

/**
 * An empty list that says what to do next: what is missing, the step that fills it, and the
 * buttons for that step (only those the user may press).
 */
export function NextStep({ title, hint, actions, testid = 'empty-state' }: { title: ReactNode; hint?: ReactNode; actions?: ReactNode; testid?: string }) {
  return (
    <Empty
      image={Empty.PRESENTED_IMAGE_SIMPLE}
      data-testid={testid}
      description={
        <Space orientation="vertical" size={4}>
          <Typography.Text strong>{title}</Typography.Text>
          {hint && <Typography.Text type="secondary">{hint}</Typography.Text>}
        </Space>
      }
    >
      {actions && (
        <Space wrap style={{ justifyContent: 'center' }}>
          {actions}
        </Space>
      )}
    </Empty>
  )
}
