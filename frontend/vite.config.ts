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
    rolldownOptions: {
      output: {
        // Left alone, everything the first paint shares (React, the router, TanStack Query, i18next and
        // antd's core) lands in one ~600 kB chunk that any change invalidates. These libraries change
        // rarely and are needed by every page, so each is its own chunk: cached across releases and
        // downloaded in parallel. Only modules the first paint loads anyway are named here; what a
        // lazy page alone uses (tables, pickers, ECharts) stays in that page's chunks.
        codeSplitting: {
          groups: [
            { name: 'react', test: /[\\/]node_modules[\\/](react|react-dom|scheduler)[\\/]/, priority: 30 },
            { name: 'router', test: /[\\/]node_modules[\\/](react-router|cookie|set-cookie-parser)[\\/]/, priority: 25 },
            { name: 'data', test: /[\\/]node_modules[\\/](@tanstack|i18next|react-i18next|html-parse-stringify|void-elements)[\\/]/, priority: 20 },
            // The dashboard's charts: ECharts' renderer apart from the charts, two halves fetched in parallel.
            { name: 'zrender', test: /[\\/]node_modules[\\/]zrender[\\/]/, priority: 10 },
            { name: 'antd-style', test: /[\\/]node_modules[\\/](@ant-design[\\/](cssinjs|cssinjs-utils|colors|fast-color)|@emotion|stylis)[\\/]/, priority: 15 },
          ],
        },
      },
    },
  },
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.{ts,tsx}'],
    // Rendering Ant Design forms in jsdom takes seconds on a loaded 2-core machine: 5 s timed out there.
    testTimeout: 20_000,
  },
})
