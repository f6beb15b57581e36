package exec

import (
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
)

// TestMorsels checks that every morsel is taken exactly once, by however
// many of the workers run, concurrently, whatever their speeds.
func TestMorsels(t *testing.T) {
	for trial := range 200 {
		rng := rand.New(rand.NewPCG(uint64(trial), 7))
		n, workers := rng.IntN(300), 1+rng.IntN(6)
		running := 1 + rng.IntN(workers) // the pool may lend fewer
		m := NewMorsels(n, workers)
		taken := make([]atomic.Int32, n)
		var wg sync.WaitGroup
		for w := range running {
			slow := rng.IntN(3) == 0
			wg.Go(func() {
				for i, ok := m.Next(w); ok; i, ok = m.Next(w) {
					taken[i].Add(1)
					if slow {
						for range 1000 {
							_ = rand.Int()
						}
					}
				}
			})
		}
		wg.Wait()
		for i := range taken {
			if c := taken[i].Load(); c != 1 {
				t.Fatalf("trial %d (n=%d, %d of %d workers): morsel %d taken %d times", trial, n, running, workers, i, c)
			}
		}
	}
}

// TestMorselsLocality checks that a worker starts on its own contiguous
// run: with no other worker running, worker 0 takes its run in order
// before it steals.
func TestMorselsLocality(t *testing.T) {
	m := NewMorsels(8, 2)
	var got []int
	for i, ok := m.Next(0); ok; i, ok = m.Next(0) {
		got = append(got, i)
	}
	want := []int{0, 1, 2, 3, 6, 7, 5, 4} // its run, then halves of worker 1's
	if len(got) != len(want) {
		t.Fatalf("took %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("took %v, want %v", got, want)
		}
	}
}

// TestSchedulerLends checks that the pool lends no more workers than it
// holds across operators, counts what it denies, and takes them back.
func TestSchedulerLends(t *testing.T) {
	size := 3
	s := NewScheduler(func() int { return size })
	c1, c2, c3 := &Context{Sched: s}, &Context{Sched: s}, &Context{Sched: s}
	d1, back1 := c1.degree(3) // the statement's own worker and 2 lent
	d2, back2 := c2.degree(4) // 1 left to lend
	d3, back3 := c3.degree(2) // none left: runs alone
	if d1 != 3 || d2 != 2 || d3 != 1 {
		t.Fatalf("degrees %d, %d, %d; want 3, 2, 1", d1, d2, d3)
	}
	if st := s.Stats(); st.Lent != 3 || st.Launched != 3 || st.Denied != 3 {
		t.Fatalf("stats %+v, want 3 lent, 3 launched, 3 denied", st)
	}
	back1()
	back2()
	back3()
	if st := s.Stats(); st.Lent != 0 {
		t.Fatalf("%d workers still lent after every operator finished", st.Lent)
	}
	size = 1 // the parameter changed
	if d, back := c1.degree(4); d != 2 {
		t.Fatalf("degree %d with a pool of 1, want 2", d)
	} else {
		back()
	}
	if d, _ := (&Context{}).degree(4); d != 4 {
		t.Fatalf("degree %d without a scheduler, want 4", d)
	}
}
