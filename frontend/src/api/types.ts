// Shapes of the API answers the UI uses (see shared/API.md).

export const ROLES = ['owner', 'admin', 'manager', 'finance', 'viewer'] as const
export type Role = (typeof ROLES)[number]

export type UserStatus = 'active' | 'disabled'

export interface User {
  id: string
  email: string
  name: string
  role: Role
  status: UserStatus
  created_at: string
}

export interface Org {
  id: string
  name: string
  base_currency: string
  timezone: string
  created_at: string
}

export interface Me {
  user: User
  org: Org
}

export interface Page<T> {
  items: T[]
  next_cursor: string | null
  total: number
}

export interface SetupStatus {
  setup_required: boolean
}

export interface SetupRequest {
  org_name: string
  base_currency: string
  timezone: string
  name: string
  email: string
  password: string
}

export interface SetupResponse {
  org: Org
  user: User
  access_token: string
}

export interface LoginResponse {
  access_token: string
  token_type: 'Bearer'
  expires_in: number
  user: User
}

export interface ApiKey {
  id: string
  name: string
  prefix: string
  role: Role
  created_at: string
  last_used_at: string | null
}

export interface CreatedApiKey extends Omit<ApiKey, 'last_used_at'> {
  key: string
}

export interface CreateUserRequest {
  email: string
  name: string
  role: Role
  password: string
}

export interface UpdateUserRequest {
  role?: Role
  status?: UserStatus
  name?: string
}
