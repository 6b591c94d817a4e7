package timers

// Correct programs whose goroutines pace themselves with time.Sleep: a
// goroutine about to sleep parks until its timer fires, and the others get
// the processor in the meantime.

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Four bakery ovens were lit one after another, so each loaf is ready a
// millisecond after the one before; each oven slides its loaf onto the shop
// counter.
// The assistant takes all four and checks that every oven delivered once.
// schedcast: category=correct primitives=chan bug=none split=train
func TestBakeryOvensStaggered(t *testing.T) {
	loaves := []string{"rye", "sourdough", "brioche", "baguette"}
	counter := make(chan int)
	for i := range loaves {
		i := i
		go func() {
			time.Sleep(time.Duration(i+1) * time.Millisecond)
			counter <- i
		}()
	}
	seen := make([]bool, len(loaves))
	for n := 0; n < len(loaves); n++ {
		i := <-counter
		if seen[i] {
			t.Errorf("%s delivered twice", loaves[i])
		}
		seen[i] = true
	}
}

// Three trams queue outside a depot whose gate opens after a short
// inspection. Each driver checks the gate without blocking and, while it is
// shut, waits longer before every new try (1, 2, 4, 4 ms ...).
// schedcast: category=correct primitives=chan,close,select-default,waitgroup,atomic bug=none split=train
func TestTramDepotBackoff(t *testing.T) {
	gate := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		time.Sleep(3 * time.Millisecond) // the inspection
		close(gate)
	}()
	var inside int32
	for tram := 0; tram < 3; tram++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			wait := time.Millisecond
			for {
				select {
				case <-gate:
					atomic.AddInt32(&inside, 1)
					return
				default:
				}
				time.Sleep(wait)
				if wait < 4*time.Millisecond {
					wait *= 2
				}
			}
		}()
	}
	wg.Wait()
	if n := atomic.LoadInt32(&inside); n != 3 {
		t.Errorf("%d trams in the depot", n)
	}
}

// A greenhouse sensor raises the humidity reading one step per millisecond
// under a mutex; three vent controllers read it every millisecond and open
// once it reaches the target, which is also the sensor's last step.
// schedcast: category=correct primitives=mutex,waitgroup bug=none split=test
func TestGreenhouseVentsPoll(t *testing.T) {
	const target = 5
	var mu sync.Mutex
	humidity := 0
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for level := 1; level <= target; level++ {
			time.Sleep(time.Millisecond)
			mu.Lock()
			humidity = level
			mu.Unlock()
		}
	}()
	opened := make([]int, 3)
	for v := range opened {
		v := v
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				h := humidity
				mu.Unlock()
				if h >= target {
					opened[v] = h
					return
				}
				time.Sleep(time.Millisecond)
			}
		}()
	}
	wg.Wait()
	for v, h := range opened {
		if h != target {
			t.Errorf("vent %d opened at humidity %d", v, h)
		}
	}
}

// A sawmill cuts a plank every millisecond onto a short conveyor (a buffered
// channel); two stackers take planks off until the saw stops and closes it.
// The total length stacked must equal the length cut.
// schedcast: category=correct primitives=bufchan,close,range,waitgroup,atomic bug=none split=train
func TestSawmillPacedPlanks(t *testing.T) {
	conveyor := make(chan int64, 3)
	var cut int64
	go func() {
		for length := int64(1); length <= 6; length++ {
			time.Sleep(time.Millisecond)
			cut += length
			conveyor <- length
		}
		close(conveyor)
	}()
	var stacked int64
	var wg sync.WaitGroup
	for s := 0; s < 2; s++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for p := range conveyor {
				atomic.AddInt64(&stacked, p)
			}
		}()
	}
	wg.Wait()
	if stacked != cut || cut != 21 {
		t.Errorf("stacked %d of %d", stacked, cut)
	}
}

