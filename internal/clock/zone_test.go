package clock

import (
	"errors"
	"testing"
	"time"
)

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := LoadZone(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestSnapshotAtDawnInShanghaiBelongsToThatDay(t *testing.T) {
	sh := mustZone(t, "Asia/Shanghai")
	at := time.Date(2026, 2, 28, 21, 45, 0, 0, time.UTC) // 05:45 on 1 March in Shanghai
	if got := Day(at, sh); got != "2026-03-01" {
		t.Errorf("Day = %s; want 2026-03-01", got)
	}
	if got := Month(at, sh); got != "2026-03" {
		t.Errorf("Month = %s; want 2026-03", got)
	}
	if got := Day(at, nil); got != "2026-02-28" {
		t.Errorf("Day in UTC = %s", got)
	}
	if got := Today(NewManual(at), sh); got != "2026-03-01" {
		t.Errorf("Today = %s", got)
	}
	start, end, err := MonthRange("2026-03", sh)
	if err != nil || !start.Equal(time.Date(2026, 2, 28, 16, 0, 0, 0, time.UTC)) ||
		!end.Equal(time.Date(2026, 3, 31, 16, 0, 0, 0, time.UTC)) || at.Before(start) || !at.Before(end) {
		t.Errorf("MonthRange(2026-03, Shanghai) = %s, %s, %v", start, end, err)
	}
}

func TestMonthRangeAcrossDSTInNewYork(t *testing.T) {
	ny := mustZone(t, "America/New_York")
	cases := []struct {
		period     string
		start, end time.Time
		hours      float64
	}{
		// DST starts 8 March 2026: March begins at UTC-5 and April at UTC-4; the month is an hour short.
		{"2026-03", time.Date(2026, 3, 1, 5, 0, 0, 0, time.UTC), time.Date(2026, 4, 1, 4, 0, 0, 0, time.UTC), 31*24 - 1},
		// DST ends 1 November 2026 (at 02:00, after midnight): November begins at UTC-4, December at UTC-5.
		{"2026-11", time.Date(2026, 11, 1, 4, 0, 0, 0, time.UTC), time.Date(2026, 12, 1, 5, 0, 0, 0, time.UTC), 30*24 + 1},
		{"2026-12", time.Date(2026, 12, 1, 5, 0, 0, 0, time.UTC), time.Date(2027, 1, 1, 5, 0, 0, 0, time.UTC), 31 * 24},
	}
	for _, c := range cases {
		start, end, err := MonthRange(c.period, ny)
		if err != nil || !start.Equal(c.start) || !end.Equal(c.end) || start.Location() != time.UTC {
			t.Errorf("MonthRange(%s) = %s, %s, %v; want %s, %s", c.period, start, end, err, c.start, c.end)
		}
		if got := end.Sub(start).Hours(); got != c.hours {
			t.Errorf("%s lasts %v hours; want %v", c.period, got, c.hours)
		}
		if Month(start, ny) != c.period || Month(end.Add(-time.Nanosecond), ny) != c.period || Month(end, ny) == c.period {
			t.Errorf("%s: bounds are not the month's first instant and the next month's", c.period)
		}
	}
}

func TestDayStartsAtTheJumpWhereMidnightDoesNotExist(t *testing.T) {
	// Chile moves its clocks from 00:00 to 01:00 on the first Sunday of September 2026 (6 September): the day
	// starts at 01:00 local, 04:00 UTC, and the previous day ends then.
	cl := mustZone(t, "America/Santiago")
	start, end, err := DayRange("2026-09-06", cl)
	if err != nil {
		t.Fatal(err)
	}
	if Day(start, cl) != "2026-09-06" || Day(start.Add(-time.Nanosecond), cl) != "2026-09-05" {
		t.Errorf("start %s is not the first instant of 2026-09-06 in Santiago (%s)", start, start.In(cl))
	}
	if Day(end, cl) != "2026-09-07" || Day(end.Add(-time.Nanosecond), cl) != "2026-09-06" || end.Sub(start) != 23*time.Hour {
		t.Errorf("end %s is not the first instant of 2026-09-07 (day lasts %s)", end.In(cl), end.Sub(start))
	}
	// Every day of a few years, in zones with odd rules, starts exactly where the previous one ends.
	for _, name := range []string{"America/Santiago", "America/New_York", "Asia/Tehran", "Asia/Beirut", "Australia/Lord_Howe", "Asia/Shanghai", "UTC"} {
		loc := mustZone(t, name)
		for d := time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC); d.Year() < 2028; d = d.AddDate(0, 0, 1) {
			day := d.Format("2006-01-02")
			s, e, err := DayRange(day, loc)
			if err != nil || Day(s, loc) != day || Day(s.Add(-time.Nanosecond), loc) == day ||
				Day(e.Add(-time.Nanosecond), loc) != day || Day(e, loc) == day {
				t.Fatalf("%s %s: range %s – %s is wrong (%v)", name, day, s.In(loc), e.In(loc), err)
			}
		}
	}
}

func TestMonthRangeAndParseRefuseBadInput(t *testing.T) {
	for _, p := range []string{"", "2026-3", "2026-13", "26-03", "2026-03-01", "2026/03", " 2026-03"} {
		if _, _, err := MonthRange(p, time.UTC); err == nil {
			t.Errorf("MonthRange(%q) accepted", p)
		}
	}
	for _, d := range []string{"", "2026-02-30", "2026-2-1", "2026-02-01T00:00:00Z"} {
		if _, _, err := DayRange(d, time.UTC); err == nil {
			t.Errorf("DayRange(%q) accepted", d)
		}
	}
	if y, m, err := ParseMonth("2026-12"); err != nil || y != 2026 || m != time.December {
		t.Errorf("ParseMonth = %d %s %v", y, m, err)
	}
	s, e, err := MonthRange("2026-12", nil)
	if err != nil || !s.Equal(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)) || !e.Equal(time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("MonthRange in UTC = %s %s %v", s, e, err)
	}
}

func TestLoadZoneCachesAndRefusesUnknownZones(t *testing.T) {
	a, err := LoadZone("Asia/Shanghai")
	b, err2 := LoadZone("Asia/Shanghai")
	if err != nil || err2 != nil || a != b {
		t.Fatalf("LoadZone twice: %p %p %v %v", a, b, err, err2)
	}
	for _, name := range []string{"", "Local", "Mars/Olympus", "../etc/passwd", " UTC"} {
		if _, err := LoadZone(name); !errors.Is(err, ErrBadZone) {
			t.Errorf("LoadZone(%q) = %v; want ErrBadZone", name, err)
		}
	}
	if loc, err := LoadZone("UTC"); err != nil || loc.String() != "UTC" {
		t.Errorf("UTC: %v %v", loc, err)
	}
}
