//go:build race

package sheet

// raceEnabled lets the memory tests skip under -race, whose instrumentation makes streaming tens of
// megabytes slow and adds nothing to what they check.
const raceEnabled = true