// A dentist has one chair (a mutex). Five patients wait in the lobby until the
// door opens, then each holds the chair for a millisecond of treatment while
// the others queue on the lock; nobody may share the chair.
// schedcast: category=correct primitives=chan,close,mutex,waitgroup,atomic bug=none split=validation
func TestDentistOneChair(t *testing.T) {
	var chair sync.Mutex
	var seated, crowded int32
	door := make(chan struct{})
	treated := 0
	var wg sync.WaitGroup
	for p := 0; p < 5; p++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-door
			chair.Lock()
			if atomic.AddInt32(&seated, 1) != 1 {
				atomic.AddInt32(&crowded, 1)
			}
			time.Sleep(time.Millisecond)
			treated++
			atomic.AddInt32(&seated, -1)
			chair.Unlock()
		}()
	}
	close(door)
	wg.Wait()
	if treated != 5 || atomic.LoadInt32(&crowded) != 0 {
		t.Errorf("treated %d, crowded %d times", treated, crowded)
	}
}

// Two fishing boats radio the coast guard every millisecond. After six
// check-ins from either boat the coast guard closes the channel it listens
// on for the day, and both boats stop calling.
// schedcast: category=correct primitives=chan,close,select,waitgroup bug=none split=validation
func TestFishingBoatsCheckIn(t *testing.T) {
	checkins := make(chan int)
	offAir := make(chan struct{})
	var wg sync.WaitGroup
	for boat := 1; boat <= 2; boat++ {
		boat := boat
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				time.Sleep(time.Millisecond)
				select {
				case checkins <- boat:
				case <-offAir:
					return
				}
			}
		}()
	}
	for i := 0; i < 6; i++ {
		if b := <-checkins; b != 1 && b != 2 {
			t.Errorf("check-in from unknown boat %d", b)
		}
	}
	close(offAir)
	wg.Wait()
}

// Four marathon runners leave at the starting gun and run for different
// times. The finish line records them under a mutex; the test checks that
// everyone finished once and no earlier than their own running time, not
// who won, which is up to the timers.
// schedcast: category=correct primitives=chan,close,mutex,waitgroup bug=none split=validation
func TestMarathonFinishLine(t *testing.T) {
	pace := []time.Duration{4 * time.Millisecond, time.Millisecond, 3 * time.Millisecond, 2 * time.Millisecond}
	gun := make(chan struct{})
	var mu sync.Mutex
	var order []int
	var wg sync.WaitGroup
	start := time.Now()
	for r := range pace {
		r := r
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-gun
			time.Sleep(pace[r])
			if time.Since(start) < pace[r] {
				t.Errorf("runner %d finished early", r)
			}
			mu.Lock()
			order = append(order, r)
			mu.Unlock()
		}()
	}
	close(gun)
	wg.Wait()
	seen := map[int]bool{}
	for _, r := range order {
		seen[r] = true
	}
	if len(order) != len(pace) || len(seen) != len(pace) {
		t.Errorf("finish order %v", order)
	}
}

// Three tumble dryers turn once per millisecond, checking between turns
// whether the laundromat is closing. Each says when it has turned twice; when
// all three have, the attendant closes, and every dryer reports its turns.
// schedcast: category=correct primitives=chan,bufchan,close,range,select-default,waitgroup bug=none split=train
func TestLaundryDryersUntilClosing(t *testing.T) {
	warm := make(chan int)
	closing := make(chan struct{})
	turnsOf := make(chan int, 3)
	var wg sync.WaitGroup
	for d := 0; d < 3; d++ {
		d := d
		wg.Add(1)
		go func() {
			defer wg.Done()
			turns := 0
			for {
				select {
				case <-closing:
					turnsOf <- turns
					return
				default:
				}
				time.Sleep(time.Millisecond)
				turns++
				if turns == 2 {
					warm <- d
				}
			}
		}()
	}
	for i := 0; i < 3; i++ {
		<-warm
	}
	close(closing)
	wg.Wait()
	close(turnsOf)
	for n := range turnsOf {
		if n < 2 {
			t.Errorf("a dryer stopped after %d turns", n)
		}
	}
}
