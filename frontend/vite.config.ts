/// <reference types="vitest/config" />
import { defineConfig } from 'vite'
import react from '@vitejs/plugin-react'

// In development the Go server runs on :8080 and Vite serves the UI; everything the
// server owns is proxied so cookies and relative URLs behave as in production.
const backend = 'http://localhost:8080'
// Vite matches plain keys as prefixes, so the redirect route is a regex: a bare '/r' would
// also swallow SPA routes such as /reports.
const proxied = ['/api', '^/r/', '/healthz', '/readyz', '/webhooks']

export default defineConfig({
  plugins: [react()],
  server: {
    proxy: Object.fromEntries(proxied.map((p) => [p, { target: backend, changeOrigin: false }])),
  },
  build: {
    outDir: 'dist',
    // dist/placeholder.html is tracked and copied back from public/ on every build.
    emptyOutDir: true,
    chunkSizeWarningLimit: 1500,
  },
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.{ts,tsx}'],
  },
})
