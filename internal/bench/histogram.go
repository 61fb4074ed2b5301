package bench

import (
	"math"
	"time"
)

// histogram records latencies in logarithmic buckets 1% wide, from 1 µs to
// about an hour, so a run of any length costs the same small memory and
// quantiles are within 1% of the truth.
type histogram struct {
	counts []int64
	n      int64
	sum    time.Duration
	max    time.Duration
}

const (
	histMin    = time.Microsecond
	histGrowth = 1.01
	histSize   = 2250 // 1 µs × 1.01^2250 ≈ 5 × 10^9 µs, over an hour
)

var logGrowth = math.Log(histGrowth)

func bucketOf(d time.Duration) int {
	if d <= histMin {
		return 0
	}
	b := int(math.Log(float64(d)/float64(histMin)) / logGrowth)
	return min(b, histSize-1)
}

// bucketTop is the largest latency of bucket b.
func bucketTop(b int) time.Duration {
	return time.Duration(float64(histMin) * math.Pow(histGrowth, float64(b+1)))
}

func (h *histogram) add(d time.Duration) {
	if h.counts == nil {
		h.counts = make([]int64, histSize)
	}
	h.counts[bucketOf(d)]++
	h.n++
	h.sum += d
	h.max = max(h.max, d)
}

func (h *histogram) merge(o *histogram) {
	if o.n == 0 {
		return
	}
	if h.counts == nil {
		h.counts = make([]int64, histSize)
	}
	for i, c := range o.counts {
		h.counts[i] += c
	}
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
	rank := int64(math.Ceil(q * float64(h.n)))
	rank = max(rank, 1)
	var seen int64
	for b, c := range h.counts {
		seen += c
		if seen >= rank {
			return min(bucketTop(b), h.max)
		}
	}
	return h.max
}

func (h *histogram) mean() time.Duration {
	if h.n == 0 {
		return 0
	}
	return h.sum / time.Duration(h.n)
}
