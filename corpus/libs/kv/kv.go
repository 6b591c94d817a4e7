// Package kv is a small in-memory key/value store for the libs programs: keys
// are spread over shards, each guarded by its own sync.RWMutex, so readers of
// one shard never wait for writers of another. Every change can be reported
// to watchers over channels.
//
// Watchers are delivered to synchronously: a Put or Update returns only after
// its change was handed to every watcher's channel, in the order the changes
// were made. A watcher that stops reading without calling Unwatch therefore
// stalls every writer once its buffer is full.
package kv

import (
	"hash/fnv"
	"sort"
	"sync"
)

// Change describes one write. Had is false when the key was new.
type Change struct {
	Key      string
	Old, New int
	Had      bool
}

type shard struct {
	mu sync.RWMutex
	m  map[string]int
}

// Store is safe for use by any number of goroutines.
type Store struct {
	shards []*shard

	watchMu  sync.Mutex // serialises delivery; guards watchers
	watchers []chan Change
}

// New returns a store with n shards (at least one).
func New(n int) *Store {
	if n < 1 {
		n = 1
	}
	s := &Store{shards: make([]*shard, n)}
	for i := range s.shards {
		s.shards[i] = &shard{m: map[string]int{}}
	}
	return s
}

func (s *Store) shardFor(key string) *shard {
	h := fnv.New32a()
	h.Write([]byte(key))
	return s.shards[h.Sum32()%uint32(len(s.shards))]
}

// Get returns the value stored under key.
func (s *Store) Get(key string) (int, bool) {
	sh := s.shardFor(key)
	sh.mu.RLock()
	v, ok := sh.m[key]
	sh.mu.RUnlock()
	return v, ok
}

// Put stores v under key.
func (s *Store) Put(key string, v int) {
	s.Update(key, func(int, bool) int { return v })
}

// Update replaces the value under key by fn(old, had) and returns the new
// value. fn runs with the key's shard locked: it must not call back into
// the store.
func (s *Store) Update(key string, fn func(old int, had bool) int) int {
	sh := s.shardFor(key)
	sh.mu.Lock()
	old, had := sh.m[key]
	v := fn(old, had)
	sh.m[key] = v
	sh.mu.Unlock()
	s.notify(Change{Key: key, Old: old, New: v, Had: had})
	return v
}

// Add adds delta to the value under key (missing keys count as zero).
func (s *Store) Add(key string, delta int) int {
	return s.Update(key, func(old int, _ bool) int { return old + delta })
}

func (s *Store) notify(c Change) {
	s.watchMu.Lock()
	defer s.watchMu.Unlock()
	for _, w := range s.watchers {
		w <- c
	}
}

// Watch registers a watcher with room for buf undelivered changes. The
// channel is closed by Unwatch.
func (s *Store) Watch(buf int) <-chan Change {
	ch := make(chan Change, buf)
	s.watchMu.Lock()
	s.watchers = append(s.watchers, ch)
	s.watchMu.Unlock()
	return ch
}

// Unwatch removes the watcher and closes its channel. It waits for any
// delivery in progress.
func (s *Store) Unwatch(w <-chan Change) {
	s.watchMu.Lock()
	defer s.watchMu.Unlock()
	for i, ch := range s.watchers {
		if ch == w {
			s.watchers = append(s.watchers[:i], s.watchers[i+1:]...)
			close(ch)
			return
		}
	}
}

// Snapshot copies the store one shard at a time; it is consistent per shard,
// not across shards.
func (s *Store) Snapshot() map[string]int {
	out := map[string]int{}
	for _, sh := range s.shards {
		sh.mu.RLock()
		for k, v := range sh.m {
			out[k] = v
		}
		sh.mu.RUnlock()
	}
	return out
}

// Keys returns the sorted keys currently stored.
func (s *Store) Keys() []string {
	snap := s.Snapshot()
	keys := make([]string, 0, len(snap))
	for k := range snap {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Tally reads changes from w until it is closed and returns, per key, how
// many changes it saw.
func Tally(w <-chan Change) map[string]int {
	n := map[string]int{}
	for c := range w {
		n[c.Key]++
	}
	return n
}
