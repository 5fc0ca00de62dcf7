package clock

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	// The IANA database is compiled in so a minimal container without /usr/share/zoneinfo still knows every
	// organization's zone.
	_ "time/tzdata"
)

// Time is the organization's: every "today", every date the UI shows and every date a file name carries is a
// day in the organization's time zone, and a commission period is a month in it. Instants stay in UTC; these
// helpers turn them into days and months and back. A nil *time.Location means UTC.

const (
	dayLayout   = "2006-01-02"
	monthLayout = "2006-01"
)

// ErrBadZone is wrapped by LoadZone's errors.
var ErrBadZone = errors.New("clock: unknown time zone")

var zones sync.Map // name → *time.Location; only successful loads are kept, so bad input cannot grow it

// LoadZone returns the IANA zone name ("Asia/Shanghai", "UTC"), cached. "" and "Local" are refused: the
// server's own zone is never an organization's.
func LoadZone(name string) (*time.Location, error) {
	if loc, ok := zones.Load(name); ok {
		return loc.(*time.Location), nil
	}
	if name == "" || name == "Local" || strings.TrimSpace(name) != name {
		return nil, fmt.Errorf("%w: %q", ErrBadZone, name)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("%w: %q", ErrBadZone, name)
	}
	zones.Store(name, loc)
	return loc, nil
}

func orUTC(loc *time.Location) *time.Location {
	if loc == nil {
		return time.UTC
	}
	return loc
}

// Day is the calendar date of t in loc, "YYYY-MM-DD".
func Day(t time.Time, loc *time.Location) string { return t.In(orUTC(loc)).Format(dayLayout) }

// Month is the month of t in loc, "YYYY-MM": the commission period t belongs to.
func Month(t time.Time, loc *time.Location) string { return t.In(orUTC(loc)).Format(monthLayout) }

// Today is the current date in loc according to c.
func Today(c Clock, loc *time.Location) string { return Day(c.Now(), loc) }

// ParseMonth checks a "YYYY-MM" period and returns its year and month.
func ParseMonth(period string) (int, time.Month, error) {
	t, err := time.Parse(monthLayout, period)
	if err != nil || t.Format(monthLayout) != period {
		return 0, 0, fmt.Errorf("clock: %q is not a month written YYYY-MM", period)
	}
	return t.Year(), t.Month(), nil
}

// ParseDay checks a "YYYY-MM-DD" date and returns it as midnight UTC of that date (a date, not an instant).
func ParseDay(day string) (time.Time, error) {
	t, err := time.Parse(dayLayout, day)
	if err != nil || t.Format(dayLayout) != day {
		return time.Time{}, fmt.Errorf("clock: %q is not a date written YYYY-MM-DD", day)
	}
	return t, nil
}

// MonthRange returns the UTC instants bounding the month period ("YYYY-MM") in loc, as a half-open range:
// start is the first instant of the month, end the first instant of the next (query with >= start AND < end).
// Across a DST change the month is an hour shorter or longer than its days suggest, as it should be.
func MonthRange(period string, loc *time.Location) (start, end time.Time, err error) {
	y, m, err := ParseMonth(period)
	if err != nil {
		return time.Time{}, time.Time{}, err
	}
	loc = orUTC(loc)
	return startOfDay(y, m, 1, loc), startOfDay(y, m+1, 1, loc), nil
}

// DayRange returns the UTC instants bounding the day ("YYYY-MM-DD") in loc, half-open like MonthRange.
func DayRange(day string, loc *time.Location) (start, end time.Time, err error) {
	d, err := ParseDay(day)
	if err != nil {
		return time.Time{}, time.Time{}, err
	}
	loc = orUTC(loc)
	return startOfDay(d.Year(), d.Month(), d.Day(), loc), startOfDay(d.Year(), d.Month(), d.Day()+1, loc), nil
}

// startOfDay is the first instant of a date in loc. Usually local midnight; in zones whose clocks jump over
// midnight (America/Santiago, Asia/Beirut, …) midnight does not exist and the day starts at the jump. Go
// resolves such a midnight after the jump in Beirut (01:00, right) but before it in Santiago (23:00 of the
// previous day), hence the correction.
func startOfDay(y int, m time.Month, d int, loc *time.Location) time.Time {
	t := time.Date(y, m, d, 0, 0, 0, 0, loc)
	want := time.Date(y, m, d, 0, 0, 0, 0, time.UTC) // normalised date (d may overflow the month)
	lt := t.In(loc)
	if got := time.Date(lt.Year(), lt.Month(), lt.Day(), 0, 0, 0, 0, time.UTC); got.Before(want) {
		// time.Date resolved the missing midnight to the previous day's last hour: the day starts at the
		// transition that ends that zone period.
		_, next := lt.ZoneBounds()
		t = next
	}
	return t.UTC()
}
