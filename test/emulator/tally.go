package emulator

import (
	"math/rand/v2"
	"sync"
)

// tally is what Faults and Network keep: calls and injected answers
// counted by operation, other counts by key, and a seeded random source,
// all under one lock and made on first use.
type tally struct {
	once     sync.Once
	mu       sync.Mutex
	rng      *rand.Rand
	calls    map[string]int
	injected map[string]int
	keyed    map[string]int
}

// start makes the tally on first use; seed 0 seeds at random.
func (t *tally) start(seed uint64) {
	t.once.Do(func() {
		if seed == 0 {
			seed = rand.Uint64()
		}
		t.rng = rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
		t.clear()
	})
}

func (t *tally) clear() {
	t.calls, t.injected, t.keyed = map[string]int{}, map[string]int{}, map[string]int{}
}

// get reads from the tally under its lock.
func (t *tally) get(seed uint64, read func(*tally) int) int {
	t.start(seed)
	t.mu.Lock()
	defer t.mu.Unlock()
	return read(t)
}

// reset forgets every count.
func (t *tally) reset(seed uint64) {
	t.start(seed)
	t.mu.Lock()
	defer t.mu.Unlock()
	t.clear()
}

// with changes the tally under its lock.
func (t *tally) with(seed uint64, change func(*tally)) {
	t.start(seed)
	t.mu.Lock()
	defer t.mu.Unlock()
	change(t)
}
