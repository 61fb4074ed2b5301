package bench

import (
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// histogram records latencies in an HDR histogram (three significant digits,
// 1 µs to an hour), so a run of any length costs the same small memory and
// quantiles are within 0.1% of the truth. The count, sum and maximum are kept
// exactly beside it: the report prints them as measured.
type histogram struct {
	h   *hdrhistogram.Histogram
	n   int64
	sum time.Duration
	max time.Duration
}

const (
	histMin = int64(time.Microsecond)
	histMax = int64(time.Hour)
)

func (h *histogram) init() {
	if h.h == nil {
		h.h = hdrhistogram.New(histMin, histMax, 3)
	}
}

func (h *histogram) add(d time.Duration) {
	h.init()
	// RecordValue only fails above histMax: such a sample counts as an hour.
	_ = h.h.RecordValue(min(max(int64(d), 0), histMax))
	h.n++
	h.sum += d
	h.max = max(h.max, d)
}

func (h *histogram) merge(o *histogram) {
	if o.n == 0 {
		return
	}
	h.init()
	h.h.Merge(o.h)
	h.n += o.n
	h.sum += o.sum
	h.max = max(h.max, o.max)
}

// quantile returns the latency below which a fraction q of the samples
// fall (the top of its bucket, never above the largest sample).
func (h *histogram) quantile(q float64) time.Duration {
	if h.n == 0 {
		return 0
	}
	return min(time.Duration(h.h.ValueAtQuantile(q*100)), h.max)
}

func (h *histogram) mean() time.Duration {
	if h.n == 0 {
		return 0
	}
	return h.sum / time.Duration(h.n)
}
