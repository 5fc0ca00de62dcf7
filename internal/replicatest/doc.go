// Package replicatest holds the test that runs several `caravan serve` processes on one PostgreSQL
// behind a round-robin proxy (replicas_test.go). It has no code of its own.
package replicatest
