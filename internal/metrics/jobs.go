package metrics

import (
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// jobCollector exports the background jobs' runs and, computed at scrape time, how long ago each
// last succeeded: the lag an alert compares with the job's period.
type jobCollector struct {
	runs     *prometheus.CounterVec
	duration *prometheus.HistogramVec
	lagDesc  *prometheus.Desc
	lastDesc *prometheus.Desc
	now      func() time.Time

	mu     sync.Mutex
	lastOK map[string]time.Time
}

func newJobCollector(now func() time.Time) *jobCollector {
	return &jobCollector{
		runs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "caravan_job_runs_total",
			Help: "Background job runs, by job and result (ok, error, stopped, panic).",
		}, []string{"job", "result"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "caravan_job_duration_seconds",
			Help:    "Time a background job's run took, by job.",
			Buckets: []float64{.005, .025, .1, .5, 1, 5, 15, 60, 300, 900},
		}, []string{"job"}),
		lagDesc: prometheus.NewDesc("caravan_job_seconds_since_success",
			"Seconds since the job last succeeded in this process (no series before its first success).", []string{"job"}, nil),
		lastDesc: prometheus.NewDesc("caravan_job_last_success_timestamp_seconds",
			"Unix time of the job's last success in this process.", []string{"job"}, nil),
		now:    now,
		lastOK: map[string]time.Time{},
	}
}

func (j *jobCollector) observe(job, result string, took time.Duration) {
	j.runs.WithLabelValues(job, result).Inc()
	j.duration.WithLabelValues(job).Observe(took.Seconds())
	if result == "ok" {
		j.mu.Lock()
		j.lastOK[job] = j.now()
		j.mu.Unlock()
	}
}

func (j *jobCollector) Describe(ch chan<- *prometheus.Desc) {
	j.runs.Describe(ch)
	j.duration.Describe(ch)
	ch <- j.lagDesc
	ch <- j.lastDesc
}

func (j *jobCollector) Collect(ch chan<- prometheus.Metric) {
	j.runs.Collect(ch)
	j.duration.Collect(ch)
	now := j.now()
	j.mu.Lock()
	defer j.mu.Unlock()
	for job, t := range j.lastOK {
		ch <- prometheus.MustNewConstMetric(j.lagDesc, prometheus.GaugeValue, now.Sub(t).Seconds(), job)
		ch <- prometheus.MustNewConstMetric(j.lastDesc, prometheus.GaugeValue, float64(t.UnixNano())/1e9, job)
	}
}
