// One function per API call the UI makes, so pages never spell URLs.
import { api } from './client'
import type {
  ApiKey,
  CreateUserRequest,
  CreatedApiKey,
  LoginResponse,
  Me,
  Page,
  SetupRequest,
  SetupResponse,
  SetupStatus,
  UpdateUserRequest,
  User,
} from './types'

export const getSetupStatus = () => api.get<SetupStatus>('/api/v1/setup', { retryOn401: false })

export async function runSetup(req: SetupRequest): Promise<SetupResponse> {
  const res = await api.post<SetupResponse>('/api/v1/setup', req, { cookie: true, retryOn401: false })
  api.setToken(res.access_token)
  return res
}

export async function login(email: string, password: string): Promise<LoginResponse> {
  const res = await api.post<LoginResponse>(
    '/api/v1/auth/login',
    { email, password },
    { cookie: true, retryOn401: false },
  )
  api.setToken(res.access_token)
  return res
}

export async function logout(): Promise<void> {
  try {
    await api.post<void>('/api/v1/auth/logout', undefined, { cookie: true, retryOn401: false })
  } finally {
    // Whatever the server said, this tab forgets the session.
    api.setToken(null)
  }
}

export const getMe = () => api.get<Me>('/api/v1/me')

export const listUsers = (cursor?: string) =>
  api.get<Page<User>>('/api/v1/users', { query: { limit: 100, cursor } })
export const createUser = (req: CreateUserRequest) => api.post<User>('/api/v1/users', req)
export const updateUser = (id: string, req: UpdateUserRequest) =>
  api.patch<User>(`/api/v1/users/${encodeURIComponent(id)}`, req)

export const listApiKeys = (cursor?: string) =>
  api.get<Page<ApiKey>>('/api/v1/api-keys', { query: { limit: 100, cursor } })
export const createApiKey = (name: string) => api.post<CreatedApiKey>('/api/v1/api-keys', { name })
export const revokeApiKey = (id: string) => api.delete(`/api/v1/api-keys/${encodeURIComponent(id)}`)
