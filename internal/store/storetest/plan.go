package storetest

import (
	"encoding/json"
	"testing"
)

// PlanNode is a node of PostgreSQL's EXPLAIN (ANALYZE, FORMAT JSON), with what tests read of it.
type PlanNode struct {
	Type      string     `json:"Node Type"`
	Relation  string     `json:"Relation Name"`
	Rows      float64    `json:"Actual Rows"`
	Loops     float64    `json:"Actual Loops"`
	SortSpace string     `json:"Sort Space Type"` // "Memory" or "Disk"
	DiskUsage float64    `json:"Disk Usage"`      // kB a hash aggregate spilled
	Batches   float64    `json:"HashAgg Batches"` // more than one: the hash spilled
	Plans     []PlanNode `json:"Plans"`
}

// Walk calls f on n and on every node under it.
func (n PlanNode) Walk(f func(PlanNode)) {
	f(n)
	for _, c := range n.Plans {
		c.Walk(f)
	}
}

// ParsePlan decodes the output of EXPLAIN (FORMAT JSON) and returns its top node.
func ParsePlan(t testing.TB, raw []byte) PlanNode {
	t.Helper()
	var plan []struct{ Plan PlanNode }
	if err := json.Unmarshal(raw, &plan); err != nil || len(plan) != 1 {
		t.Fatalf("storetest: not a plan (%v):\n%s", err, raw)
	}
	return plan[0].Plan
}
